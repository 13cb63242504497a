import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT } from '../src/render';

/**
 * The images without Docker: assembles each runtime image's file layout as the Dockerfile does
 * (production dependencies only — `npm ls --omit=dev` — plus the compiled output it copies), then
 * runs it the way the pods do: root filesystem read-only with a fresh tmpfs on /tmp (a private
 * mount namespace, `unshare -m`), as PID 1 of its own PID namespace and as uid/gid 1000, with only the variables the manifests give.
 * Needs root (for the mount namespace), util-linux, a build (`node scripts/build.mjs`), Postgres
 * and Kafka on 127.0.0.1; it creates and drops its own database and writes no Kafka message.
 */
// Not under the repository: each run mounts a fresh tmpfs on /tmp (as a container's writable
// /tmp), which would hide the layout of a checkout that itself lives under /tmp.
const WORK = join('/var/tmp', `shopwire-image-layout-${process.pid}`);
const DATABASE = `image_layout_${process.pid}`;
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DATABASE_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DATABASE}`);
const KAFKA = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

// Inside the new mount namespace only: make / read-only, give /tmp a tmpfs, drop to uid 1000.
const READ_ONLY_RUN =
  'mount --make-rprivate / && mount -t tmpfs -o size=64m tmpfs /tmp && ' +
  'mount -o remount,bind,ro / && cd "$0" && ' +
  'exec setpriv --reuid=1000 --regid=1000 --clear-groups env -i "$@"';

function assembleRuntimeBase(dir: string): void {
  for (const path of prodPackages) {
    // Each production package without its nested node_modules: nested production packages are
    // listed themselves, so dev-only ones never come along.
    cpSync(path, join(dir, path.slice(REPO_ROOT.length)), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !source.slice(path.length).includes('/node_modules'),
    });
  }
  cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(REPO_ROOT, 'dist/libs'), join(dir, 'dist/libs'), { recursive: true });
  cpSync(join(REPO_ROOT, 'deploy/docker/healthcheck.js'), join(dir, 'healthcheck.js'));
}

/** An image's layout: the runtime base, hard-linked (nothing writes to it), plus its own files. */
function layout(name: string): string {
  const dir = join(WORK, name);
  execFileSync('cp', ['-al', join(WORK, 'runtime-base'), dir]);
  return dir;
}

function runReadOnly(dir: string, env: Record<string, string>, command: string[]): ChildProcess {
  const vars = Object.entries({
    PATH: '/usr/local/bin:/usr/bin:/bin',
    NODE_ENV: 'production',
    ...env,
  }).map(([key, value]) => `${key}=${value}`);
  // --pid --fork: node runs as PID 1 of its own PID namespace, as in a container, where the
  // kernel delivers SIGTERM only because the app installs a handler for it.
  return spawn(
    'unshare',
    ['-m', '--pid', '--fork', '--mount-proc', 'sh', '-c', READ_ONLY_RUN, dir, ...vars, ...command],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

function output(child: ChildProcess): () => string {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The image's own HEALTHCHECK command, run from the assembled layout. */
function healthcheck(dir: string, app: string, port: number): number {
  return (
    spawnSync(process.execPath, [join(dir, 'healthcheck.js')], {
      env: { PATH: process.env.PATH, APP: app, PORT: String(port) },
    }).status ?? -1
  );
}

/** SIGTERM to the app (PID 1 in its namespace; found by its host PID), and how long it drained. */
async function terminate(
  child: ChildProcess,
  entry: string,
): Promise<{ code: number | null; ms: number }> {
  const pids = execFileSync('pgrep', ['-f', `^node ${entry}$`], { encoding: 'utf8' })
    .trim()
    .split('\n');
  expect(pids).toHaveLength(1);
  // NSpid: the host PID, then the PID inside the app's own namespace — 1, as in a container.
  const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pids[0]}/status`, 'utf8'))?.[1];
  expect(nspid?.split(/\s+/).at(-1)).toBe('1');
  const started = Date.now();
  process.kill(Number(pids[0]), 'SIGTERM');
  const code = await exited(child);
  return { code, ms: Date.now() - started };
}

const children: ChildProcess[] = [];
let prodPackages: string[] = [];

beforeAll(async () => {
  if (process.getuid?.() !== 0)
    throw new Error('needs root: runs the layouts in a private mount namespace');
  for (const tool of ['unshare', 'setpriv', 'pgrep'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      throw new Error(`needs ${tool} (util-linux, procps)`);
  if (!existsSync(join(REPO_ROOT, 'dist/apps/gateway/src/main.js')))
    throw new Error('needs a build: node scripts/build.mjs');
  prodPackages = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  })
    .split('\n')
    .filter((path) => path.startsWith(join(REPO_ROOT, 'node_modules')));
  mkdirSync(WORK, { recursive: true });
  assembleRuntimeBase(join(WORK, 'runtime-base'));
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(WORK, { recursive: true, force: true });
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
});

it('carries none of the build and test tooling into the layout', () => {
  const names = new Set(
    prodPackages.map((path) => path.slice(path.lastIndexOf('node_modules/') + 13)),
  );
  expect(names.size).toBeGreaterThan(50);
  expect(names).toContain('@nestjs/core');
  // A devDependency may still arrive as a production package's own dependency (protobufjs
  // brings @types/node); the tooling itself must not.
  const tooling = [
    'jest',
    'typescript',
    'nx',
    '@swc/core',
    'eslint',
    'prettier',
    'autocannon',
    'kubernetes-models',
  ];
  expect(tooling.filter((name) => names.has(name))).toEqual([]);
});

it('the jobs image migrates every schema read-only as uid 1000, and again with nothing to do', async () => {
  const dir = layout('jobs');
  cpSync(join(REPO_ROOT, 'dist/apps'), join(dir, 'dist/apps'), { recursive: true });
  cpSync(join(REPO_ROOT, 'dist/scripts'), join(dir, 'dist/scripts'), { recursive: true });
  cpSync(join(REPO_ROOT, 'scripts/migrate.mjs'), join(dir, 'scripts/migrate.mjs'));

  for (const run of ['first', 'second']) {
    const child = runReadOnly(dir, { DATABASE_URL }, ['node', 'scripts/migrate.mjs']);
    const log = output(child);
    expect([run, await exited(child), log()]).toEqual([run, 0, expect.any(String)]);
    if (run === 'second') expect(log()).not.toMatch(/"applied":\["/);
  }
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const { rows } = await db.query<{ nspname: string }>(
    "SELECT nspname FROM pg_namespace WHERE nspname IN ('orders','inventory','notification','analytics','sync')",
  );
  await db.end();
  expect(rows.map((r) => r.nspname).sort()).toEqual([
    'analytics',
    'inventory',
    'notification',
    'orders',
    'sync',
  ]);
}, 180_000);

it('the gateway image starts read-only as uid 1000, passes its HEALTHCHECK, and drains on SIGTERM', async () => {
  const dir = layout('gateway');
  cpSync(join(REPO_ROOT, 'dist/apps/gateway'), join(dir, 'dist/apps/gateway'), { recursive: true });
  symlinkSync('dist/apps/gateway/src/main.js', join(dir, 'main.js'));
  const port = await freePort();
  const entry = `${dir}/main.js`;
  const child = runReadOnly(
    dir,
    {
      APP: 'gateway',
      PORT: String(port),
      KAFKA_BROKERS: KAFKA,
      SHOPIFY_WEBHOOK_SECRETS: 'dev-only-image-layout',
    },
    ['node', entry],
  );
  children.push(child);
  const log = output(child);
  await waitFor(async () => healthcheck(dir, 'gateway', port) === 0, 'the gateway to be ready');
  // An unsigned webhook: refused (401) without touching Kafka.
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/shopify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(response.status).toBe(401);
  const { code, ms } = await terminate(child, entry);
  expect(code).toBe(0);
  expect(ms).toBeLessThan(20_000);
  expect(log()).not.toMatch(/EROFS|EACCES/);
}, 120_000);

it('a consumer image (order) starts read-only, is live but not ready without Kafka, and still drains', async () => {
  const dir = layout('order');
  cpSync(join(REPO_ROOT, 'dist/apps/order'), join(dir, 'dist/apps/order'), { recursive: true });
  symlinkSync('dist/apps/order/src/main.js', join(dir, 'main.js'));
  const port = await freePort();
  const entry = `${dir}/main.js`;
  const child = runReadOnly(
    dir,
    {
      APP: 'order',
      PORT: String(port),
      DATABASE_URL,
      API_TOKENS: 'ops:dev-only-image-layout-token',
      // Unreachable on purpose: this test must neither read nor write the shared broker.
      KAFKA_BROKERS: '127.0.0.1:1',
      ORDER_CONSUMER_GROUP: `image-layout-${process.pid}`,
    },
    ['node', entry],
  );
  children.push(child);
  const log = output(child);
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/health/live`)).ok,
    'the order service to be live',
  );
  expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(503);
  expect(healthcheck(dir, 'order', port)).toBe(1);
  const { code, ms } = await terminate(child, entry);
  expect(code).toBe(0);
  expect(ms).toBeLessThan(30_000);
  expect(log()).not.toMatch(/EROFS|EACCES/);
}, 120_000);
