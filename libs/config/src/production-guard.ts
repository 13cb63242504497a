import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Production mode: `SHOPWIRE_ENV=production` (the Kubernetes prod overlay sets it) makes every
 * Shopwire process refuse to start on configuration that is fine on a laptop and dangerous in
 * production — a development placeholder, a short secret, a loopback address for a system outside
 * the cluster, a development-only fallback, Kafka durability below what an acknowledged webhook
 * needs. Each refusal names the variable and why, never its value. docs/security.md ("Production
 * guards") lists every rule.
 */

export const SHOPWIRE_ENVIRONMENTS = ['development', 'production'] as const;
export type ShopwireEnvironment = (typeof SHOPWIRE_ENVIRONMENTS)[number];

/** Thrown for an unknown SHOPWIRE_ENV: a typo (`prod`) must not quietly mean development. */
export function shopwireEnvironment(
  env: Record<string, string | undefined>,
): ShopwireEnvironment | { problem: string } {
  const value = env.SHOPWIRE_ENV?.trim();
  if (value === undefined || value === '') return 'development';
  return (SHOPWIRE_ENVIRONMENTS as readonly string[]).includes(value)
    ? (value as ShopwireEnvironment)
    : { problem: `SHOPWIRE_ENV: must be development or production` };
}

/** What a variable must be in production. */
export type ProductionRule =
  /**
   * A secret: no placeholder, at least 32 bytes. `csv`: a comma-separated list of secrets;
   * `pairs`: `label:secret` pairs (the label is not secret). `optional`: unset is allowed.
   */
  | { kind: 'secret'; format?: 'single' | 'csv' | 'pairs'; optional?: boolean }
  /**
   * The URL of a system outside the cluster (Shopify, the ERP, the SMTP relay, the public URL
   * Shopify calls back): not loopback, not the simulator. `optional`: unset is allowed.
   */
  | { kind: 'external-url'; optional?: boolean }
  /** Must be set when the schema has a default: the default only suits a developer's machine. */
  | { kind: 'explicit' }
  /** Must not be set in production. */
  | { kind: 'forbidden'; why: string }
  /** A number (its default counts when unset) of at least `min`; `unset` says what unset means. */
  | { kind: 'at-least'; min: number; why: string; unset?: string };

export type ProductionRules = Readonly<Record<string, ProductionRule>>;

export const MIN_SECRET_BYTES = 32;

/**
 * Fragments of the values the repository ships for development, the demo and the simulator
 * (docker-compose.yml, scripts/demo.sh, k8s/secrets.example, libs/privacy's development key).
 * Matched case-insensitively anywhere in a value, so a placeholder inside a URL's password is
 * caught too.
 */
export const PLACEHOLDER_MARKERS = [
  'dev-only',
  'change-me',
  'changeme',
  'shopwire-dev-client',
  'sim-test-',
  'sim-sample-',
] as const;

/** Hosts the development tools run under; never an external system in production. */
const SIMULATOR_HOSTS = new Set(['shopify-sim']);

/**
 * Rules for variables several services share; a service adds its own. A rule applies when the
 * service's schema declares the variable (or, for `forbidden`, when the variable is set).
 */
export const SHARED_PRODUCTION_RULES: ProductionRules = {
  // Loopback is allowed for these: a sidecar proxy (Cloud SQL Auth Proxy, a Kafka or Redis proxy)
  // is a real production setup. Their defaults, however, are a developer's local instances.
  KAFKA_BROKERS: { kind: 'explicit' },
  DATABASE_URL: { kind: 'explicit' },
  REDIS_URL: { kind: 'explicit' },
  KAFKA_SASL_PASSWORD: { kind: 'secret', optional: true },
  PRIVACY_TOMBSTONE_KEYS: { kind: 'secret', format: 'csv' },
  JOBS_CALLBACK_SECRET: { kind: 'secret', optional: true },
};

/**
 * Plain API tokens are the development fallback once hashed, scoped API_CREDENTIALS exist; where
 * a schema has only API_TOKENS they are the credentials and are held to the secret rule.
 */
const API_TOKENS_FALLBACK: ProductionRule = {
  kind: 'forbidden',
  why: 'plain bearer tokens with every shop and scope are for development; use API_CREDENTIALS (hashed, scoped)',
};
const API_TOKENS_SECRET: ProductionRule = { kind: 'secret', format: 'pairs' };

/**
 * The problems of `env` under production rules, one line per variable (`NAME: why`). `schema`
 * gives the declared variables (for the placeholder scan and the rules' scope) and their defaults
 * (a default counts as the value when the variable is unset).
 */
export function productionProblems(
  schema: z.ZodTypeAny,
  env: Record<string, string | undefined>,
  rules: ProductionRules = {},
): string[] {
  const shape = objectShape(schema);
  const declared = new Set(Object.keys(shape));
  const all: Record<string, ProductionRule> = {};
  for (const [name, rule] of Object.entries(SHARED_PRODUCTION_RULES))
    if (declared.has(name)) all[name] = rule;
  if (declared.has('API_TOKENS'))
    all.API_TOKENS = declared.has('API_CREDENTIALS') ? API_TOKENS_FALLBACK : API_TOKENS_SECRET;
  Object.assign(all, rules);

  const problems = new Map<string, string[]>();
  const refuse = (name: string, why: string) => {
    const list = problems.get(name) ?? [];
    if (!list.includes(why)) list.push(why);
    problems.set(name, list);
  };
  const valueOf = (name: string): string | undefined => {
    const set = env[name];
    if (set !== undefined && set.trim() !== '') return set;
    const fallback = shape[name] ? defaultOf(shape[name]) : undefined;
    return fallback === undefined ? undefined : String(fallback);
  };

  for (const name of declared) {
    const value = valueOf(name);
    if (value !== undefined && holdsPlaceholder(value))
      refuse(name, 'holds a development placeholder');
  }

  for (const [name, rule] of Object.entries(all)) {
    const isSet = env[name] !== undefined && env[name]!.trim() !== '';
    const value = valueOf(name);
    switch (rule.kind) {
      case 'explicit':
        // Without a default, whether it may be unset is the schema's business.
        if (!isSet && value !== undefined)
          refuse(name, 'must be set; its default is a development instance');
        break;
      case 'forbidden':
        if (isSet) refuse(name, `must not be set: ${rule.why}`);
        break;
      case 'secret':
        if (value === undefined) {
          if (!rule.optional) refuse(name, 'must be set');
          break;
        }
        for (const why of secretProblems(value, rule.format ?? 'single')) refuse(name, why);
        break;
      case 'external-url':
        if (value === undefined) {
          if (!rule.optional) refuse(name, 'must be set');
          break;
        }
        for (const why of externalUrlProblems(value)) refuse(name, why);
        break;
      case 'at-least': {
        const number = value === undefined ? undefined : Number(value);
        if (number === undefined)
          refuse(
            name,
            `must be at least ${rule.min}${rule.unset ? ` (unset: ${rule.unset})` : ''}: ${rule.why}`,
          );
        else if (!(number >= rule.min)) refuse(name, `must be at least ${rule.min}: ${rule.why}`);
        break;
      }
    }
  }
  return [...problems].map(
    ([name, whys]) => `${name}: ${whys.join('; ')} (SHOPWIRE_ENV=production)`,
  );
}

function holdsPlaceholder(value: string): boolean {
  const lower = value.toLowerCase();
  return PLACEHOLDER_MARKERS.some((marker) => lower.includes(marker));
}

function secretProblems(value: string, format: 'single' | 'csv' | 'pairs'): string[] {
  const entries = (format === 'single' ? [value] : value.split(','))
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      if (format !== 'pairs') return entry;
      const colon = entry.indexOf(':');
      return colon > 0 ? entry.slice(colon + 1) : entry;
    });
  const problems: string[] = [];
  if (entries.some((secret) => Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES))
    problems.push(`a secret is shorter than ${MIN_SECRET_BYTES} bytes`);
  // Keys written as base64 (SHOPS_TOKEN_KEYS) can spell a placeholder once decoded.
  if (entries.some((secret) => holdsPlaceholder(secret) || holdsPlaceholder(fromBase64(secret))))
    problems.push('holds a development placeholder');
  return problems;
}

function fromBase64(value: string): string {
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)
    ? Buffer.from(value, 'base64').toString('latin1')
    : '';
}

function externalUrlProblems(value: string): string[] {
  // Templates (`https://{shop}/admin/api/{version}`) are checked with their placeholders filled.
  const filled = value
    .replace(/\{shop\}/g, 'shop.myshopify.com')
    .replace(/\{version\}/g, '2026-01');
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    return ['is not a URL'];
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopbackHost(host))
    return [
      'points at this machine (localhost or loopback), but names a system outside the cluster',
    ];
  if (
    SIMULATOR_HOSTS.has(host) ||
    url.pathname.startsWith('/sim/') ||
    url.pathname.includes('/sim/')
  )
    return ['points at the Shopify simulator'];
  return [];
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '0.0.0.0' || host === '::' || host === '::1') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  return mapped !== null && mapped[1].startsWith('127.');
}

/** The object schema under refinements (`superRefine`, `transform`) of a config schema. */
function objectShape(schema: z.ZodTypeAny): Record<string, z.ZodTypeAny> {
  let current: z.ZodTypeAny = schema;
  while (current instanceof z.ZodEffects) current = current.innerType();
  return current instanceof z.ZodObject ? (current.shape as Record<string, z.ZodTypeAny>) : {};
}

/** A field's default (before its transforms), or undefined when it has none. */
function defaultOf(field: z.ZodTypeAny): unknown {
  let current: z.ZodTypeAny | undefined = field;
  while (current) {
    if (current instanceof z.ZodDefault)
      return (current._def as { defaultValue: () => unknown }).defaultValue();
    if (current instanceof z.ZodEffects) current = current.innerType();
    else if (current instanceof z.ZodOptional || current instanceof z.ZodNullable)
      current = current.unwrap();
    else return undefined;
  }
  return undefined;
}
