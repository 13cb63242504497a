import { runReconcileSubscriptionsCli, runWebhooksTomlCli } from './subscriptions-cli';

function io(env: Record<string, string | undefined> = {}, fetchImpl?: typeof fetch) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env, fetch: fetchImpl },
  };
}

describe('webhooks-toml', () => {
  it('prints the section for SHOPIFY_WEBHOOK_URL', () => {
    const t = io({ SHOPIFY_WEBHOOK_URL: 'https://gw.example.com/webhooks/shopify' });
    expect(runWebhooksTomlCli([], t.io)).toBe(0);
    expect(t.out.join('\n')).toContain('uri = "https://gw.example.com/webhooks/shopify"');
  });

  it('refuses without the endpoint, or with an unknown flag', () => {
    const t = io();
    expect(runWebhooksTomlCli([], t.io)).toBe(2);
    expect(t.err.join('\n')).toMatch(/SHOPIFY_WEBHOOK_URL is not set/);
    expect(
      runWebhooksTomlCli(['--nope'], io({ SHOPIFY_WEBHOOK_URL: 'https://x.example.com/w' }).io),
    ).toBe(2);
  });
});

describe('reconcile-subscriptions', () => {
  it('refuses a malformed shop or a missing token before calling anything', async () => {
    const never = (() => Promise.reject(new Error('called'))) as unknown as typeof fetch;
    expect(
      await runReconcileSubscriptionsCli(
        ['evil.example.com'],
        io({ SHOPS_API_TOKEN: 't' }, never).io,
      ),
    ).toBe(2);
    expect(await runReconcileSubscriptionsCli(['a.myshopify.com'], io({}, never).io)).toBe(2);
  });

  it('prints the report and exits 1 when a change failed', async () => {
    let called = '';
    const fake = (async (url: string, init: RequestInit) => {
      called = `${init.method} ${url} ${(init.headers as Record<string, string>).authorization}`;
      return new Response(JSON.stringify({ shop: 'a.myshopify.com', failed: [{ topic: 'x' }] }));
    }) as unknown as typeof fetch;
    const t = io({ SHOPS_URL: 'http://127.0.0.1:3006/', SHOPS_API_TOKEN: 'secret-token' }, fake);
    expect(await runReconcileSubscriptionsCli(['a.myshopify.com'], t.io)).toBe(1);
    expect(called).toBe(
      'POST http://127.0.0.1:3006/shops/a.myshopify.com/webhook-subscriptions/reconcile Bearer secret-token',
    );
    expect(t.out[0]).toContain('"failed"');
  });
});
