import {
  Kafka,
  logLevel,
  type Consumer,
  type ConsumerConfig,
  type KafkaConfig,
  type LogEntry,
} from 'kafkajs';
import type { Logger } from 'pino';
import { heartbeatIntervalFor } from './consumer-helpers';
// Side effect: stops every kafkajs connection in this process from busy-looping while idle.
import './request-queue-fix';

export interface KafkaClientOptions {
  brokers: string[];
  /**
   * TLS and SASL, as `kafkaConnection` (@shopwire/config) builds them from KAFKA_SSL* and
   * KAFKA_SASL_*: callers spread its result into these options.
   */
  ssl?: KafkaConfig['ssl'];
  sasl?: KafkaConfig['sasl'];
  clientId: string;
  logger: Logger;
  /** How long to wait for a TCP connection to a broker. */
  connectionTimeoutMs?: number;
  /** How long one request may take before kafkajs retries it. */
  requestTimeoutMs?: number;
  retry?: KafkaConfig['retry'];
  /**
   * Session timeout of every consumer made from this client that does not set its own (default
   * 30 s, kafkajs's): how long its group waits for a member that vanished without leaving — a
   * killed process — before the member's partitions go to the others. A restarted replica waits
   * that long to get them back. Heartbeats go every third of it, at most every 3 s.
   */
  consumerSessionTimeoutMs?: number;
}

export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;

/** A kafkajs client whose consumers default to the session timeout it was created with. */
class ConfiguredKafka extends Kafka {
  constructor(
    config: KafkaConfig,
    private readonly sessionTimeoutMs: number,
  ) {
    super(config);
  }

  override consumer(config: ConsumerConfig): Consumer {
    const sessionTimeout = config.sessionTimeout ?? this.sessionTimeoutMs;
    return super.consumer({
      heartbeatInterval: heartbeatIntervalFor(sessionTimeout),
      ...config,
      sessionTimeout,
    });
  }
}

const LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose own log lines come out through our JSON logger. kafkajs logs at ERROR
 * for every retried connection failure; those are demoted to WARN so that an outage we handle
 * (the gateway answers 503, consumers wait) does not read like a crash.
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    ssl: options.ssl,
    sasl: options.sasl,
    connectionTimeout: options.connectionTimeoutMs ?? 1000,
    requestTimeout: options.requestTimeoutMs ?? 5000,
    retry: options.retry ?? { initialRetryTime: 100, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        const target = level === logLevel.ERROR ? 'warn' : (LEVEL[level] ?? 'info');
        log[target]({ ...rest, timestamp: undefined }, message);
      },
  };
  return new ConfiguredKafka(
    config,
    options.consumerSessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
  );
}
