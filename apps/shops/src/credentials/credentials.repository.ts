import { Inject, Injectable } from '@nestjs/common';
import type { ShopGrantType, ShopInstallationStatus } from '@shopwire/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import type { Sealed } from './token-vault';

export interface InstallationRow {
  shop: string;
  status: ShopInstallationStatus;
  grantType: ShopGrantType;
  scopes: string[];
  generation: number;
  revision: number;
  installedAt: Date;
  uninstalledAt: Date | null;
  updatedAt: Date;
  lastRefreshError: string | null;
  lastRefreshErrorAt: Date | null;
}

export interface CredentialRow {
  shop: string;
  keyId: string;
  accessToken: Buffer;
  accessTokenSha256: string;
  accessTokenExpiresAt: Date | null;
  refreshToken: Buffer | null;
  refreshTokenExpiresAt: Date | null;
  version: number;
  refreshedAt: Date;
}

/** What `GET /shops` shows of a credential: no sealed bytes, no hash. */
export interface CredentialHealth {
  keyId: string;
  accessTokenExpiresAt: Date | null;
  hasRefreshToken: boolean;
  refreshTokenExpiresAt: Date | null;
  version: number;
  refreshedAt: Date;
}

export interface StoredTokens {
  access: Sealed;
  accessSha256: string;
  accessExpiresAt: Date | null;
  /** Sealed under the same key as `access` (one key_id per row). */
  refresh: Sealed | null;
  refreshExpiresAt: Date | null;
}

const INSTALLATION_COLUMNS = `shop, status, grant_type, scopes, generation, revision, installed_at,
  uninstalled_at, updated_at, last_refresh_error, last_refresh_error_at`;
const CREDENTIAL_COLUMNS = `shop, key_id, access_token, access_token_sha256, access_token_expires_at,
  refresh_token, refresh_token_expires_at, version, refreshed_at`;

/**
 * SQL of `shops.installations` and `shops.credentials`, always by shop. Methods taking a manager
 * run in the caller's transaction.
 */
@Injectable()
export class CredentialsRepository {
  constructor(@Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async findInstallation(
    shop: string,
    manager: EntityManager | DataSource = this.dataSource,
    forUpdate = false,
  ): Promise<InstallationRow | null> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT ${INSTALLATION_COLUMNS} FROM shops.installations WHERE shop = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [shop],
    );
    return rows.length ? toInstallation(rows[0]) : null;
  }

  async findCredential(
    shop: string,
    manager: EntityManager | DataSource = this.dataSource,
  ): Promise<CredentialRow | null> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT ${CREDENTIAL_COLUMNS} FROM shops.credentials WHERE shop = $1`,
      [shop],
    );
    return rows.length ? toCredential(rows[0]) : null;
  }

  /** Installation and credential of one shop in one read (the token API's fast path). */
  async findBoth(
    shop: string,
    manager: EntityManager | DataSource = this.dataSource,
  ): Promise<{ installation: InstallationRow | null; credential: CredentialRow | null }> {
    const [installation, credential] = await Promise.all([
      this.findInstallation(shop, manager),
      this.findCredential(shop, manager),
    ]);
    return { installation, credential };
  }

  async insertInstallation(
    manager: EntityManager,
    shop: string,
    grantType: ShopGrantType,
    scopes: string[],
  ): Promise<InstallationRow> {
    const rows: Record<string, unknown>[] = await manager.query(
      `INSERT INTO shops.installations (shop, status, grant_type, scopes)
       VALUES ($1, 'installed', $2, $3)
       RETURNING ${INSTALLATION_COLUMNS}`,
      [shop, grantType, scopes.join(',')],
    );
    return toInstallation(rows[0]);
  }

  /**
   * Marks the (row-locked) installation installed again. `newGeneration` starts it clean: a
   * reinstall after an uninstall.
   */
  async reinstall(
    manager: EntityManager,
    shop: string,
    grantType: ShopGrantType,
    scopes: string[],
    newGeneration: boolean,
  ): Promise<InstallationRow> {
    const rows = returned(
      await manager.query(
        newGeneration
          ? `UPDATE shops.installations SET status = 'installed', grant_type = $2, scopes = $3,
             generation = generation + 1, revision = 1, installed_at = now(), uninstalled_at = NULL,
             last_refresh_error = NULL, last_refresh_error_at = NULL, updated_at = now()
           WHERE shop = $1 RETURNING ${INSTALLATION_COLUMNS}`
          : `UPDATE shops.installations SET status = 'installed', grant_type = $2, scopes = $3,
             revision = revision + 1, last_refresh_error = NULL, last_refresh_error_at = NULL,
             updated_at = now()
           WHERE shop = $1 RETURNING ${INSTALLATION_COLUMNS}`,
        [shop, grantType, scopes.join(',')],
      ),
    );
    return toInstallation(rows[0]);
  }

  /** A new status (and the next revision); null when the shop has no installation. */
  async setStatus(
    manager: EntityManager,
    shop: string,
    status: ShopInstallationStatus,
    refreshError: string | null = null,
  ): Promise<InstallationRow | null> {
    const rows = returned(
      await manager.query(
        `UPDATE shops.installations SET status = $2, revision = revision + 1, updated_at = now(),
         uninstalled_at = CASE WHEN $2 = 'uninstalled' THEN now() ELSE uninstalled_at END,
         last_refresh_error = COALESCE($3, last_refresh_error),
         last_refresh_error_at = CASE WHEN $3::text IS NULL THEN last_refresh_error_at ELSE now() END
       WHERE shop = $1 RETURNING ${INSTALLATION_COLUMNS}`,
        [shop, status, refreshError],
      ),
    );
    return rows.length ? toInstallation(rows[0]) : null;
  }

  /** The next revision, for an event that changes no column (a rotated token). */
  async bumpRevision(
    manager: EntityManager,
    shop: string,
    scopes: string[] | null,
  ): Promise<InstallationRow> {
    const rows = returned(
      await manager.query(
        `UPDATE shops.installations SET revision = revision + 1, updated_at = now(),
         scopes = COALESCE($2, scopes), last_refresh_error = NULL, last_refresh_error_at = NULL
       WHERE shop = $1 RETURNING ${INSTALLATION_COLUMNS}`,
        [shop, scopes === null ? null : scopes.join(',')],
      ),
    );
    return toInstallation(rows[0]);
  }

  /** Outside any refresh transaction: a failed refresh rolls back, its reason must not. */
  async recordRefreshError(shop: string, code: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE shops.installations SET last_refresh_error = $2, last_refresh_error_at = now()
       WHERE shop = $1`,
      [shop, code],
    );
  }

  /** Replaces the shop's tokens in one statement: the old ones are gone exactly when the new commit. */
  async storeTokens(manager: EntityManager, shop: string, tokens: StoredTokens): Promise<number> {
    const rows: Array<{ version: number }> = await manager.query(
      `INSERT INTO shops.credentials (shop, key_id, access_token, access_token_sha256,
         access_token_expires_at, refresh_token, refresh_token_expires_at, version, refreshed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, now())
       ON CONFLICT (shop) DO UPDATE SET key_id = EXCLUDED.key_id,
         access_token = EXCLUDED.access_token, access_token_sha256 = EXCLUDED.access_token_sha256,
         access_token_expires_at = EXCLUDED.access_token_expires_at,
         refresh_token = EXCLUDED.refresh_token,
         refresh_token_expires_at = EXCLUDED.refresh_token_expires_at,
         version = shops.credentials.version + 1, refreshed_at = now()
       RETURNING version`,
      [
        shop,
        tokens.access.keyId,
        tokens.access.value,
        tokens.accessSha256,
        tokens.accessExpiresAt,
        tokens.refresh?.value ?? null,
        tokens.refreshExpiresAt,
      ],
    );
    return rows[0].version;
  }

  /** Crypto-shredding: the sealed tokens go with the row. */
  async deleteCredential(manager: EntityManager, shop: string): Promise<number> {
    const result: [unknown[], number] = await manager.query(
      `DELETE FROM shops.credentials WHERE shop = $1`,
      [shop],
    );
    return result[1];
  }

  async listInstallations(): Promise<
    Array<InstallationRow & { credential: CredentialHealth | null }>
  > {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT i.shop, i.status, i.grant_type, i.scopes, i.generation, i.revision, i.installed_at,
         i.uninstalled_at, i.updated_at, i.last_refresh_error, i.last_refresh_error_at,
         c.key_id, c.access_token_expires_at, c.refresh_token IS NOT NULL AS has_refresh_token,
         c.refresh_token_expires_at, c.version, c.refreshed_at
       FROM shops.installations i LEFT JOIN shops.credentials c ON c.shop = i.shop
       ORDER BY i.shop`,
    );
    return rows.map((row) => ({
      ...toInstallation(row),
      credential:
        row.key_id == null
          ? null
          : {
              keyId: row.key_id as string,
              accessTokenExpiresAt: (row.access_token_expires_at as Date | null) ?? null,
              hasRefreshToken: row.has_refresh_token as boolean,
              refreshTokenExpiresAt: (row.refresh_token_expires_at as Date | null) ?? null,
              version: row.version as number,
              refreshedAt: row.refreshed_at as Date,
            },
    }));
  }

  /** Installed shops whose token expires before `before` (the refresh-ahead loop's candidates). */
  async expiringBefore(before: Date, limit: number): Promise<string[]> {
    const rows: Array<{ shop: string }> = await this.dataSource.query(
      `SELECT c.shop FROM shops.credentials c
       JOIN shops.installations i ON i.shop = c.shop AND i.status = 'installed'
       WHERE c.access_token_expires_at IS NOT NULL AND c.access_token_expires_at < $1
       ORDER BY c.access_token_expires_at LIMIT $2`,
      [before, limit],
    );
    return rows.map((r) => r.shop);
  }

  async uninstalledShops(): Promise<string[]> {
    const rows: Array<{ shop: string }> = await this.dataSource.query(
      `SELECT shop FROM shops.installations WHERE status = 'uninstalled'`,
    );
    return rows.map((r) => r.shop);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows: Array<{ status: string; n: number }> = await this.dataSource.query(
      `SELECT status, count(*)::int AS n FROM shops.installations GROUP BY status`,
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Rows to re-seal under `activeKeyId`, a batch at a time, locked against concurrent refreshes. */
  async credentialsNotUnder(
    manager: EntityManager,
    activeKeyId: string,
    afterShop: string,
    limit: number,
  ): Promise<CredentialRow[]> {
    // By shop after the last one seen, so a row that cannot be re-sealed is not picked forever.
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT ${CREDENTIAL_COLUMNS} FROM shops.credentials WHERE key_id <> $1 AND shop > $2
       ORDER BY shop LIMIT $3 FOR UPDATE`,
      [activeKeyId, afterShop, limit],
    );
    return rows.map(toCredential);
  }

  /** Re-sealed bytes of the same tokens: the version stays, only the key changes. */
  async reseal(
    manager: EntityManager,
    shop: string,
    access: Sealed,
    refresh: Sealed | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE shops.credentials SET key_id = $2, access_token = $3, refresh_token = $4 WHERE shop = $1`,
      [shop, access.keyId, access.value, refresh?.value ?? null],
    );
  }

  async countByKey(): Promise<Record<string, number>> {
    const rows: Array<{ key_id: string; n: number }> = await this.dataSource.query(
      `SELECT key_id, count(*)::int AS n FROM shops.credentials GROUP BY key_id`,
    );
    return Object.fromEntries(rows.map((r) => [r.key_id, r.n]));
  }
}

/**
 * The rows of an UPDATE … RETURNING: TypeORM's Postgres driver answers `[rows, affectedCount]`
 * for UPDATE and DELETE, and the rows alone for SELECT and INSERT.
 */
function returned(result: unknown): Record<string, unknown>[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as Record<string, unknown>[];
  }
  return result as Record<string, unknown>[];
}

function toInstallation(row: Record<string, unknown>): InstallationRow {
  const scopes = (row.scopes as string) ?? '';
  return {
    shop: row.shop as string,
    status: row.status as ShopInstallationStatus,
    grantType: row.grant_type as ShopGrantType,
    scopes: scopes ? scopes.split(',') : [],
    generation: row.generation as number,
    revision: row.revision as number,
    installedAt: row.installed_at as Date,
    uninstalledAt: (row.uninstalled_at as Date | null) ?? null,
    updatedAt: row.updated_at as Date,
    lastRefreshError: (row.last_refresh_error as string | null) ?? null,
    lastRefreshErrorAt: (row.last_refresh_error_at as Date | null) ?? null,
  };
}

function toCredential(row: Record<string, unknown>): CredentialRow {
  return {
    shop: row.shop as string,
    keyId: row.key_id as string,
    accessToken: row.access_token as Buffer,
    accessTokenSha256: row.access_token_sha256 as string,
    accessTokenExpiresAt: (row.access_token_expires_at as Date | null) ?? null,
    refreshToken: (row.refresh_token as Buffer | null) ?? null,
    refreshTokenExpiresAt: (row.refresh_token_expires_at as Date | null) ?? null,
    version: row.version as number,
    refreshedAt: row.refreshed_at as Date,
  };
}
