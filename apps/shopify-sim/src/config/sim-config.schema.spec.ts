import { ConfigError, loadConfig } from '@shopwire/config';
import { simConfigSchema } from './sim-config.schema';

const base = { API_TOKENS: 'demo:0123456789abcdef0123', SHOPIFY_WEBHOOK_SECRET: 'a-long-secret' };

describe('simConfigSchema', () => {
  it('applies Shopify-faithful defaults', () => {
    const config = loadConfig(simConfigSchema, base);
    expect(config).toMatchObject({
      PORT: 3100,
      GATEWAY_URL: 'http://127.0.0.1:3000/webhooks/shopify',
      DELIVERY_CONNECT_TIMEOUT_MS: 1000,
      DELIVERY_TIMEOUT_MS: 5000,
      RETRY_TIME_SCALE: 1,
      SIM_SHOPS: ['shopwire-demo.myshopify.com'],
    });
    expect(config.SIM_AUTOSTART_RATE).toBeUndefined();
  });

  it.each([
    ['20', 20],
    ['20/s', 20],
    ['1200/min', 20],
  ])('reads SIM_AUTOSTART_RATE=%s as %d/s', (text, rate) => {
    expect(
      loadConfig(simConfigSchema, { ...base, SIM_AUTOSTART_RATE: text }).SIM_AUTOSTART_RATE,
    ).toBe(rate);
  });

  it('names every bad variable without echoing secrets', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(simConfigSchema, {
        API_TOKENS: base.API_TOKENS,
        SHOPIFY_WEBHOOK_SECRET: 'short',
        SIM_AUTOSTART_RATE: 'lots',
        SIM_SHOPS: 'shop.example.com',
        RETRY_TIME_SCALE: '0',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['RETRY_TIME_SCALE', 'SHOPIFY_WEBHOOK_SECRET', 'SIM_AUTOSTART_RATE', 'SIM_SHOPS'].sort(),
    );
    expect(error!.message).not.toContain('short');
  });
});
