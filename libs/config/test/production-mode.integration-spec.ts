import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

// Built Shopwire processes (dist/, from `npm run build`) started with SHOPWIRE_ENV=production:
// refused before any connection with exit 78 naming each variable and never its value, or — with
// production values — started. The environment is only what each case gives (and PATH), never
// this machine's.
const ROOT = join(__dirname, '../../..');
const STRONG = 'Vq3x8wQm2LpZ7rT1yN4kB6sD9fG0hJ5c';

interface Run {
  code: number | null;
  output: string;
}

/** Runs a built script until it exits (or `untilReady` answers true, then stops it). */
function run(
  script: string,
  env: Record<string, string>,
  untilReady?: () => Promise<boolean>,
): Promise<Run & { ready: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, script)], {
      env: { PATH: process.env.PATH ?? '', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let ready = false;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} neither exited nor became ready:\n${output}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ready });
    });
    if (untilReady) {
      const poll = async () => {
        while (child.exitCode === null && !ready) {
          if (await untilReady().catch(() => false)) {
            ready = true;
            child.kill('SIGTERM');
            return;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      void poll();
    }
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The variable names the refusal lists (the fatal line's `problems`). */
function refusedVariables(output: string): string[] {
  const line = output.split('\n').find((l) => l.includes('"problems"'));
  if (!line) return [];
  const { problems } = JSON.parse(line) as { problems: string[] };
  return problems.map((p) => p.slice(0, p.indexOf(':'))).sort();
}

const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

describe('the gateway process', () => {
  const gateway = 'dist/apps/gateway/src/main.js';

  it('refuses a placeholder webhook secret in production, naming the variable only', async () => {
    const placeholder = 'dev-only-shopify-webhook-secret';
    const result = await run(gateway, {
      SHOPWIRE_ENV: 'production',
      KAFKA_BROKERS,
      SHOPIFY_WEBHOOK_SECRETS: placeholder,
      PORT: String(await freePort()),
    });
    expect(result.code).toBe(78);
    expect(refusedVariables(result.output)).toEqual(['SHOPIFY_WEBHOOK_SECRETS']);
    expect(result.output).toMatch(/SHOPIFY_WEBHOOK_SECRETS: holds a development placeholder/);
    expect(result.output).not.toContain(placeholder);
  });

  it('refuses a secret shorter than 32 bytes and an unknown SHOPWIRE_ENV', async () => {
    const short = await run(gateway, {
      SHOPWIRE_ENV: 'production',
      KAFKA_BROKERS,
      SHOPIFY_WEBHOOK_SECRETS: 'a-real-but-short-secret-31-byte', // 31
    });
    expect(short.code).toBe(78);
    expect(short.output).toMatch(/SHOPIFY_WEBHOOK_SECRETS: a secret is shorter than 32 bytes/);
    const typo = await run(gateway, {
      SHOPWIRE_ENV: 'prod',
      KAFKA_BROKERS,
      SHOPIFY_WEBHOOK_SECRETS: STRONG,
    });
    expect(typo.code).toBe(78);
    expect(refusedVariables(typo.output)).toEqual(['SHOPWIRE_ENV']);
  });

  it('starts in production with production values, and in development with the placeholder', async () => {
    for (const env of [
      {
        SHOPWIRE_ENV: 'production',
        SHOPIFY_WEBHOOK_SECRETS: `${STRONG},${STRONG.split('').reverse().join('')}`,
      },
      { SHOPIFY_WEBHOOK_SECRETS: 'dev-only-shopify-webhook-secret' },
    ] as Record<string, string>[]) {
      const port = await freePort();
      const result = await run(
        gateway,
        { ...env, KAFKA_BROKERS, PORT: String(port), LOG_LEVEL: 'warn' },
        async () => (await fetch(`http://127.0.0.1:${port}/health/live`)).ok,
      );
      expect([result.ready, result.output]).toEqual([true, expect.any(String)]);
    }
  });
});

describe('the sync process', () => {
  it('refuses the environment-token fallback and a loopback ERP, and names every refusal', async () => {
    const token = 'shpat_0123456789abcdef0123456789abcdef';
    const result = await run('dist/apps/sync/src/main.js', {
      SHOPWIRE_ENV: 'production',
      KAFKA_BROKERS,
      DATABASE_URL: 'postgres://shopwire_sync:dev-only-password@db.internal:5432/shopwire',
      API_TOKENS: `ops:${STRONG}`,
      SHOPIFY_ACCESS_TOKEN: token,
      ERP_URL: 'http://localhost:8080/orders',
    });
    expect(result.code).toBe(78);
    const refused = refusedVariables(result.output);
    for (const name of [
      'DATABASE_URL', // a placeholder inside the URL
      'ERP_URL', // loopback for a system outside the cluster
      'INVENTORY_API_URL', // left at its development default
      'PRIVACY_TOMBSTONE_KEYS', // left at the development key
      'REDIS_URL',
      'SHOPIFY_ACCESS_TOKEN', // the development fallback
    ])
      expect(refused).toContain(name);
    expect(result.output).not.toContain(token);
    expect(result.output).not.toContain('dev-only-password');
  });
});

describe('a service nobody can call', () => {
  it('exits 78 naming API_CREDENTIALS while its configuration loads, before Nest or a connection', async () => {
    const result = await run('dist/apps/analytics/src/main.js', {
      KAFKA_BROKERS: '127.0.0.1:1',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      PORT: String(await freePort()),
    });
    expect(result.code).toBe(78);
    expect(refusedVariables(result.output)).toEqual(['API_CREDENTIALS']);
  });
});

describe('a migration run', () => {
  const migrate = 'dist/apps/order/src/database/migrate.js';

  it('refuses a defaulted DATABASE_URL in production, and a placeholder in it without printing it', async () => {
    const defaulted = await run(migrate, { SHOPWIRE_ENV: 'production' });
    expect(defaulted.code).toBe(78);
    expect(refusedVariables(defaulted.output)).toEqual(['DATABASE_URL']);
    expect(defaulted.output).toMatch(/DATABASE_URL: must be set; its default is a development/);

    // Nothing listens on port 1: a refusal that came after connecting would be a connection error.
    const placeholder = await run(migrate, {
      SHOPWIRE_ENV: 'production',
      DATABASE_URL: 'postgres://migrator:dev-only-password@127.0.0.1:1/shopwire',
    });
    expect(placeholder.code).toBe(78);
    expect(refusedVariables(placeholder.output)).toEqual(['DATABASE_URL']);
    expect(placeholder.output).not.toContain('dev-only-password');
  });

  it('names a malformed DATABASE_URL in development too', async () => {
    const result = await run(migrate, { DATABASE_URL: 'not a url' });
    expect(result.code).toBe(78);
    expect(refusedVariables(result.output)).toEqual(['DATABASE_URL']);
  });
});

describe('provisioning', () => {
  it('refuses replication below 3 and min.insync.replicas below 2 before connecting', async () => {
    const result = await run('dist/scripts/provision.js', {
      SHOPWIRE_ENV: 'production',
      // Nothing listens here: a refusal that came after connecting would be a connection error.
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_REPLICATION_FACTOR: '2',
    });
    expect(result.code).toBe(78);
    expect(refusedVariables(result.output)).toEqual([
      'KAFKA_MIN_INSYNC_REPLICAS',
      'KAFKA_REPLICATION_FACTOR',
    ]);
    expect(result.output).toMatch(/KAFKA_MIN_INSYNC_REPLICAS: must be at least 2/);
  });
});
