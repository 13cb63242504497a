import { createSchemaDataSource } from '@shopwire/database';
import { createLogger, createMetricsRegistry } from '@shopwire/observability';
import { inboxPrunerProvider } from './inbox-pruning.provider';

// The wiring only: nothing connects (the first run is up to an interval away and is cancelled).
// Pruning itself runs against Postgres in libs/database/test/inbox-pruning.integration-spec.ts.
const TOKEN = Symbol('DATA_SOURCE');
const dataSource = createSchemaDataSource({
  url: 'postgres://unused@127.0.0.1:1/none',
  schema: 'spec',
  poolSize: 1,
});

function build(env: Record<string, string>) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const provider = inboxPrunerProvider(TOKEN, createLogger('spec', 'silent'));
    expect(provider.inject).toEqual([TOKEN, expect.anything()]);
    return (provider.useFactory as (...args: unknown[]) => unknown)(
      dataSource,
      createMetricsRegistry('spec'),
    ) as { onApplicationBootstrap(): void; onModuleDestroy(): Promise<void> };
  } finally {
    process.env = saved;
  }
}

describe('inboxPrunerProvider', () => {
  it('a service with a retention inside Shopify’s redelivery window does not start', () => {
    expect(() => build({ INBOX_RETENTION_HOURS: '24' })).toThrow(/INBOX_RETENTION_HOURS 24 h/);
  });

  it('starts with the app and stops before the pool closes', async () => {
    const lifecycle = build({});
    lifecycle.onApplicationBootstrap();
    await expect(lifecycle.onModuleDestroy()).resolves.toBeUndefined();
  });
});
