import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { booleanFlag, csv } from './env';
import { ConfigError } from './load-config';

/**
 * How every Shopwire process reaches Kafka: the brokers, TLS (server verification, optionally a
 * client certificate for mTLS) and SASL. Services, scripts, benchmarks and test probes all build
 * their kafkajs options with `kafkaConnection`, so a managed cluster is one set of variables away.
 */

/** Compose files and ConfigMaps write `VAR=` for "not set"; treat that like an absent variable. */
const unsetIfEmpty = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalText = z.preprocess(unsetIfEmpty, z.string().optional());

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export const kafkaEnv = {
  KAFKA_BROKERS: csv('KAFKA_BROKERS (host:port list)').default('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  /**
   * Consumers' session timeout: how long a group waits for a member that vanished without leaving
   * (a killed process) before its partitions go to the others, so also how long a restarted
   * replica waits for them. 6 s is the broker's smallest (group.min.session.timeout.ms); fault
   * tests use 10 s rather than wait out the default.
   */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  /** Connect with TLS; the broker's certificate is always verified (system CAs or the CA file). */
  KAFKA_SSL: z.preprocess(unsetIfEmpty, booleanFlag(false)),
  /** PEM bundle of the CA(s) that signed the brokers' certificates, when not a public CA. */
  KAFKA_SSL_CA_FILE: optionalText,
  /** PEM client certificate (mTLS); needs KAFKA_SSL_KEY_FILE. */
  KAFKA_SSL_CERT_FILE: optionalText,
  /** PEM private key of the client certificate. */
  KAFKA_SSL_KEY_FILE: optionalText,
  /** Passphrase of an encrypted KAFKA_SSL_KEY_FILE. */
  KAFKA_SSL_KEY_PASSWORD: optionalText,
  KAFKA_SASL_MECHANISM: z.preprocess(
    (value) =>
      typeof unsetIfEmpty(value) === 'string' ? String(value).trim().toLowerCase() : undefined,
    z
      .enum(KAFKA_SASL_MECHANISMS, {
        errorMap: () => ({ message: `must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}` }),
      })
      .optional(),
  ),
  KAFKA_SASL_USERNAME: optionalText,
  KAFKA_SASL_PASSWORD: optionalText,
};

/** The fields `kafkaConnection` reads: every schema that spreads `kafkaEnv` has them. */
export interface KafkaConnectionConfig {
  KAFKA_BROKERS: string[];
  KAFKA_SSL?: boolean;
  KAFKA_SSL_CA_FILE?: string;
  KAFKA_SSL_CERT_FILE?: string;
  KAFKA_SSL_KEY_FILE?: string;
  KAFKA_SSL_KEY_PASSWORD?: string;
  KAFKA_SASL_MECHANISM?: KafkaSaslMechanism;
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
}

/** kafkajs's connection options: spread into `new Kafka({...})` or `createKafkaClient({...})`. */
export interface KafkaConnection {
  brokers: string[];
  ssl?: ConnectionOptions | true;
  sasl?: SASLOptions;
}

/** The listener kind a connection needs, as Kafka names it (for logs; holds nothing secret). */
export function kafkaSecurityProtocol(connection: KafkaConnection): string {
  const tls = connection.ssl ? 'SSL' : 'PLAINTEXT';
  if (!connection.sasl) return tls;
  return connection.ssl ? 'SASL_SSL' : 'SASL_PLAINTEXT';
}

/**
 * Maps the validated variables to kafkajs options. Combinations that cannot work, or that would
 * silently weaken what the operator asked for, are refused with a ConfigError naming the
 * variables (never a value): files without KAFKA_SSL, half an mTLS pair, a mechanism without
 * credentials or credentials without a mechanism, and PLAIN without TLS (it sends the password
 * as is). Certificate files are read here, once, so a wrong path fails at boot.
 */
export function kafkaConnection(
  config: KafkaConnectionConfig,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): KafkaConnection {
  const problems: string[] = [];
  const ssl = config.KAFKA_SSL === true;
  const files = {
    KAFKA_SSL_CA_FILE: config.KAFKA_SSL_CA_FILE,
    KAFKA_SSL_CERT_FILE: config.KAFKA_SSL_CERT_FILE,
    KAFKA_SSL_KEY_FILE: config.KAFKA_SSL_KEY_FILE,
  };
  for (const [name, value] of Object.entries(files)) {
    if (value && !ssl) problems.push(`${name}: is set but KAFKA_SSL is not true`);
  }
  if (config.KAFKA_SSL_KEY_PASSWORD && !config.KAFKA_SSL_KEY_FILE)
    problems.push('KAFKA_SSL_KEY_PASSWORD: is set without KAFKA_SSL_KEY_FILE');
  if (Boolean(config.KAFKA_SSL_CERT_FILE) !== Boolean(config.KAFKA_SSL_KEY_FILE))
    problems.push(
      'KAFKA_SSL_CERT_FILE/KAFKA_SSL_KEY_FILE: a client certificate needs both the certificate and its key',
    );

  const mechanism = config.KAFKA_SASL_MECHANISM;
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  if (mechanism) {
    if (!username) problems.push(`KAFKA_SASL_USERNAME: is required with KAFKA_SASL_MECHANISM`);
    if (!password) problems.push(`KAFKA_SASL_PASSWORD: is required with KAFKA_SASL_MECHANISM`);
    if (mechanism === 'plain' && !ssl)
      problems.push(
        'KAFKA_SASL_MECHANISM: plain sends the password unencrypted; set KAFKA_SSL=true',
      );
  } else if (username || password) {
    problems.push('KAFKA_SASL_MECHANISM: is required when KAFKA_SASL_USERNAME/PASSWORD are set');
  }

  let tlsOptions: ConnectionOptions | true | undefined;
  if (ssl && problems.length === 0) {
    const read = (name: keyof typeof files): string | undefined => {
      const path = files[name];
      if (!path) return undefined;
      try {
        return readFile(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        problems.push(`${name}: cannot read ${path} (${code})`);
        return undefined;
      }
    };
    const ca = read('KAFKA_SSL_CA_FILE');
    const cert = read('KAFKA_SSL_CERT_FILE');
    const key = read('KAFKA_SSL_KEY_FILE');
    // Without files, `true` means Node's defaults: the system CAs, hostname checked.
    tlsOptions =
      ca || cert
        ? {
            ...(ca ? { ca: [ca] } : {}),
            ...(cert ? { cert, key, passphrase: config.KAFKA_SSL_KEY_PASSWORD } : {}),
            // Spelled out so that nobody "fixes" a handshake by turning verification off here.
            rejectUnauthorized: true,
          }
        : true;
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const connection: KafkaConnection = { brokers: config.KAFKA_BROKERS };
  if (tlsOptions) connection.ssl = tlsOptions;
  if (mechanism && username && password)
    connection.sasl = saslOptions(mechanism, username, password);
  return connection;
}

/**
 * The password is a non-enumerable property: kafkajs reads it by name, while a log line, JSON or
 * `util.inspect` of the options (or of an error carrying them) leaves it out.
 */
function saslOptions(
  mechanism: KafkaSaslMechanism,
  username: string,
  password: string,
): SASLOptions {
  const options = { mechanism, username } as SASLOptions & { password: string };
  Object.defineProperty(options, 'password', { value: password, enumerable: false });
  return options;
}
