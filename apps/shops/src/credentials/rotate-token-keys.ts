// `npm run ops -- rotate-token-keys [--batch N]` runs this file as its own process (scripts never
// import apps): re-seals every stored token under the first key of SHOPS_TOKEN_KEYS.
import { databaseEnv, loadConfigOrExit, positiveInt, z } from '@shopwire/config';
import type { DataSource } from 'typeorm';
import { createShopsDataSource } from '../database/shops-data-source';
import { CredentialsRepository } from './credentials.repository';
import { KeyRingError, parseKeyRing } from './key-ring';
import { rotateTokenKeys } from './key-rotation';
import { TokenVault } from './token-vault';

const rotationConfig = z.object({
  ...databaseEnv,
  SHOPS_TOKEN_KEYS: z
    .string({ required_error: 'SHOPS_TOKEN_KEYS is required (kid:base64-32-bytes,…)' })
    .transform((value, ctx) => {
      try {
        return parseKeyRing(value);
      } catch (error) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: error instanceof KeyRingError ? error.message : 'SHOPS_TOKEN_KEYS is invalid',
        });
        return z.NEVER;
      }
    }),
  ROTATION_BATCH: positiveInt(100),
});

function batchFromArgs(argv: string[], fallback: number): number {
  const at = argv.indexOf('--batch');
  if (at === -1) return fallback;
  const value = Number(argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error('--batch needs a positive integer');
  return value;
}

async function main(): Promise<number> {
  const config = loadConfigOrExit(rotationConfig, 'shops-rotate-token-keys');
  const batchSize = batchFromArgs(process.argv.slice(2), config.ROTATION_BATCH);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const dataSource: DataSource = createShopsDataSource({ url: config.DATABASE_URL, poolSize: 2 });
  await dataSource.initialize();
  try {
    const vault = new TokenVault(config.SHOPS_TOKEN_KEYS);
    out(`re-sealing credentials under key "${vault.activeKeyId}" in batches of ${batchSize}`);
    const result = await rotateTokenKeys(dataSource, new CredentialsRepository(dataSource), vault, {
      batchSize,
      onProgress: (p) => out(`  re-sealed ${p.rotated} (failed ${p.failed}), up to ${p.lastShop}`),
    });
    out(
      `done: re-sealed ${result.rotated}, failed ${result.failed}; rows per key now ${JSON.stringify(result.byKey)}`,
    );
    const others = Object.keys(result.byKey).filter((id) => id !== result.activeKeyId);
    if (others.length === 0) {
      out('every row is under the active key: older keys can be removed from SHOPS_TOKEN_KEYS');
      return 0;
    }
    out(
      `rows still under ${others.join(', ')}: keep those keys (failed rows name a key no longer listed, or were tampered with)`,
    );
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `rotate-token-keys failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
