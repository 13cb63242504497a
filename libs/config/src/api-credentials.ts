import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseApiTokens } from './env';
import { ConfigError } from './load-config';

/**
 * Every scope an internal API credential can carry. One per kind of data or action, so a
 * credential can be given exactly what its caller needs; `customers:read` alone unlocks personal
 * data (customer email, name, phone, addresses; data-request exports). docs/security.md lists
 * which endpoint needs which.
 */
export const API_SCOPES = [
  'orders:read',
  'customers:read',
  'privacy:read',
  'inventory:read',
  'analytics:read',
  'notifications:read',
  'catalog:read',
  'sync:read',
  'sync:write',
  'jobs:read',
  'jobs:write',
  'jobs:admin',
  'dead-letters:read',
  'ops:dead-letters',
  'deliveries:read',
  'shops:read',
  'shops:admin',
  'shops:tokens',
] as const;

export type ApiScope = (typeof API_SCOPES)[number];

/**
 * One caller of the internal APIs: the shops it may touch (`'*'` = every shop) and its scopes.
 * Only the SHA-256 of the bearer token is configured; the token itself lives with the caller.
 */
export interface ApiCredentialSpec {
  /** Who the caller is: logged, and the owner of the jobs it submits. Never secret. */
  name: string;
  tokenSha256: Buffer;
  shops: '*' | string[];
  scopes: ApiScope[];
  /** From `API_TOKENS`: a development credential with every shop and scope. */
  fromDevelopmentTokens: boolean;
}

export const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

const SHOP = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const credentialEntry = z
  .object({
    name: z.string().regex(NAME, 'name must be 1–64 letters, digits, dots, dashes or underscores'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, 'sha256 must be the 64 hex digits of the token’s SHA-256'),
    shops: z.union([
      z.literal('*'),
      z
        .array(z.string().transform((shop) => shop.trim().toLowerCase()))
        .min(1, 'shops must list at least one shop, or be "*"')
        .refine((shops) => shops.every((shop) => SHOP.test(shop)), {
          message: 'shops must be x.myshopify.com domains',
        }),
    ]),
    scopes: z.union([
      z.literal('*'),
      z.array(
        z.enum(API_SCOPES, {
          errorMap: () => ({ message: `scopes must be among ${API_SCOPES.join(', ')}` }),
        }),
      ),
    ]),
  })
  .strict();

/**
 * `API_CREDENTIALS`: a JSON array of `{name, sha256, shops, scopes}` — the SHA-256 (hex) of each
 * caller's bearer token, never the token, so the configuration is not itself a credential.
 * `shops` is `"*"` or a list of `x.myshopify.com` domains; `scopes` is `"*"` or a list of
 * `API_SCOPES`.
 */
export const apiCredentials = z
  .string()
  .optional()
  .transform((value, ctx): ApiCredentialSpec[] => {
    if (value === undefined || value.trim() === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'API_CREDENTIALS must be JSON' });
      return z.NEVER;
    }
    const entries = z.array(credentialEntry).safeParse(parsed);
    if (!entries.success) {
      for (const issue of entries.error.issues) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `API_CREDENTIALS[${issue.path.join('.')}]: ${issue.message}`,
        });
      }
      return z.NEVER;
    }
    const names = new Set<string>();
    const digests = new Set<string>();
    for (const entry of entries.data) {
      const digest = entry.sha256.toLowerCase();
      if (names.has(entry.name) || digests.has(digest)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `API_CREDENTIALS: ${entry.name} repeats a name or a token hash`,
        });
        return z.NEVER;
      }
      names.add(entry.name);
      digests.add(digest);
    }
    return entries.data.map((entry) => ({
      name: entry.name,
      tokenSha256: Buffer.from(entry.sha256, 'hex'),
      shops: entry.shops,
      scopes: entry.scopes === '*' ? [...API_SCOPES] : [...new Set(entry.scopes)],
      fromDevelopmentTokens: false,
    }));
  });

/**
 * The credentials a service accepts: `API_CREDENTIALS`, then the development fallback
 * `API_TOKENS` (each token: every shop, every scope; its digest is taken here, so no plain token
 * is kept past start-up). Refuses (ConfigError) when there is none: a service whose API nobody
 * can call is misconfigured.
 */
export function apiCredentialsOf(config: {
  API_CREDENTIALS?: ApiCredentialSpec[];
  API_TOKENS?: Map<string, string>;
}): ApiCredentialSpec[] {
  const all = combinedCredentials(config);
  if (all.length === 0) {
    throw new ConfigError([
      'API_CREDENTIALS: set API_CREDENTIALS (hashed, scoped) or, in development, API_TOKENS',
    ]);
  }
  return all;
}

/**
 * The refusal of `apiCredentialsOf` as a schema refinement, for a service with internal API
 * routes: `z.object({ ...apiAccessEnv, … }).superRefine(requireApiCaller)`. Checked while the
 * configuration loads, so it exits 78 naming API_CREDENTIALS like every other configuration
 * problem, instead of failing once Nest is already starting.
 */
export function requireApiCaller(
  config: { API_CREDENTIALS?: ApiCredentialSpec[]; API_TOKENS?: Map<string, string> },
  ctx: z.RefinementCtx,
): void {
  if (combinedCredentials(config).length === 0)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['API_CREDENTIALS'],
      message: 'set API_CREDENTIALS (hashed, scoped) or, in development, API_TOKENS',
    });
}

/** `apiCredentialsOf` without the refusal: for a service with public routes only (gateway). */
export function combinedCredentials(config: {
  API_CREDENTIALS?: ApiCredentialSpec[];
  API_TOKENS?: Map<string, string>;
}): ApiCredentialSpec[] {
  const fromTokens = [...(config.API_TOKENS ?? new Map<string, string>())].map(
    ([token, name]): ApiCredentialSpec => ({
      name,
      tokenSha256: sha256(token),
      shops: '*',
      scopes: [...API_SCOPES],
      fromDevelopmentTokens: true,
    }),
  );
  return [...(config.API_CREDENTIALS ?? []), ...fromTokens];
}

/**
 * What Shopwire's services read for their internal APIs: hashed, scoped `API_CREDENTIALS`, and
 * `API_TOKENS` as the development fallback (every shop, every scope). At least one must be set;
 * `apiCredentialsOf` refuses to start without either.
 */
export const apiAccessEnv = {
  API_CREDENTIALS: apiCredentials,
  API_TOKENS: z
    .string()
    .optional()
    .transform((value, ctx): Map<string, string> =>
      value === undefined || value.trim() === '' ? new Map() : parseApiTokens(value, ctx),
    ),
};
