import { z } from '@shopwire/config';

/**
 * The development key, refused by nothing here but named so a production check can: a
 * deployment must set its own (a tombstone made under a key nobody else knows is what keeps the
 * hashes from being confirmed by guessing).
 */
export const DEV_TOMBSTONE_KEY = 'dev-only-privacy-tombstone-key-change-me-0001';

/**
 * `PRIVACY_TOMBSTONE_KEYS`: the secrets redaction tombstones are hashed with, comma-separated,
 * newest first, each at least 32 characters. Keep a retired key listed for as long as its
 * tombstones must hold (in practice: forever, or re-hash) — dropping it forgets those redactions.
 */
export const privacyEnv = {
  PRIVACY_TOMBSTONE_KEYS: z
    .string()
    .default(DEV_TOMBSTONE_KEY)
    .transform((value, ctx) => {
      const keys = value
        .split(',')
        .map((key) => key.trim())
        .filter((key) => key.length > 0);
      if (keys.length === 0 || keys.some((key) => key.length < 32)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: 'PRIVACY_TOMBSTONE_KEYS must list keys of at least 32 characters',
        });
        return z.NEVER;
      }
      return keys;
    }),
};
