import { freePort, type Answer } from '@shopwire/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { request } from 'undici';

// The browser lives in @shopwire/testing (the pipeline's end-to-end suite installs shops too).
export { Browser, type Answer } from '@shopwire/testing';

/**
 * The real shops service as a child process (`dist/apps/shops/src/main.js`, `npm run build`
 * first) with its own database, so these tests neither see nor disturb other suites' `shops`
 * schema; Kafka and Redis are the shared ones, used with unique shops and a unique group.
 */

const ROOT = join(__dirname, '../../..');
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const API_TOKEN = 'install-tests-token-0123456789';

export interface ShopsProcess {
  baseUrl: string;
  db: Pool;
  /** Everything the process wrote to stdout and stderr so far (to search for secrets). */
  logs(): string;
  stop(): Promise<void>;
}

/** A database of its own on the shared server (created once, kept between runs). */
async function ensureDatabase(name: string): Promise<string> {
  const admin = new Pool({ connectionString: SERVER_URL, max: 1 });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    // 42P04: it exists already; 23505: another run created it at the same moment.
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw error;
  } finally {
    await admin.end();
  }
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function startShopsProcess(env: Record<string, string>): Promise<ShopsProcess> {
  const databaseUrl = await ensureDatabase('shopwire_shops_install_it');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'dist/apps/shops/src/main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '4',
      RUN_MIGRATIONS: 'true',
      API_TOKENS: `tests:${API_TOKEN}`,
      SHOPWIRE_PUBLIC_URL: baseUrl,
      SHOPS_TOKEN_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      SHOPS_COOKIE_SECRET: randomBytes(32).toString('hex'),
      SHOPS_CONSUMER_GROUP: `shops-install-it-${randomBytes(4).toString('hex')}`,
      // These suites drive the install routes from one address far faster than browsers do; the
      // per-client limit has its own test (api-access.integration-spec.ts).
      SHOPS_AUTH_RATE_LIMIT: '100000',
      LOG_LEVEL: 'info',
      OTEL_SDK_DISABLED: 'true',
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
      const response = await request(`${baseUrl}/health/live`);
      await response.body.dump();
      if (response.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`shops service did not start within 60 s: ${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const db = new Pool({ connectionString: databaseUrl, max: 2 });
  return {
    baseUrl,
    db,
    logs: () => output,
    stop: async () => {
      await db.end();
      await stop();
    },
  };
}

/** A JSON call with the service's bearer token (or another / none). */
export async function callJson(
  method: string,
  url: string,
  options: { body?: unknown; bearer?: string | null } = {},
): Promise<Answer> {
  const bearer = options.bearer === undefined ? API_TOKEN : options.bearer;
  const response = await request(url, {
    method: method as 'GET',
    headers: {
      accept: 'application/json',
      ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/** The value of one series on a Prometheus text page (0 when absent). */
export function metricValue(page: string, series: string): number {
  const line = page.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
