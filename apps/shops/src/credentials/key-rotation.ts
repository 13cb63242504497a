import { withTransaction } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import type { CredentialsRepository } from './credentials.repository';
import type { TokenVault } from './token-vault';

export interface RotationProgress {
  /** Rows re-sealed so far. */
  rotated: number;
  /** Rows that could not be opened (their key is not in the ring, or they do not authenticate). */
  failed: number;
  lastShop: string;
}

export interface RotationResult extends RotationProgress {
  activeKeyId: string;
  /** Rows per key id after the run: only the active key should remain. */
  byKey: Record<string, number>;
}

/**
 * Re-seals every credential not under the active key, `batchSize` rows per transaction (row
 * locks keep a concurrent refresh from interleaving with a batch). The tokens and their version
 * stay the same; only `key_id` and the bytes change. Safe to stop and run again.
 *
 * Run it after every replica got the new SHOPS_TOKEN_KEYS (new key first): a replica still on
 * the old list would seal its next refresh with the old key.
 */
export async function rotateTokenKeys(
  dataSource: DataSource,
  repository: CredentialsRepository,
  vault: TokenVault,
  options: { batchSize: number; onProgress?: (progress: RotationProgress) => void },
): Promise<RotationResult> {
  const progress: RotationProgress = { rotated: 0, failed: 0, lastShop: '' };
  for (;;) {
    const count = await withTransaction(dataSource, async (manager) => {
      const rows = await repository.credentialsNotUnder(
        manager,
        vault.activeKeyId,
        progress.lastShop,
        options.batchSize,
      );
      for (const row of rows) {
        progress.lastShop = row.shop;
        let access: string;
        let refresh: string | null;
        try {
          access = vault.open(row.shop, 'access_token', {
            keyId: row.keyId,
            value: row.accessToken,
          });
          refresh = row.refreshToken
            ? vault.open(row.shop, 'refresh_token', { keyId: row.keyId, value: row.refreshToken })
            : null;
        } catch {
          progress.failed += 1;
          continue;
        }
        const sealedAccess = vault.seal(row.shop, 'access_token', access);
        const sealedRefresh =
          refresh === null
            ? null
            : vault.seal(row.shop, 'refresh_token', refresh, sealedAccess.keyId);
        await repository.reseal(manager, row.shop, sealedAccess, sealedRefresh);
        progress.rotated += 1;
      }
      return rows.length;
    });
    if (count === 0) break;
    options.onProgress?.({ ...progress });
  }
  return { ...progress, activeKeyId: vault.activeKeyId, byKey: await repository.countByKey() };
}
