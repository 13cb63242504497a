import { z } from 'zod';

/** Building blocks for app config schemas, so every app reads shared variables the same way. */

/** A comma-separated list, trimmed, empty entries dropped. */
export const csv = (description: string) =>
  z
    .string({ required_error: `${description} is required` })
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    )
    .refine((items) => items.length > 0, `${description} must list at least one value`);

export const port = (fallback: number) =>
  z.coerce.number().int().min(1).max(65535).default(fallback);

export const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);

export const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

export const databaseEnv = {
  DATABASE_URL: z
    .string()
    .url('DATABASE_URL must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/test'),
  DATABASE_POOL_SIZE: positiveInt(10),
};

export const logEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** Parses `name:token` pairs (tokens of at least 16 characters) into token → name. */
export function parseApiTokens(value: string, ctx: z.RefinementCtx): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const pair of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const colon = pair.indexOf(':');
    const name = colon > 0 ? pair.slice(0, colon) : '';
    const token = colon > 0 ? pair.slice(colon + 1) : '';
    if (!name || token.length < 16) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'API_TOKENS entries must be name:token with a token of at least 16 characters',
      });
      return z.NEVER;
    }
    tokens.set(token, name);
  }
  if (tokens.size === 0) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'API_TOKENS lists no token' });
    return z.NEVER;
  }
  return tokens;
}

/**
 * `API_TOKENS`: bearer tokens as `name:token` pairs separated by commas, each allowed
 * everything. Required here for the simulator's own API; Shopwire's services read `apiAccessEnv`
 * (api-credentials.ts), where it is the development fallback beside hashed, scoped
 * `API_CREDENTIALS`. The name appears in logs; the token never does.
 */
export const apiTokensEnv = {
  API_TOKENS: z
    .string({ required_error: 'API_TOKENS is required (name:token pairs, comma-separated)' })
    .transform(parseApiTokens),
};
