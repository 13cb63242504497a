import { inspect } from 'node:util';
import pino from 'pino';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { kafkaConnection, kafkaEnv, kafkaSecurityProtocol } from './kafka-connection';
import { ConfigError, loadConfig } from './load-config';

const schema = z.object(kafkaEnv);
const FILES: Record<string, string> = {
  '/etc/kafka/ca.pem': 'CA PEM',
  '/etc/kafka/client.pem': 'CLIENT CERT PEM',
  '/etc/kafka/client.key': 'CLIENT KEY PEM',
};
const readFile = (path: string): string => {
  const content = FILES[path];
  if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return content;
};
const connect = (env: Record<string, string>) => kafkaConnection(loadConfig(schema, env), readFile);

/** The problems a rejected environment is refused with, variable names first. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    connect(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('kafkaConnection', () => {
  it('is plain PLAINTEXT by default: brokers only, no ssl, no sasl', () => {
    const connection = connect({});
    expect(connection).toEqual({ brokers: ['127.0.0.1:9092'] });
    expect(kafkaSecurityProtocol(connection)).toBe('PLAINTEXT');
  });

  it('treats empty variables (compose `VAR=`) as unset', () => {
    const connection = connect({
      KAFKA_SSL: '',
      KAFKA_SASL_MECHANISM: '',
      KAFKA_SASL_USERNAME: '',
      KAFKA_SASL_PASSWORD: ' ',
      KAFKA_SSL_CA_FILE: '',
    });
    expect(connection).toEqual({ brokers: ['127.0.0.1:9092'] });
  });

  it('KAFKA_SSL alone: TLS with the system CAs and verification on', () => {
    const connection = connect({ KAFKA_SSL: 'true', KAFKA_BROKERS: 'b1:9094,b2:9094' });
    expect(connection).toEqual({ brokers: ['b1:9094', 'b2:9094'], ssl: true });
    expect(kafkaSecurityProtocol(connection)).toBe('SSL');
  });

  it('a CA file is read and trusted; verification stays on', () => {
    const connection = connect({ KAFKA_SSL: '1', KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' });
    expect(connection.ssl).toEqual({ ca: ['CA PEM'], rejectUnauthorized: true });
  });

  it('mTLS: certificate, key and passphrase are mapped', () => {
    const connection = connect({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem',
      KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem',
      KAFKA_SSL_KEY_FILE: '/etc/kafka/client.key',
      KAFKA_SSL_KEY_PASSWORD: 'key-pass',
    });
    expect(connection.ssl).toEqual({
      ca: ['CA PEM'],
      cert: 'CLIENT CERT PEM',
      key: 'CLIENT KEY PEM',
      passphrase: 'key-pass',
      rejectUnauthorized: true,
    });
    expect(connection.sasl).toBeUndefined();
  });

  it.each([
    ['scram-sha-512', 'scram-sha-512'],
    ['SCRAM-SHA-512', 'scram-sha-512'],
    ['scram-sha-256', 'scram-sha-256'],
    ['plain', 'plain'],
  ])('SASL %s over TLS maps to kafkajs mechanism %s', (given, expected) => {
    const connection = connect({
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: given,
      KAFKA_SASL_USERNAME: 'shopwire',
      KAFKA_SASL_PASSWORD: 's3cret-value',
    });
    expect(connection.sasl).toMatchObject({ mechanism: expected, username: 'shopwire' });
    expect((connection.sasl as { password: string }).password).toBe('s3cret-value');
    expect(kafkaSecurityProtocol(connection)).toBe('SASL_SSL');
  });

  it('SCRAM without TLS is allowed (SASL_PLAINTEXT): the password never crosses the wire', () => {
    const connection = connect({
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'shopwire',
      KAFKA_SASL_PASSWORD: 's3cret-value',
    });
    expect(connection.ssl).toBeUndefined();
    expect(kafkaSecurityProtocol(connection)).toBe('SASL_PLAINTEXT');
  });

  it('keeps the password out of JSON, inspect and pino output', () => {
    const connection = connect({
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'shopwire',
      KAFKA_SASL_PASSWORD: 's3cret-value',
    });
    let logged = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    pino(sink).info({ connection }, 'connecting');
    expect(logged).toContain('shopwire');
    for (const text of [JSON.stringify(connection), inspect(connection, { depth: 5 }), logged])
      expect(text).not.toContain('s3cret-value');
  });

  it.each<[string, Record<string, string>, string[]]>([
    ['files without KAFKA_SSL', { KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' }, ['KAFKA_SSL_CA_FILE']],
    [
      'a certificate without its key',
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/etc/kafka/client.pem' },
      ['KAFKA_SSL_CERT_FILE/KAFKA_SSL_KEY_FILE'],
    ],
    [
      'a key password without a key',
      { KAFKA_SSL: 'true', KAFKA_SSL_KEY_PASSWORD: 'x' },
      ['KAFKA_SSL_KEY_PASSWORD'],
    ],
    [
      'a mechanism without credentials',
      { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512' },
      ['KAFKA_SASL_PASSWORD', 'KAFKA_SASL_USERNAME'],
    ],
    [
      'credentials without a mechanism',
      { KAFKA_SASL_USERNAME: 'shopwire', KAFKA_SASL_PASSWORD: 's3cret-value' },
      ['KAFKA_SASL_MECHANISM'],
    ],
    [
      'PLAIN without TLS',
      {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 's3cret-value',
      },
      ['KAFKA_SASL_MECHANISM'],
    ],
    [
      'a missing CA file',
      { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nowhere/ca.pem' },
      ['KAFKA_SSL_CA_FILE'],
    ],
  ])('refuses %s, naming the variables and no value', (_case, env, names) => {
    const problems = problemsOf(env);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(names);
    expect(problems.join('\n')).not.toContain('s3cret-value');
  });

  it('refuses an unknown mechanism at load time', () => {
    expect(() => loadConfig(schema, { KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(
      /KAFKA_SASL_MECHANISM: must be one of plain, scram-sha-256, scram-sha-512/,
    );
  });
});
