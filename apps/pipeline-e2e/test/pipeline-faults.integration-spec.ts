import { restartPostgres, waitFor } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import { Pipeline } from './pipeline-harness';

/**
 * Fault tests across the whole pipeline, every service its own process: a consumer service is
 * SIGKILLed mid-stream and restarted; whatever it had in flight is redone from its committed
 * offsets, and each service's effects end exactly as one clean delivery would leave them.
 */
describe('pipeline under faults (separate processes, real Kafka and Postgres)', () => {
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

  const consumers = ['order', 'inventory', 'notification', 'analytics', 'sync'];

  it.each(consumers)(
    'loses and doubles nothing when %s is SIGKILLed mid-stream',
    async (service) => {
      const shop = `kill-${service}-${randomUUID().slice(0, 8)}.myshopify.com`;
      // Enough that the kill lands mid-stream: the pipeline applies roughly 100 orders/s on a
      // 2-core machine, so most of these are still unapplied when the process dies.
      const orders = 800;
      const sending = pipeline.send(shop, [
        '--count',
        String(orders),
        '--rate',
        '500',
        '--topics',
        'orders/create=1',
        '--seed',
        shop,
      ]);
      await waitFor(async () => Object.values(await pipeline.effects(shop)).some((n) => n > 100), {
        what: 'the stream to be under way',
        timeoutMs: 30_000,
      });
      await pipeline.kill(service);
      const killedAt = await pipeline.effects(shop);
      await new Promise((r) => setTimeout(r, 500));
      await pipeline.restart(service);
      const sent = await sending;
      expect(sent.code).toBe(0);

      const final = await waitFor(
        async () => {
          const effects = await pipeline.effects(shop);
          return Object.values(effects).every((n) => n >= orders) ? effects : undefined;
        },
        { what: `every service to apply ${orders} orders`, timeoutMs: 120_000, intervalMs: 500 },
      );
      process.stdout.write(
        `kill ${service}: at kill ${JSON.stringify(killedAt)} → final ${JSON.stringify(final)}\n`,
      );
      for (const [effect, count] of Object.entries(final))
        expect([effect, count]).toEqual([effect, orders]);
    },
  );

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
    const final = await waitFor(
      async () => {
        const effects = await pipeline.effects(shop);
        return Object.values(effects).every((n) => n >= orders) ? effects : undefined;
      },
      {
        what: `every service to apply ${orders} orders after the restart`,
        timeoutMs: 180_000,
        intervalMs: 500,
      },
    );
    process.stdout.write(`postgres restart: final ${JSON.stringify(final)}\n`);
    for (const [effect, count] of Object.entries(final))
      expect([effect, count]).toEqual([effect, orders]);
  });
});
