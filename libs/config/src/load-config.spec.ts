import { z } from 'zod';
import { apiTokensEnv, csv, port } from './env';
import { kafkaEnv } from './kafka-connection';
import { ConfigError, loadConfig } from './load-config';

const schema = z.object({
  ...kafkaEnv,
  ...apiTokensEnv,
  PORT: port(3000),
  SHOPIFY_WEBHOOK_SECRETS: csv('SHOPIFY_WEBHOOK_SECRETS'),
});

describe('loadConfig', () => {
  it('parses lists, ports and defaults', () => {
    const config = loadConfig(schema, {
      SHOPIFY_WEBHOOK_SECRETS: 'new, old ,',
      API_TOKENS: 'ops:0123456789abcdef0123',
    });
    expect(config.SHOPIFY_WEBHOOK_SECRETS).toEqual(['new', 'old']);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.PORT).toBe(3000);
    expect(config.API_TOKENS.get('0123456789abcdef0123')).toBe('ops');
  });

  it('names every bad variable and never echoes a value', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(schema, { PORT: '99999', API_TOKENS: 'ops:short-secret' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['API_TOKENS', 'PORT', 'SHOPIFY_WEBHOOK_SECRETS'].sort(),
    );
    expect(error!.message).not.toContain('short-secret');
  });

  it('rejects an empty secret list', () => {
    expect(() =>
      loadConfig(schema, { SHOPIFY_WEBHOOK_SECRETS: ' , ', API_TOKENS: 'a:0123456789abcdef' }),
    ).toThrow(/SHOPIFY_WEBHOOK_SECRETS/);
  });
});
