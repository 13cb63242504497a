import { kafkaConnection, kafkaEnv, loadConfig, z } from '@shopwire/config';
import { ALL_SHOPIFY_KAFKA_TOPICS, ShopifyKafkaTopic } from '@shopwire/contracts';
import { signWebhookBody } from '@shopwire/shopify';
import { collectMessages, freePort, startService, waitFor } from '@shopwire/testing';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { createKafkaClient } from '../src/kafka-client';
import { provisionTopics } from '../src/topic-provisioning';

const run = promisify(execFile);
const ROOT = join(__dirname, '../../..');
const INFRA = join(ROOT, 'scripts/infra.sh');

/**
 * Kafka behind TLS and SASL, as a managed cluster has it. The suite starts a second, private
 * broker with `scripts/infra.sh` (its own cache directory, ports and a random SCRAM password; the
 * shared broker is never touched) with a SASL_SSL listener and an mTLS listener, then reaches it
 * only through the variables every Shopwire process reads (`kafkaEnv` → `kafkaConnection`):
 * the library's client, and the built provision and ops scripts as an operator runs them.
 */
describe('Kafka over SASL_SSL and mTLS (own broker from scripts/infra.sh)', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'shopwire-kafka-sasl-'));
  const password = `it-${randomBytes(12).toString('hex')}`;
  let ports: { plain: number; controller: number; saslSsl: number; mtls: number };
  let infraEnv: NodeJS.ProcessEnv;
  const clientLog: string[] = [];
  const clients: Kafka[] = [];

  /** The environment a Shopwire process would get to reach this broker. */
  const saslEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
    KAFKA_BROKERS: `127.0.0.1:${ports.saslSsl}`,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: join(cacheDir, 'tls/ca.crt'),
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: 'shopwire',
    KAFKA_SASL_PASSWORD: password,
    ...overrides,
  });

  /** A client built exactly as services build theirs, logging into `clientLog`. */
  function client(env: Record<string, string>, { expectRefusal = false } = {}): Kafka {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        clientLog.push(chunk.toString());
        done();
      },
    });
    const kafka = createKafkaClient({
      ...kafkaConnection(loadConfig(z.object(kafkaEnv), env)),
      clientId: 'sasl-it',
      logger: pino({ level: 'debug' }, sink),
      connectionTimeoutMs: 5000,
      // A refusal is final: retrying a wrong password only makes the test slower. Others keep
      // retrying, as the first group on a fresh broker waits for its offsets topic.
      ...(expectRefusal ? { retry: { retries: 0 } } : {}),
    });
    clients.push(kafka);
    return kafka;
  }

  async function roundTrip(kafka: Kafka, topic: string, count: number): Promise<string[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await provisionTopics(admin, [{ topic, partitions: 2, replicationFactor: 1 }]);
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({ idempotent: true, retry: { retries: 3 } });
    await producer.connect();
    const sent = Array.from({ length: count }, (_, i) => `message-${i}-${randomUUID()}`);
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: sent.map((value, i) => ({ key: `shop-${i % 3}.myshopify.com/${i}`, value })),
      });
    } finally {
      await producer.disconnect();
    }
    const consumer = kafka.consumer({ groupId: `sasl-it-${randomUUID()}`, maxWaitTimeInMs: 200 });
    const received: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`got ${received.length}/${count}`)),
          30_000,
        );
        void consumer.run({
          eachMessage: async ({ message }) => {
            received.push(message.value?.toString() ?? '');
            if (received.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    expect(received.sort()).toEqual(sent.sort());
    return received;
  }

  /** Connecting an admin client fails; returns the error for the test to inspect. */
  async function refused(kafka: Kafka): Promise<Error> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
    } catch (error) {
      return error as Error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    throw new Error('the connection was accepted');
  }

  beforeAll(async () => {
    const [plain, controller, saslSsl, mtls] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    ports = { plain, controller, saslSsl, mtls };
    // The shared broker's jars (one folder per Kafka version), when present, spare a Maven fetch;
    // its data and pid stay its own.
    const sharedLibs =
      process.env.KAFKA_LIBS_DIR ??
      join(process.env.KAFKA_CACHE_DIR ?? join(ROOT, '.cache/kafka'), 'libs');
    infraEnv = {
      ...process.env,
      INFRA_MODE: 'local',
      KAFKA_HOST: '127.0.0.1',
      KAFKA_CACHE_DIR: cacheDir,
      KAFKA_LIBS_DIR: sharedLibs,
      KAFKA_PORT: String(plain),
      KAFKA_CONTROLLER_PORT: String(controller),
      KAFKA_SASL_SSL_PORT: String(saslSsl),
      KAFKA_SSL_PORT: String(mtls),
      KAFKA_SASL_USERNAME: 'shopwire',
      KAFKA_SASL_PASSWORD: password,
      KAFKA_HEAP: '-Xms128m -Xmx256m',
      KAFKA_READY_TIMEOUT: '150',
    };
    const { stdout } = await run('bash', [INFRA, 'up'], { env: infraEnv, timeout: 240_000 });
    expect(stdout).toContain(`SASL_SSL on 127.0.0.1:${saslSsl}`);
    expect(stdout).not.toContain(password);
  }, 300_000);

  afterAll(async () => {
    if (infraEnv) await run('bash', [INFRA, 'down'], { env: infraEnv, timeout: 90_000 });
    rmSync(cacheDir, { recursive: true, force: true });
  }, 120_000);

  it('produces and consumes through SASL_SSL with SCRAM-SHA-512, the password in no log line', async () => {
    await roundTrip(client(saslEnv()), `sasl.scram.${randomUUID()}.v1`, 20);
    expect(clientLog.join('')).not.toContain(password);
  });

  it('PLAIN over the same TLS listener works too', async () => {
    await roundTrip(
      client(saslEnv({ KAFKA_SASL_MECHANISM: 'plain' })),
      `sasl.plain.${randomUUID()}.v1`,
      3,
    );
  });

  it('refuses a wrong password', async () => {
    const error = await refused(
      client(saslEnv({ KAFKA_SASL_PASSWORD: `${password}-wrong` }), { expectRefusal: true }),
    );
    expect(error.name).toBe('KafkaJSSASLAuthenticationError');
    expect(error.message).toMatch(/invalid credentials/);
    expect(clientLog.join('')).not.toContain(password);
  });

  it('refuses plaintext to the TLS port, and TLS without the CA (the certificate is verified)', async () => {
    const plaintext = await refused(
      client({ KAFKA_BROKERS: `127.0.0.1:${ports.saslSsl}` }, { expectRefusal: true }),
    );
    expect(plaintext.message).toMatch(/closed connection|connection error|timeout/i);

    const untrusted = await refused(
      client(saslEnv({ KAFKA_SSL_CA_FILE: '' }), { expectRefusal: true }),
    );
    expect(untrusted.message).toMatch(/self[- ]signed certificate/);
  });

  it('mTLS: the client certificate is accepted, no certificate is refused', async () => {
    const tls = {
      KAFKA_BROKERS: `127.0.0.1:${ports.mtls}`,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: join(cacheDir, 'tls/ca.crt'),
    };
    await roundTrip(
      client({
        ...tls,
        KAFKA_SSL_CERT_FILE: join(cacheDir, 'tls/client.crt'),
        KAFKA_SSL_KEY_FILE: join(cacheDir, 'tls/client.key'),
      }),
      `mtls.${randomUUID()}.v1`,
      3,
    );
    const error = await refused(client(tls, { expectRefusal: true }));
    expect(error.message).toMatch(/certificate|closed connection|connection error/i);
  });

  it('the built provision and ops scripts work from the same variables', async () => {
    const env = { ...process.env, ...saslEnv(), LOG_LEVEL: 'debug' };
    const provision = await run('node', [join(ROOT, 'dist/scripts/provision.js')], {
      env,
      timeout: 120_000,
    });
    const admin = client(saslEnv()).admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      expect(topics).toEqual(expect.arrayContaining([...ALL_SHOPIFY_KAFKA_TOPICS]));
      // Just-created partitions answer "not the leader" for a moment; ops reads them all at once.
      await waitFor(async () => {
        try {
          for (const topic of topics) await admin.fetchTopicOffsets(topic);
          return true;
        } catch {
          return false;
        }
      }, 'every new partition has its leader');
    } finally {
      await admin.disconnect();
    }

    const ops = await run('node', [join(ROOT, 'dist/scripts/ops.js'), 'dlq', 'list', '--json'], {
      env,
      timeout: 60_000,
    });
    expect(JSON.parse(ops.stdout)).toEqual([]);
    for (const output of [provision.stdout, provision.stderr, ops.stdout, ops.stderr])
      expect(output).not.toContain(password);

    // And the scripts refuse to talk without credentials rather than falling back to plaintext.
    const withoutPassword = run('node', [join(ROOT, 'dist/scripts/provision.js')], {
      env: { ...env, KAFKA_SASL_PASSWORD: '' },
      timeout: 60_000,
    });
    await expect(withoutPassword).rejects.toMatchObject({
      stderr: expect.stringContaining('KAFKA_SASL_PASSWORD'),
    });
  });

  it('the built gateway acknowledges a webhook only once it is on the SASL_SSL broker', async () => {
    const topic = ShopifyKafkaTopic.Orders;
    const admin = client(saslEnv()).admin();
    await admin.connect();
    await provisionTopics(admin, [{ topic, partitions: 2, replicationFactor: 1 }]).finally(() =>
      admin.disconnect(),
    );
    const secret = `sasl-it-${randomUUID()}`;
    let logs = '';
    const gateway = await startService(
      'gateway',
      await freePort(),
      {
        ...saslEnv(),
        SHOPIFY_WEBHOOK_SECRETS: secret,
        LOG_LEVEL: 'debug',
      },
      { onOutput: (text) => (logs += text) },
    );
    try {
      const orderId = String(9_000_000_000_000_000n + BigInt(Date.now()));
      const body = Buffer.from(`{"id":${orderId},"updated_at":"2026-12-05T10:00:00Z"}`);
      const response = await fetch(`${gateway.url}/webhooks/shopify`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-hmac-sha256': signWebhookBody(secret, body),
          'x-shopify-shop-domain': 'sasl-it.myshopify.com',
          'x-shopify-webhook-id': randomUUID(),
          'x-shopify-event-id': randomUUID(),
          'x-shopify-api-version': '2026-10',
          'x-shopify-triggered-at': new Date().toISOString(),
        },
      });
      expect(response.status).toBe(200);
      const found = await collectMessages(client(saslEnv()), topic, {
        filter: (message) => message.value?.toString().includes(orderId) ?? false,
        done: (messages) => messages.length >= 1,
      });
      expect(found).toHaveLength(1);
    } finally {
      await gateway.stop();
    }
    expect(logs).not.toContain(password);
  });
});
