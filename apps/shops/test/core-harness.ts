import { createMetricsRegistry, type Logger } from '@shopwire/observability';
import { freePort } from '@shopwire/testing';
import Redis from 'ioredis';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Pool } from 'pg';
import pino from 'pino';
import { request } from 'undici';
import type { DataSource } from 'typeorm';
import { shopsConfigSchema, type ShopsConfig } from '../src/config';
import { CredentialsMetrics } from '../src/credentials/credentials.metrics';
import { CredentialsRepository } from '../src/credentials/credentials.repository';
import { InstallationsService } from '../src/credentials/installations.service';
import { TokenRefresher } from '../src/credentials/token-refresher';
import { TokenVault } from '../src/credentials/token-vault';
import { UninstalledShops } from '../src/credentials/uninstalled-shops';
import { runShopsMigrations } from '../src/database/migrate';
import { createShopsDataSource } from '../src/database/shops-data-source';
import { ShopifyTokenEndpoint } from '../src/oauth/shopify-token-endpoint';

/**
 * The credentials core against real Postgres, Redis and the simulator: in this process (to reach
 * the vault and the refresher directly) or as several built service processes racing. A database
 * of its own on the shared server, so other suites' `shops` schema is neither seen nor disturbed.
 */

const ROOT = join(__dirname, '../../..');
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const API_TOKEN = 'shops-core-tests-token-0123456789';
export const SIM_CLIENT_ID = 'shopwire-dev-client';
export const SIM_CLIENT_SECRET = 'shopwire-dev-client-secret-0123456789abcdef';

export function newKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * A fresh database per suite (dropped and made again at its start): key rotation re-seals every
 * row it finds, so rows another suite or an earlier run sealed with keys of its own must not be
 * there.
 */
export async function coreDatabase(suite: string): Promise<string> {
  const name = `shopwire_shops_core_it_${suite.replace(/[^a-z0-9_]/g, '_')}`;
  const admin = new Pool({ connectionString: SERVER_URL, max: 1 });
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw error;
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const dataSource = createShopsDataSource({ url: url.toString(), poolSize: 2 });
  await dataSource.initialize();
  try {
    await runShopsMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  return url.toString();
}

/** The shared machine can be slow to hand out a connection; the service's 5 s would flake. */
function patient(dataSource: DataSource): DataSource {
  return dataSource.setOptions({ extra: { connectionTimeoutMillis: 30_000 } });
}

/** A pino logger whose every line is kept, to search for secrets. */
export function capturingLogger(): { logger: Logger; lines: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines: () => text };
}

export function testConfig(env: Record<string, string>): ShopsConfig {
  return shopsConfigSchema.parse({
    API_TOKENS: `tests:${API_TOKEN}`,
    SHOPIFY_API_KEY: SIM_CLIENT_ID,
    SHOPIFY_API_SECRET: SIM_CLIENT_SECRET,
    SHOPS_COOKIE_SECRET: randomBytes(32).toString('hex'),
    SHOPS_UNINSTALLED_SET_KEY: `shopwire:test:${randomBytes(4).toString('hex')}:uninstalled`,
    ...env,
  });
}

export interface Core {
  config: ShopsConfig;
  dataSource: DataSource;
  repository: CredentialsRepository;
  vault: TokenVault;
  endpoint: ShopifyTokenEndpoint;
  refresher: TokenRefresher;
  installations: InstallationsService;
  uninstalled: UninstalledShops;
  metrics: CredentialsMetrics;
  redis: Redis;
  close(): Promise<void>;
}

/** The credentials object graph as Nest wires it, without Nest. */
export async function startCore(config: ShopsConfig, logger: Logger): Promise<Core> {
  const dataSource = patient(createShopsDataSource({ url: config.DATABASE_URL, poolSize: 6 }));
  await dataSource.initialize();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const registry = createMetricsRegistry('shops-test');
  const metrics = new CredentialsMetrics(registry);
  const repository = new CredentialsRepository(dataSource);
  const vault = new TokenVault(config.SHOPS_TOKEN_KEYS);
  const endpoint = new ShopifyTokenEndpoint({
    clientId: config.SHOPIFY_API_KEY,
    clientSecret: config.SHOPIFY_API_SECRET,
    shopUrlTemplate: config.SHOPIFY_SHOP_URL,
    expiringOfflineTokens: config.SHOPIFY_EXPIRING_OFFLINE_TOKENS,
    timeoutMs: config.SHOPS_TOKEN_ENDPOINT_TIMEOUT_MS,
  });
  const refresher = new TokenRefresher(
    dataSource,
    repository,
    vault,
    endpoint,
    metrics,
    logger,
    config,
  );
  const uninstalled = new UninstalledShops(redis, logger, config);
  const installations = new InstallationsService(
    dataSource,
    repository,
    vault,
    refresher,
    uninstalled,
    metrics,
    logger,
  );
  return {
    config,
    dataSource,
    repository,
    vault,
    endpoint,
    refresher,
    installations,
    uninstalled,
    metrics,
    redis,
    close: async () => {
      await redis.del(config.SHOPS_UNINSTALLED_SET_KEY);
      redis.disconnect();
      await dataSource.destroy();
    },
  };
}

/** The sim's authorize step, as the merchant's browser would take it: returns the code. */
export async function authorizeAtSim(simUrl: string, shop: string, scope: string): Promise<string> {
  const url = new URL(`${simUrl}/shops/${shop}/admin/oauth/authorize`);
  url.searchParams.set('client_id', SIM_CLIENT_ID);
  url.searchParams.set('scope', scope);
  url.searchParams.set('redirect_uri', 'http://127.0.0.1:1/auth/callback');
  url.searchParams.set('state', 'test-state');
  const response = await request(url, { method: 'GET' });
  await response.body.dump();
  const location = response.headers.location;
  if (response.statusCode !== 302 || typeof location !== 'string') {
    throw new Error(`authorize answered ${response.statusCode}`);
  }
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error('no code in the redirect');
  return code;
}

/**
 * A pass-through to the simulator that, while `dropResponses` > 0, forwards the request (so the
 * simulator acts on it) and then never answers: a response lost after Shopify rotated the token.
 */
export async function lossyProxy(target: string): Promise<{
  url: string;
  dropResponses: number;
  close(): Promise<void>;
}> {
  const state = { dropResponses: 0 };
  const hanging = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const upstream = await request(`${target}${req.url ?? ''}`, {
          method: req.method as 'POST',
          headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        });
        const body = await upstream.body.text();
        if (state.dropResponses > 0) {
          state.dropResponses -= 1;
          hanging.add(res);
          return;
        }
        res.writeHead(upstream.statusCode, { 'content-type': 'application/json' });
        res.end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const res of hanging) res.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}

export interface ShopsReplica {
  baseUrl: string;
  logs(): string;
  stop(): Promise<void>;
}

/** One built shops service process (`npm run build` first). */
export async function startReplica(env: Record<string, string>): Promise<ShopsReplica> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist/apps/shops/src/main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_POOL_SIZE: '6',
      API_TOKENS: `tests:${API_TOKEN}`,
      SHOPWIRE_PUBLIC_URL: baseUrl,
      SHOPIFY_API_KEY: SIM_CLIENT_ID,
      SHOPIFY_API_SECRET: SIM_CLIENT_SECRET,
      SHOPS_COOKIE_SECRET: 'c'.repeat(40),
      // Debug: the most the service would ever log, searched for tokens afterwards.
      LOG_LEVEL: 'debug',
      // These suites drive the install routes from one address far faster than browsers do; the
      // per-client limit has its own test (api-access.integration-spec.ts).
      SHOPS_AUTH_RATE_LIMIT: '100000',
      OTEL_SDK_DISABLED: 'true',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`shops service exited with ${child.exitCode}: ${output.slice(-2000)}`);
    }
    try {
      const response = await request(`${baseUrl}/health/ready`);
      await response.body.dump();
      if (response.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`shops service not ready within 60 s: ${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { baseUrl, logs: () => output, stop };
}

export async function call(
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }> {
  const response = await request(url, {
    method,
    headers: {
      authorization: `Bearer ${API_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    json: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    headers: response.headers,
  };
}
