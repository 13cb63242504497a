import { randomUUID } from 'node:crypto';
import { attackCredentials, attackRoutes, freePort } from '@shopwire/testing';
import { resetSchema, startApp, uniqueShop, type RunningApp } from './inventory-harness';

// The inventory service attacked over HTTP on every route it declares (read from its
// controllers at runtime), with real Kafka and Postgres behind it.
const victim = uniqueShop();
const credentials = attackCredentials(uniqueShop());
let app: RunningApp;
let baseUrl: string;

beforeAll(async () => {
  await resetSchema();
  app = await startApp(`inventory-access-${randomUUID()}`, { API_CREDENTIALS: credentials.env });
  const port = await freePort();
  await app.app.listen(port, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${port}`;
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
    resourceCheckedElsewhere: {
      'GET /dead-letters/:id': 'libs/dead-letters/test/dead-letters.integration-spec.ts',
    },
  });
  expect(report.routes.length).toBeGreaterThan(5);
  expect(report.failures).toEqual([]);
}, 120_000);
