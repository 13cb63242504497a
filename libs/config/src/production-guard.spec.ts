import { z } from 'zod';
import { booleanFlag, csv, databaseEnv, positiveInt } from './env';
import { ConfigError, loadConfig } from './load-config';
import { isLoopbackHost, productionProblems, type ProductionRules } from './production-guard';

const STRONG = 'Vq3x8wQm2LpZ7rT1yN4kB6sD9fG0hJ5c'; // 32 bytes, no marker
const STRONG_2 = 'Xr7Tq1Wm9Lp3Zs5Vn8Kb2Dh4Fg6Jy0Ca';

// A schema in the shape of the services': shared fragments, defaults for development, a
// refinement on top (as sync's has).
const schema = z
  .object({
    KAFKA_BROKERS: csv('KAFKA_BROKERS').default('127.0.0.1:9092'),
    ...databaseEnv,
    API_TOKENS: z.string().optional(),
    SHOPIFY_WEBHOOK_SECRETS: csv('SHOPIFY_WEBHOOK_SECRETS'),
    PRIVACY_TOMBSTONE_KEYS: z.string().default('dev-only-privacy-tombstone-key-change-me-0001'),
    ERP_URL: z.string().url().default('http://127.0.0.1:3100/sim/erp/orders'),
    SHOPIFY_ADMIN_URL: z.string().optional(),
    SHOPS_URL: z.string().url().optional(),
    SHOPS_TOKEN_KEYS: z.string().optional(),
    SHOPIFY_ACCESS_TOKEN: z.string().optional(),
    KAFKA_REPLICATION_FACTOR: positiveInt(1),
    RUN_MIGRATIONS: booleanFlag(false),
  })
  .superRefine(() => undefined);

const rules: ProductionRules = {
  SHOPIFY_WEBHOOK_SECRETS: { kind: 'secret', format: 'csv' },
  ERP_URL: { kind: 'external-url' },
  SHOPIFY_ADMIN_URL: { kind: 'external-url', optional: true },
  SHOPS_TOKEN_KEYS: { kind: 'secret', format: 'pairs', optional: true },
  SHOPIFY_ACCESS_TOKEN: { kind: 'forbidden', why: 'tokens come from the shops service' },
  KAFKA_REPLICATION_FACTOR: { kind: 'at-least', min: 3, why: 'survive a broker loss' },
};

/** What a production deployment sets: every rule satisfied. */
const good = {
  SHOPWIRE_ENV: 'production',
  KAFKA_BROKERS: 'kafka-0.kafka:9092,kafka-1.kafka:9092',
  DATABASE_URL: 'postgres://shopwire:s3cret-from-the-vault@127.0.0.1:5432/shopwire', // a sidecar proxy
  API_TOKENS: `ops:${STRONG}`,
  SHOPIFY_WEBHOOK_SECRETS: `${STRONG},${STRONG_2}`,
  PRIVACY_TOMBSTONE_KEYS: STRONG_2,
  ERP_URL: 'https://erp.example.com/shopwire/orders',
  SHOPIFY_ADMIN_URL: 'https://{shop}/admin/api/{version}',
  SHOPS_URL: 'http://127.0.0.1:3006', // internal: loopback allowed
  SHOPS_TOKEN_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  KAFKA_REPLICATION_FACTOR: '3',
};

/** The problems by variable name, for assertions that do not depend on the wording. */
const refused = (env: Record<string, string | undefined>, extra: ProductionRules = rules) =>
  productionProblems(schema, env, extra).map((problem) => problem.slice(0, problem.indexOf(':')));

describe('production guard', () => {
  it('passes a production configuration', () => {
    expect(productionProblems(schema, good, rules)).toEqual([]);
    expect(() => loadConfig(schema, good, { production: rules })).not.toThrow();
  });

  it('checks nothing in development (the default) — the same values start there', () => {
    const devEnv = { SHOPIFY_WEBHOOK_SECRETS: 'dev-only-shopify-webhook-secret' };
    expect(() => loadConfig(schema, devEnv, { production: rules })).not.toThrow();
    expect(() =>
      loadConfig(schema, { ...devEnv, SHOPWIRE_ENV: 'development' }, { production: rules }),
    ).not.toThrow();
  });

  it('refuses an unknown SHOPWIRE_ENV rather than treating it as development', () => {
    expect(() => loadConfig(schema, { ...good, SHOPWIRE_ENV: 'prod' })).toThrow(/SHOPWIRE_ENV/);
  });

  it.each([
    ['dev-only-shopify-webhook-secret-0000000000'],
    ['change-me-shopify-client-secret-00000000000'],
    ['CHANGEME-a-random-string-of-32-or-more-chars'],
    ['shopwire-dev-client-secret-0123456789abcdef'],
  ])('refuses the placeholder %s', (secret) => {
    expect(refused({ ...good, SHOPIFY_WEBHOOK_SECRETS: `${STRONG},${secret}` })).toEqual([
      'SHOPIFY_WEBHOOK_SECRETS',
    ]);
  });

  it('finds a placeholder in any declared variable, even inside a URL or a default', () => {
    expect(
      refused({ ...good, DATABASE_URL: 'postgres://shopwire:change-me@db.internal:5432/shopwire' }),
    ).toEqual(['DATABASE_URL']);
    // Unset: the default is the development key.
    expect(refused({ ...good, PRIVACY_TOMBSTONE_KEYS: undefined })).toEqual([
      'PRIVACY_TOMBSTONE_KEYS',
    ]);
    // Base64 that decodes to a placeholder (k8s/secrets.example's token key).
    expect(
      refused({ ...good, SHOPS_TOKEN_KEYS: 'k1:Y2hhbmdlLW1lLWNoYW5nZS1tZS1jaGFuZ2UtbWUtMzI=' }),
    ).toEqual(['SHOPS_TOKEN_KEYS']);
  });

  it('refuses a secret shorter than 32 bytes, in a list or behind a label', () => {
    const short = 'x'.repeat(31);
    expect(refused({ ...good, SHOPIFY_WEBHOOK_SECRETS: `${STRONG},${short}` })).toEqual([
      'SHOPIFY_WEBHOOK_SECRETS',
    ]);
    expect(refused({ ...good, SHOPS_TOKEN_KEYS: `k1:${short}` })).toEqual(['SHOPS_TOKEN_KEYS']);
    expect(refused({ ...good, API_TOKENS: `ops:${'t'.repeat(16)}` })).toEqual(['API_TOKENS']);
  });

  it.each([
    ['http://localhost:8080/orders'],
    ['http://127.0.0.1:3100/erp'],
    ['http://127.8.9.10/erp'],
    ['http://[::1]:8080/erp'],
    ['http://0.0.0.0/erp'],
    ['http://erp.localhost/orders'],
    ['http://shopify-sim:3100/sim/erp/orders'],
    ['https://erp.example.com/sim/erp/orders'],
    ['not a url'],
  ])('refuses %s for an external system', (url) => {
    expect(refused({ ...good, ERP_URL: url })).toEqual(['ERP_URL']);
  });

  it('refuses a loopback default of an external system, and a loopback template', () => {
    expect(refused({ ...good, ERP_URL: undefined })).toEqual(['ERP_URL']);
    expect(
      refused({
        ...good,
        SHOPIFY_ADMIN_URL: 'http://127.0.0.1:3100/shops/{shop}/admin/api/{version}',
      }),
    ).toEqual(['SHOPIFY_ADMIN_URL']);
    expect(refused({ ...good, SHOPIFY_ADMIN_URL: undefined })).toEqual([]);
  });

  it('requires infrastructure addresses to be set rather than defaulted', () => {
    expect(refused({ ...good, KAFKA_BROKERS: undefined, DATABASE_URL: '' }).sort()).toEqual([
      'DATABASE_URL',
      'KAFKA_BROKERS',
    ]);
  });

  it('refuses a development fallback that is set', () => {
    expect(refused({ ...good, SHOPIFY_ACCESS_TOKEN: STRONG })).toEqual(['SHOPIFY_ACCESS_TOKEN']);
  });

  it('refuses plain API_TOKENS where hashed API_CREDENTIALS exist', () => {
    const withCredentials = z.object({
      API_CREDENTIALS: z.string().optional(),
      API_TOKENS: z.string().optional(),
    });
    const problems = productionProblems(withCredentials, { API_TOKENS: `ops:${STRONG}` });
    expect(problems).toEqual([
      expect.stringMatching(/^API_TOKENS: must not be set: .*API_CREDENTIALS/),
    ]);
    expect(productionProblems(withCredentials, { API_CREDENTIALS: '[]' })).toEqual([]);
  });

  it('holds numbers to their minimum, defaults included', () => {
    expect(refused({ ...good, KAFKA_REPLICATION_FACTOR: '2' })).toEqual([
      'KAFKA_REPLICATION_FACTOR',
    ]);
    expect(refused({ ...good, KAFKA_REPLICATION_FACTOR: undefined })).toEqual([
      'KAFKA_REPLICATION_FACTOR',
    ]);
    const unsetMeans = productionProblems(
      z.object({}),
      {},
      {
        KAFKA_MIN_INSYNC_REPLICAS: {
          kind: 'at-least',
          min: 2,
          why: 'w',
          unset: "the broker's default",
        },
      },
    );
    expect(unsetMeans).toEqual([
      expect.stringMatching(/^KAFKA_MIN_INSYNC_REPLICAS: .*broker's default/),
    ]);
  });

  it('reports every refusal at once through loadConfig, naming variables and never values', () => {
    const bad = {
      ...good,
      SHOPIFY_WEBHOOK_SECRETS: 'dev-only-shopify-webhook-secret',
      ERP_URL: 'http://localhost:9999/secret-path-xyz',
      SHOPIFY_ACCESS_TOKEN: 'shpat_leaked_token_value_0123456789',
    };
    let error: ConfigError | undefined;
    try {
      loadConfig(schema, bad, { production: rules });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.slice(0, p.indexOf(':'))).sort()).toEqual([
      'ERP_URL',
      'SHOPIFY_ACCESS_TOKEN',
      'SHOPIFY_WEBHOOK_SECRETS',
    ]);
    for (const value of Object.values(bad).filter((v) => v.length > 12 && v !== 'production'))
      expect(error!.message).not.toContain(value);
    expect(error!.message).not.toContain('secret-path-xyz');
    expect(error!.message).not.toContain('shpat_leaked');
  });

  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['erp.example.com', false],
    ['localhost.example.com', false],
  ])('isLoopbackHost(%s) is %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
