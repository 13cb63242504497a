import { attackCredentials, attackRoutes, uniqueShop } from '@shopwire/testing';
import { startGateway, type RunningGateway } from './gateway-harness';

// The gateway has no API: every route it serves is public by design (the HMAC-checked webhook
// endpoint and the probes). Read from its controllers at runtime, so a route added without an
// access declaration — or a new public one — fails here.
let gateway: RunningGateway;

beforeAll(async () => {
  gateway = await startGateway();
}, 60_000);

afterAll(async () => {
  await gateway?.close();
});

it('serves only the webhook endpoint and the probes without a credential, nothing else', async () => {
  const report = await attackRoutes({
    app: gateway.app,
    baseUrl: gateway.url,
    victimShop: uniqueShop(),
    credentials: attackCredentials(uniqueShop()),
    expectedPublic: [
      'POST /webhooks/shopify',
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
    ],
  });
  expect(report.routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
    ['GET /health/live', 'GET /health/ready', 'GET /metrics', 'POST /webhooks/shopify'].sort(),
  );
  expect(report.failures).toEqual([]);
});
