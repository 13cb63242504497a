import { createHttpApp } from '@shopwire/http';
import { createLogger, NestPinoLogger } from '@shopwire/observability';
import { attackCredentials, attackRoutes, freePort, uniqueShop } from '@shopwire/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { AppModule } from '../src/app.module';
import { configureShopsFastify } from '../src/install/auth-rate-limit';
import { coreDatabase, newKey, testConfig } from './core-harness';

// The shops service attacked over HTTP on every route it declares (read from its controllers at
// runtime): the token API, installations, operator installs and webhook subscriptions, with real
// Postgres, Redis and Kafka behind it. Shopify is a closed loopback port: nothing leaves.
const victim = uniqueShop();
const attacker = uniqueShop();
const credentials = attackCredentials(attacker);
let app: NestFastifyApplication;
let baseUrl: string;
let db: Pool;

beforeAll(async () => {
  const databaseUrl = await coreDatabase('api_access');
  db = new Pool({ connectionString: databaseUrl, max: 1 });
  // Installations of both shops, as an install would leave them (no token needed here).
  for (const shop of [victim, attacker]) {
    await db.query(
      `INSERT INTO shops.installations (shop, status, grant_type, scopes) VALUES ($1, 'installed', 'legacy', 'read_orders')`,
      [shop],
    );
  }
  const config = testConfig({
    DATABASE_URL: databaseUrl,
    API_CREDENTIALS: credentials.env,
    SHOPS_TOKEN_KEYS: `k1:${newKey()}`,
    SHOPIFY_SHOP_URL: `http://127.0.0.1:${await freePort()}/shops/{shop}`,
    SHOPS_CONSUMER_GROUP: `shops-access-${randomUUID()}`,
    SUBSCRIPTIONS_CONSUMER_GROUP: `shops-access-subs-${randomUUID()}`,
    LOG_LEVEL: 'warn',
    SHOPS_AUTH_RATE_LIMIT: '5',
    SHOPS_AUTH_RATE_WINDOW_SECONDS: '600',
  });
  const logger = createLogger('shops-access-test', process.env.TEST_LOG_LEVEL ?? 'warn');
  app = await createHttpApp(AppModule.register(config, logger), {
    title: 'shops (test)',
    description: 'test',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
    configureFastify: (adapter) => configureShopsFastify(adapter, config),
  });
  const port = await freePort();
  await app.listen(port, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.end();
});

it('refuses every declared route without a token, without its scope and for another shop', async () => {
  const report = await attackRoutes({
    app,
    baseUrl,
    victimShop: victim,
    credentials,
    // The install flow faces the internet by design (Shopify's signed requests and the OAuth
    // state cookie protect it); everything else needs a credential.
    expectedPublic: [
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
      'GET /auth/install',
      'GET /auth/callback',
      'POST /auth/token-exchange',
    ],
    bodies: {
      'POST /internal/shops/:shop/access-token/refresh': { rejectedTokenSha256: 'a'.repeat(64) },
    },
  });
  expect(report.routes.length).toBeGreaterThan(8);
  expect(report.failures).toEqual([]);
}, 120_000);

it('lists only the installations of the credential’s shops', async () => {
  const answer = await fetch(`${baseUrl}/shops`, {
    headers: { authorization: `Bearer ${credentials.otherShop}` },
  });
  const text = await answer.text();
  expect(answer.status).toBe(200);
  expect(text).toContain(attacker);
  expect(text).not.toContain(victim);
});

it('limits the public install routes per client address, and nothing else', async () => {
  const install = (client: string) =>
    fetch(`${baseUrl}/auth/install?shop=${victim}`, {
      redirect: 'manual',
      headers: { 'x-forwarded-for': `203.0.113.9, ${client}` },
    });
  // The attack suite above spent none of these clients' allowance (it came from no proxy).
  const statuses: number[] = [];
  for (let i = 0; i < 7; i += 1) statuses.push((await install('198.51.100.7')).status);
  expect(statuses.slice(0, 5)).toEqual([302, 302, 302, 302, 302]);
  expect(statuses.slice(5)).toEqual([429, 429]);
  const refused = await install('198.51.100.7');
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  // Another client, and a forged hop before the proxy's own, are counted apart.
  expect((await install('198.51.100.8')).status).toBe(302);
  // Shopify's deliveries are not here; the internal API and probes are never limited.
  for (let i = 0; i < 8; i += 1) {
    expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);
    const listed = await fetch(`${baseUrl}/shops`, {
      headers: { authorization: `Bearer ${credentials.full}`, 'x-forwarded-for': '198.51.100.7' },
    });
    expect(listed.status).toBe(200);
  }
});
