import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { provisionTopics } from '@shopwire/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './sim-process';

const run = promisify(execFile);
const ROOT = join(__dirname, '../../..');
const INFRA = join(ROOT, 'scripts/infra.sh');

/**
 * A broker of one suite's own: a second Apache Kafka from `scripts/infra.sh`, on free ports, with
 * its own data, pid and logs in a temporary directory (the shared broker's jars, when present,
 * spare a Maven fetch). A suite whose fault is the broker going away stops and starts this one,
 * so it runs beside the other suites instead of after them, alone, and the shared broker is never
 * touched.
 */
export interface OwnKafka {
  /** `host:port` for KAFKA_BROKERS. */
  readonly brokers: string;
  /** A client of this broker, with the test probes' quick timeouts. */
  kafka(clientId?: string): Kafka;
  /** Stops the broker, keeping its data: an outage. */
  stop(): Promise<void>;
  /** Starts it again and waits until it answers. */
  start(): Promise<void>;
  /** Stops it for good and deletes its data. */
  remove(): Promise<void>;
}

/** Starts a private broker and creates `topics` on it (it never auto-creates them). */
export async function startOwnKafka(
  topics: readonly string[],
  { partitions = 3 }: { partitions?: number } = {},
): Promise<OwnKafka> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'shopwire-own-kafka-'));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    INFRA_MODE: 'local',
    KAFKA_HOST: '127.0.0.1',
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_CACHE_DIR: cacheDir,
    KAFKA_LIBS_DIR:
      process.env.KAFKA_LIBS_DIR ??
      join(process.env.KAFKA_CACHE_DIR ?? join(ROOT, '.cache/kafka'), 'libs'),
    // A single test's traffic: a small heap keeps a second JVM cheap on a 2-core machine.
    KAFKA_HEAP: '-Xms128m -Xmx256m',
    KAFKA_READY_TIMEOUT: '150',
    // No secured listeners: this broker is the plain one a suite's services reach.
    KAFKA_SASL_SSL_PORT: '',
    KAFKA_SSL_PORT: '',
  };
  const infra = (command: string, timeout: number) =>
    run('bash', [INFRA, command], { env, timeout }).then(() => undefined);
  const brokers = `127.0.0.1:${port}`;
  const kafka = (clientId = 'shopwire-test-own-broker') =>
    new Kafka({
      clientId,
      brokers: [brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 5, initialRetryTime: 100 },
    });

  try {
    await infra('up', 240_000);
    const admin = kafka().admin();
    await admin.connect();
    try {
      await provisionTopics(
        admin,
        topics.map((topic) => ({ topic, partitions, replicationFactor: 1 })),
      );
    } finally {
      await admin.disconnect();
    }
  } catch (error) {
    await infra('down', 90_000).catch(() => undefined);
    rmSync(cacheDir, { recursive: true, force: true });
    throw error;
  }

  return {
    brokers,
    kafka,
    stop: () => infra('kafka-stop', 60_000),
    start: () => infra('kafka-start', 180_000),
    remove: async () => {
      await infra('down', 90_000);
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
