import { runSchemaMigrations } from '@shopwire/database';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import {
  CallbackDestinationGuard,
  CallbackSender,
  CallbackStore,
  JobStore,
  type HostResolver,
} from '../src';
import { logger, testDataSource } from './fixtures/runtime';

// Where a callback may go, enforced at delivery: real Postgres (a schema of this run's own), a
// real receiver on loopback — the only address this suite ever connects to — and a resolver stub
// that answers internal addresses for other names. Every outgoing socket connect is recorded, so
// a refusal is shown to happen before any connection is attempted.
const run = randomUUID().slice(0, 8);
const SCHEMA = `jobs_dest_it_${run}`;
const SECRET = 'jobs-dest-it-callback-secret-0123456789';

let db: DataSource;
let store: JobStore;
let server: Server;
let port: number;
const received: { url: string; headers: IncomingHttpHeaders }[] = [];
let answer: (url: string) => { status: number; headers?: Record<string, string> } = () => ({
  status: 204,
});

/** Names the stub knows; `rebind.test` answers differently on each lookup. */
const answers: Record<string, string[][]> = {};
const resolver: HostResolver = async (hostname) => {
  const queue = answers[hostname];
  const addresses = queue && (queue.length > 1 ? queue.shift()! : queue[0]);
  if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

/** Every socket connect made in the test process towards a `.test` name or a callback literal. */
let connects: string[] = [];
let connectSpy: jest.SpyInstance;

beforeAll(async () => {
  db = testDataSource(SCHEMA);
  await db.initialize();
  await runSchemaMigrations(db);
  store = new JobStore(db, `shopwire.jobs.dest-it-${run}.v1`);
  server = createServer((request, response) => {
    received.push({ url: request.url ?? '', headers: request.headers });
    request.resume();
    request.on('end', () => {
      const { status, headers } = answer(request.url ?? '');
      response.writeHead(status, headers);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const original = net.Socket.prototype.connect;
  connectSpy = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (
    this: net.Socket,
    ...args: unknown[]
  ) {
    // net.connect hands the socket its arguments already normalised, as an array
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = first as { host?: string; port?: number | string } | undefined;
    if (options && typeof options === 'object' && Number(options.port) === port) {
      connects.push(`${options.host}:${options.port}`);
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  });
});

afterAll(async () => {
  connectSpy.mockRestore();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
  await db.destroy();
});

beforeEach(() => {
  connects = [];
  received.length = 0;
  answer = () => ({ status: 204 });
});

async function finishedJobWithCallback(callbackUrl: string): Promise<string> {
  const job = await store.submit({ type: 'report', params: {}, callbackUrl, maxAttempts: 1 });
  await db.query(
    `UPDATE "${SCHEMA}".jobs SET status = 'succeeded', finished_at = now(),
       result = '{"contentType":"text/plain","filename":null,"size":0,"summary":null}',
       callback_status = 'pending', callback_next_at = now()
     WHERE id = $1`,
    [job.id],
  );
  return job.id;
}

async function deliverOnce(policy: { allowLoopback: boolean }): Promise<void> {
  const sender = new CallbackSender({
    store: new CallbackStore(db),
    secret: SECRET,
    logger,
    baseDelayMs: 60_000,
    capDelayMs: 60_000,
    destination: new CallbackDestinationGuard(
      { httpsOnly: false, allowLoopback: policy.allowLoopback, allowedHosts: null },
      resolver,
    ),
  });
  try {
    expect(await sender.deliverDue()).toBe(1);
  } finally {
    await sender.stop();
  }
}

async function callbackState(id: string) {
  const [row] = (await db.query(
    `SELECT callback_status, callback_attempts, callback_last_error, callback_next_at
       FROM "${SCHEMA}".jobs WHERE id = $1`,
    [id],
  )) as {
    callback_status: string;
    callback_attempts: number;
    callback_last_error: string | null;
    callback_next_at: Date | null;
  }[];
  return row!;
}

describe('callback destinations at delivery', () => {
  it('connects to the address the lookup gave (the name is pinned, not looked up again)', async () => {
    answers['receiver.test'] = [['127.0.0.1']];
    const id = await finishedJobWithCallback(`http://receiver.test:${port}/cb`);
    await deliverOnce({ allowLoopback: true });
    expect(await callbackState(id)).toMatchObject({ callback_status: 'delivered' });
    // `receiver.test` has no real DNS entry: only the pinned address can have been used
    expect(received).toHaveLength(1);
    expect(received[0]!.headers.host).toBe(`receiver.test:${port}`);
    expect(connects).toEqual([`receiver.test:${port}`]);
  });

  it.each([
    ['private', '10.20.30.40'],
    ['link-local (metadata)', '169.254.169.254'],
    ['IPv6 metadata', 'fd00:ec2::254'],
    ['unique-local', 'fd12::7'],
  ])(
    'refuses a name resolving to a %s address before any connection, and gives up',
    async (_kind, address) => {
      answers['internal.test'] = [[address]];
      const id = await finishedJobWithCallback(`http://internal.test:${port}/cb`);
      await deliverOnce({ allowLoopback: true });
      const state = await callbackState(id);
      expect(state).toMatchObject({ callback_status: 'failed', callback_attempts: 1 });
      expect(state.callback_next_at).toBeNull();
      expect(state.callback_last_error).toContain('CallbackDestinationRefused');
      expect(state.callback_last_error).toContain(address);
      expect(connects).toEqual([]);
      expect(received).toEqual([]);
    },
  );

  it('refuses loopback itself without the development allowance', async () => {
    const id = await finishedJobWithCallback(`http://127.0.0.1:${port}/cb`);
    await deliverOnce({ allowLoopback: false });
    expect(await callbackState(id)).toMatchObject({ callback_status: 'failed' });
    expect(connects).toEqual([]);
    expect(received).toEqual([]);
  });

  it('judges again at delivery: a name that moved to an internal address since submission is refused', async () => {
    // accepted when submitted, the metadata address at delivery (DNS rebinding)
    answers['rebind.test'] = [['127.0.0.1'], ['169.254.169.254']];
    const guard = new CallbackDestinationGuard(
      { httpsOnly: false, allowLoopback: true, allowedHosts: null },
      resolver,
    );
    await expect(guard.resolve(`http://rebind.test:${port}/cb`)).resolves.toBeDefined();
    const id = await finishedJobWithCallback(`http://rebind.test:${port}/cb`);
    await deliverOnce({ allowLoopback: true });
    const state = await callbackState(id);
    expect(state).toMatchObject({ callback_status: 'failed' });
    expect(state.callback_last_error).toContain('metadata');
    expect(connects).toEqual([]);
  });

  it('does not follow a redirect, to an internal address or anywhere', async () => {
    answer = () => ({ status: 302, headers: { location: 'http://169.254.169.254/latest' } });
    const id = await finishedJobWithCallback(`http://127.0.0.1:${port}/cb`);
    await deliverOnce({ allowLoopback: true });
    const state = await callbackState(id);
    // a failed attempt, to be retried later against the same URL
    expect(state).toMatchObject({ callback_status: 'pending', callback_attempts: 1 });
    expect(state.callback_last_error).toContain('HTTP 302');
    expect(received.map((r) => r.url)).toEqual(['/cb']);
    expect(connects).toEqual([`127.0.0.1:${port}`]);
  });
});
