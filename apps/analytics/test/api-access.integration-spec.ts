import { randomUUID } from 'node:crypto';
import { attackCredentials, attackRoutes, freePort } from '@shopwire/testing';
import { resetSchema, startApp, uniqueShop, type RunningApp } from './analytics-harness';

// The analytics service attacked over HTTP on every route it declares (read from its controllers
// at runtime): sales, jobs and dead letters, with real Kafka and Postgres behind it. Jobs belong
// to the credential that submitted them.
const victim = uniqueShop();
const attacker = uniqueShop();
const credentials = attackCredentials(attacker, [
  { name: 'victim-colleague', shops: [victim], scopes: ['jobs:read', 'jobs:write'] },
  { name: 'victim-admin', shops: [victim], scopes: ['jobs:read', 'jobs:admin'] },
  { name: 'attacker-admin', shops: [attacker], scopes: ['jobs:read', 'jobs:admin'] },
]);
let app: RunningApp;
let baseUrl: string;
let jobId: string;

async function call(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
  await resetSchema();
  app = await startApp(`analytics-access-${randomUUID()}`, { API_CREDENTIALS: credentials.env });
  const port = await freePort();
  await app.app.listen(port, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${port}`;
  const submitted = await call('POST', '/jobs', credentials.full, {
    type: 'sales-report',
    params: { shop: victim, from: '2026-10-01', to: '2026-10-30', format: 'csv' },
  });
  expect(submitted.status).toBe(202);
  jobId = (JSON.parse(submitted.text) as { id: string }).id;
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
  expect(report.routes.length).toBeGreaterThan(8);
  expect(report.failures).toEqual([]);
}, 120_000);

it('shows and cancels a job only for its submitter, or jobs:admin over its shop', async () => {
  const own = await call('POST', '/jobs', credentials.full, {
    type: 'sales-report',
    params: { shop: victim, from: '2026-11-01', to: '2026-11-30', format: 'json' },
  });
  const id = (JSON.parse(own.text) as { id: string }).id;
  const colleague = credentials.token('victim-colleague');
  expect((await call('GET', `/jobs/${id}`, colleague)).status).toBe(403);
  expect((await call('GET', `/jobs/${id}/result`, colleague)).status).toBe(403);
  expect((await call('DELETE', `/jobs/${id}`, colleague)).status).toBe(403);
  expect((await call('GET', '/jobs', colleague)).text).not.toContain(id);
  expect((await call('GET', `/jobs/${id}`, credentials.token('attacker-admin'))).status).toBe(403);
  expect((await call('GET', '/jobs', credentials.token('attacker-admin'))).text).not.toContain(id);

  const admin = credentials.token('victim-admin');
  expect((await call('GET', `/jobs/${id}`, admin)).status).toBe(200);
  expect((await call('GET', '/jobs', admin)).text).toContain(id);

  // The colleague's own job is theirs to see and cancel.
  const mine = await call('POST', '/jobs', colleague, {
    type: 'sales-report',
    params: { shop: victim, from: '2026-09-01', to: '2026-09-30', format: 'csv' },
  });
  expect(mine.status).toBe(202);
  const mineId = (JSON.parse(mine.text) as { id: string }).id;
  expect((await call('GET', `/jobs/${mineId}`, colleague)).status).toBe(200);
  expect([200, 202, 409]).toContain((await call('DELETE', `/jobs/${mineId}`, colleague)).status);
  // Submitting for a shop outside the credential is refused before anything is stored.
  const foreign = await call('POST', '/jobs', colleague, {
    type: 'sales-report',
    params: { shop: attacker, from: '2026-09-01', to: '2026-09-30', format: 'csv' },
  });
  expect(foreign.status).toBe(403);
});
