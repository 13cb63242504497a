import { restartPostgres, waitFor } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import { Pipeline } from './pipeline-harness';

/**
 * Fault tests across the whole pipeline, every service its own process: a consumer service is
 * SIGKILLed mid-stream and restarted; whatever it had in flight is redone from its committed
 * offsets, and each service's effects end exactly as one clean delivery would leave them.
 */
// The pipeline is started at the file's top level, not inside the describe block: concurrent tests
// (the five kills below) start right after the root's beforeAll hooks, before a nested block's.
let pipeline: Pipeline;

beforeAll(async () => {
  // What is tested is nothing lost or doubled, not how long production waits, so the waits a
  // fault starts are shortened through configuration:
  //  - a SIGKILLed consumer never leaves its group; its restarted process gets the partitions
  //    back once the group evicts the dead member, after the session timeout (30 s);
  //  - an email or ERP call claimed by a killed process, or whose claim a Postgres restart
  //    interrupted, is taken over when its lease ends (60 s). 20 s still outlasts a send.
  pipeline = await Pipeline.start({
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    SENDER_LEASE_MS: '20000',
    WORKER_LEASE_MS: '20000',
  });
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('pipeline under faults (separate processes, real Kafka and Postgres)', () => {
  const consumers = ['order', 'inventory', 'notification', 'analytics', 'sync'];

  /**
   * Waits until every effect counts `orders`. On timeout the message carries the last counts and
   * the log tail of each service that lagged, so a failure names the service and what it said.
   */
  async function allApplied(shop: string, orders: number, timeoutMs: number) {
    let last: Record<string, number> = {};
    return waitFor(
      async () => {
        last = await pipeline.effects(shop);
        return Object.values(last).every((n) => n >= orders) ? last : undefined;
      },
      {
        what: () => {
          const lagging = Object.entries(last)
            .filter(([, n]) => n < orders)
            .map(([effect]) => effect.split('.')[0]);
          const logs = [...new Set(lagging)]
            .map((service) => `--- ${service} log tail:\n${pipeline.logTail(service)}`)
            .join('\n');
          return `every service to apply ${orders} orders (last seen ${JSON.stringify(last)})\n${logs}`;
        },
        timeoutMs,
        intervalMs: 500,
      },
    );
  }

  // The five kills run at once, each on its own shop's stream: every service is still killed
  // mid-stream and every shop's effects are checked exactly, while the pipeline also carries the
  // other shops' streams and the other services' restarts — and the five recoveries (each waits
  // out the session timeout) overlap instead of following one another. The Postgres restart
  // below is not concurrent: it runs after all five.
  it.concurrent.each(consumers)(
    'loses and doubles nothing when %s is SIGKILLed mid-stream',
    async (service) => {
      const shop = `kill-${service}-${randomUUID().slice(0, 8)}.myshopify.com`;
      // Enough that the kill lands mid-stream: the pipeline applies roughly 100–150 orders/s on a
      // 2-core machine across the five streams, so most of these are still unapplied when the
      // process dies.
      const orders = 500;
      const sending = pipeline.send(shop, [
        '--count',
        String(orders),
        '--rate',
        '250',
        '--topics',
        'orders/create=1',
        '--seed',
        shop,
      ]);
      // Mid-stream for the service killed: it has applied some of this shop's orders itself (a
      // downstream service lags the order service, so another service's count says little).
      await waitFor(
        async () =>
          Object.entries(await pipeline.effects(shop)).some(
            ([effect, n]) => effect.startsWith(`${service}.`) && n > 50,
          ),
        {
          what: `${service} to be under way on ${shop}`,
          // Another test's kill may stall this stream for a recovery's length.
          timeoutMs: 90_000,
        },
      );
      await pipeline.kill(service);
      const killedAt = await pipeline.effects(shop);
      await new Promise((r) => setTimeout(r, 500));
      await pipeline.restart(service);
      const sent = await sending;
      expect(sent.code).toBe(0);

      const final = await allApplied(shop, orders, 120_000);
      process.stdout.write(
        `kill ${service}: at kill ${JSON.stringify(killedAt)} → final ${JSON.stringify(final)}\n`,
      );
      for (const [effect, count] of Object.entries(final))
        expect([effect, count]).toEqual([effect, orders]);
    },
  );

  // Its own timeout is beyond the wait's 180 s, so a slow recovery fails with the wait's message
  // (which service lagged) rather than Jest's bare timeout.
  it('pauses through a Postgres restart under load and loses nothing', async () => {
    const shop = `pg-restart-${randomUUID().slice(0, 8)}.myshopify.com`;
    const orders = 1000;
    const sending = pipeline.send(shop, [
      '--count',
      String(orders),
      '--rate',
      '400',
      '--topics',
      'orders/create=1',
      '--seed',
      shop,
    ]);
    await waitFor(async () => Object.values(await pipeline.effects(shop)).some((n) => n > 200), {
      what: 'the stream to be under way',
      timeoutMs: 30_000,
    });
    await restartPostgres();
    expect((await sending).code).toBe(0);
    // The harness's own connection died with the server; reconnect to count.
    await pipeline.reconnectDatabase();
    const final = await allApplied(shop, orders, 180_000);
    process.stdout.write(`postgres restart: final ${JSON.stringify(final)}\n`);
    for (const [effect, count] of Object.entries(final))
      expect([effect, count]).toEqual([effect, orders]);
  }, 240_000);
});
