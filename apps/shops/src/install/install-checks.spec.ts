import { checkCallback, checkInstallRequest, authorizeUrl } from './install-checks';
import { InstallRefused, type RefusalReason } from './install-refusal';
import type { StateCheck } from './install-state';
import { signQuery } from './query-hmac';

const SECRET = 'client-secret-0123456789abcdef';
const now = new Date('2026-12-05T10:00:00.000Z');
const epoch = Math.floor(now.getTime() / 1000);
const options = { clientSecret: SECRET, now, maxSkewSeconds: 300 };

function signed(fields: Record<string, string>, secret = SECRET): Map<string, string> {
  const params = new Map(Object.entries(fields));
  params.set('hmac', signQuery(params, secret));
  return params;
}

const callbackFields = (overrides: Record<string, string> = {}) => ({
  code: 'a1b2c3',
  host: 'YWNtZS5teXNob3BpZnkuY29tL2FkbWlu',
  shop: 'acme.myshopify.com',
  state: 'nonce',
  timestamp: String(epoch - 2),
  ...overrides,
});

function reasonOf(run: () => unknown): RefusalReason {
  try {
    run();
  } catch (error) {
    if (error instanceof InstallRefused) return error.reason;
    throw error;
  }
  throw new Error('accepted');
}

describe('checkInstallRequest', () => {
  it('accepts a plain link with a shop', () => {
    expect(checkInstallRequest(new Map([['shop', 'Acme.myshopify.com']]), options)).toBe(
      'acme.myshopify.com',
    );
  });

  it("accepts Shopify's signed install request", () => {
    const params = signed({ shop: 'acme.myshopify.com', timestamp: String(epoch), host: 'x' });
    expect(checkInstallRequest(params, options)).toBe('acme.myshopify.com');
  });

  it.each<[string, Map<string, string> | null, RefusalReason]>([
    ['no shop', new Map(), 'bad_shop'],
    ['a custom domain', new Map([['shop', 'shop.example.com']]), 'bad_shop'],
    ['a repeated parameter', null, 'bad_request'],
    [
      'a forged signature',
      new Map([
        ['shop', 'acme.myshopify.com'],
        ['timestamp', String(epoch)],
        ['hmac', '00'.repeat(32)],
      ]),
      'bad_hmac',
    ],
    [
      'a signature by another secret',
      signed({ shop: 'acme.myshopify.com', timestamp: String(epoch) }, `${SECRET}x`),
      'bad_hmac',
    ],
    [
      'an old signed request',
      signed({ shop: 'acme.myshopify.com', timestamp: String(epoch - 3600) }),
      'stale_timestamp',
    ],
    [
      'a signed request without timestamp',
      signed({ shop: 'acme.myshopify.com' }),
      'stale_timestamp',
    ],
    [
      'a signed request for a bad shop',
      signed({ shop: 'evil.com', timestamp: String(epoch) }),
      'bad_shop',
    ],
  ])('refuses %s', (_, params, reason) => {
    expect(reasonOf(() => checkInstallRequest(params, options))).toBe(reason);
  });
});

describe('checkCallback', () => {
  it('returns the shop and code of a signed, fresh callback from the browser that started it', () => {
    expect(checkCallback(signed(callbackFields()), 'ok', options)).toEqual({
      shop: 'acme.myshopify.com',
      code: 'a1b2c3',
    });
  });

  it.each<[string, Map<string, string> | null, StateCheck, RefusalReason]>([
    ['a repeated parameter', null, 'ok', 'bad_request'],
    ['no hmac', new Map(Object.entries(callbackFields())), 'ok', 'bad_hmac'],
    [
      'a changed code',
      (() => {
        const p = signed(callbackFields());
        p.set('code', 'other');
        return p;
      })(),
      'ok',
      'bad_hmac',
    ],
    ['a bad shop, signed', signed(callbackFields({ shop: 'evil.com' })), 'ok', 'bad_shop'],
    [
      'an old timestamp',
      signed(callbackFields({ timestamp: String(epoch - 301) })),
      'ok',
      'stale_timestamp',
    ],
    [
      'a future timestamp',
      signed(callbackFields({ timestamp: String(epoch + 301) })),
      'ok',
      'stale_timestamp',
    ],
    ['no state cookie', signed(callbackFields()), 'missing_state', 'missing_state'],
    ['another state', signed(callbackFields()), 'state_mismatch', 'state_mismatch'],
    ['no code', signed(callbackFields({ code: '' })), 'ok', 'bad_request'],
  ])('refuses %s', (_, params, state, reason) => {
    expect(reasonOf(() => checkCallback(params, state, options))).toBe(reason);
  });

  it('checks the signature before trusting anything else', () => {
    const params = new Map(Object.entries(callbackFields({ shop: 'evil.com', timestamp: '1' })));
    params.set('hmac', 'ff'.repeat(32));
    expect(reasonOf(() => checkCallback(params, 'missing_state', options))).toBe('bad_hmac');
  });
});

describe('authorizeUrl', () => {
  const base = {
    clientId: 'client-1',
    scopes: ['read_orders', 'write_products'],
    redirectUri: 'https://shops.example.com/auth/callback',
  };

  it("points at the shop's admin in production", () => {
    const url = new URL(
      authorizeUrl('acme.myshopify.com', 'nonce', { ...base, shopUrlTemplate: 'https://{shop}' }),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://acme.myshopify.com/admin/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'client-1',
      scope: 'read_orders,write_products',
      redirect_uri: 'https://shops.example.com/auth/callback',
      state: 'nonce',
    });
  });

  it('points at the simulator when the template says so', () => {
    const url = authorizeUrl('acme.myshopify.com', 'nonce', {
      ...base,
      shopUrlTemplate: 'http://127.0.0.1:3100/shops/{shop}',
    });
    expect(
      url.startsWith('http://127.0.0.1:3100/shops/acme.myshopify.com/admin/oauth/authorize?'),
    ).toBe(true);
  });
});
