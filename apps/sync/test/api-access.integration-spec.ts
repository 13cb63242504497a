import { randomUUID } from 'node:crypto';
import { attackCredentials, attackRoutes, freePort } from '@shopwire/testing';
import { resetSchema, startApp, uniqueShop, type RunningApp } from './sync-harness';

// The sync service attacked over HTTP on every route it declares (read from its controllers at
// runtime): ERP sync status, catalog, jobs and dead letters, with real Kafka, Postgres and Redis
// behind it. Every outbound URL (Admin API, ERP) is a closed loopback port.
const victim = uniqueShop();
const credentials = attackCredentials(uniqueShop());
let app: RunningApp;
let baseUrl: string;
let jobId: string;

beforeAll(async () => {
  await resetSchema();
  const closed = await freePort();
  app = await startApp(`sync-access-${randomUUID()}`, {
    API_CREDENTIALS: credentials.env,
    SHOPIFY_ADMIN_URL: `http://127.0.0.1:${closed}/shops/{shop}/admin/api/{version}`,
    ERP_URL: `http://127.0.0.1:${closed}/erp/orders`,
    INVENTORY_API_URL: `http://127.0.0.1:${closed}`,
    CACHE_KEY_PREFIX: `shopwire:test:${randomUUID().slice(0, 8)}`,
    SCHEDULE_ENABLED: 'false',
  });
  const port = await freePort();
  await app.app.listen(port, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${port}`;
  const submitted = await fetch(`${baseUrl}/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credentials.full}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'order-backfill',
      params: { shop: victim, since: '2026-11-01T00:00:00Z' },
    }),
  });
  expect(submitted.status).toBe(202);
  jobId = ((await submitted.json()) as { id: string }).id;
}, 120_000);

afterAll(async () => {
  await app?.close();
});

it('refuses every declared route without a token, without its scope and for another shop', async () => {
  const report = await attackRoutes({
    app: app.app,
    baseUrl,
    victimShop: victim,
    credentials,
    expectedPublic: ['GET /health/live', 'GET /health/ready', 'GET /metrics'],
    params: { id: jobId },
    resourceCheckedElsewhere: {
      'GET /dead-letters/:id': 'libs/dead-letters/test/dead-letters.integration-spec.ts',
    },
  });
  expect(report.routes.length).toBeGreaterThan(15);
  expect(report.failures).toEqual([]);
}, 180_000);
