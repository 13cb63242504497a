import { CliUsageError, parseCli } from './cli-args';

describe('parseCli', () => {
  const env = { SHOPIFY_WEBHOOK_SECRET: 'env-secret' };

  it('parses the documented send example with defaults from the environment', () => {
    const parsed = parseCli(
      ['send', '--rate', '200', '--count', '1000', '--duplicates', '0.1', '--reorder-window', '20'],
      env,
    );
    expect(parsed).toMatchObject({
      command: 'send',
      options: {
        rate: 200,
        count: 1000,
        duplicates: 0.1,
        'reorder-window': 20,
        secret: 'env-secret',
        url: 'http://127.0.0.1:3000/webhooks/shopify',
        'timeout-ms': 5000,
        'connect-timeout-ms': 1000,
        'retry-time-scale': 1,
        shops: ['shopwire-demo.myshopify.com'],
      },
    });
  });

  it('parses a topic mix and bounds a run without count or duration', () => {
    const parsed = parseCli(['send', '--topics', 'orders/create=3,orders/cancelled'], env);
    expect(parsed.command === 'send' && parsed.options.topics).toEqual({
      'orders/create': 3,
      'orders/cancelled': 1,
    });
    expect(parsed.command === 'send' && parsed.options.count).toBe(1000);
    const timed = parseCli(['send', '--duration', '30'], env);
    expect(timed.command === 'send' && timed.options.count).toBeUndefined();
  });

  it.each([
    [['send'], {}, /secret/],
    [['send', '--rate', 'fast'], env, /--rate/],
    [['send', '--duplicates', '2'], env, /--duplicates/],
    [['send', '--topics', 'orders/deleted'], env, /unknown topic/],
    [['send', '--shops', 'evil.example.com'], env, /--shops/],
    [['send', '--nope'], env, /nope/],
    [['launch'], env, /unknown command/],
  ])('rejects %j with a clear message', (argv, environment, message) => {
    expect(() => parseCli(argv, environment)).toThrow(CliUsageError);
    expect(() => parseCli(argv, environment)).toThrow(message);
  });
});
