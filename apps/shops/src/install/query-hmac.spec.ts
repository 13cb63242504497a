import { createHmac } from 'node:crypto';
import { parseQuery, signedMessage, signQuery, verifyQueryHmac } from './query-hmac';

const SECRET = 'hush-0123456789abcdef';

/** A callback query signed the documented way, written out by hand rather than by the code. */
function signedCallback(extra: Record<string, string> = {}): Map<string, string> {
  const params = new Map(
    Object.entries({
      code: '0907a61c0c8d55e99db179b68161bc00',
      host: 'YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ',
      shop: 'acme.myshopify.com',
      state: 'nonce-123',
      timestamp: '1337178173',
      ...extra,
    }),
  );
  const message = [...params]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  params.set('hmac', createHmac('sha256', SECRET).update(message).digest('hex'));
  return params;
}

describe('parseQuery', () => {
  it('decodes every parameter once', () => {
    const params = parseQuery('?shop=acme.myshopify.com&state=a%20b&empty=');
    expect(params && Object.fromEntries(params)).toEqual({
      shop: 'acme.myshopify.com',
      state: 'a b',
      empty: '',
    });
  });

  it('refuses a repeated parameter', () => {
    expect(parseQuery('shop=a.myshopify.com&shop=b.myshopify.com')).toBeNull();
  });
});

describe('signedMessage', () => {
  it('drops hmac and signature, sorts by name, joins key=value with &', () => {
    const params = new Map([
      ['timestamp', '1'],
      ['hmac', 'x'],
      ['shop', 's.myshopify.com'],
      ['signature', 'y'],
      ['code', 'c'],
    ]);
    expect(signedMessage(params)).toBe('code=c&shop=s.myshopify.com&timestamp=1');
  });
});

describe('verifyQueryHmac', () => {
  it('accepts a query signed the documented way', () => {
    expect(verifyQueryHmac(signedCallback(), SECRET)).toBe(true);
  });

  it('accepts the hmac in upper-case hex', () => {
    const params = signedCallback();
    params.set('hmac', params.get('hmac')!.toUpperCase());
    expect(verifyQueryHmac(params, SECRET)).toBe(true);
  });

  it('ignores a legacy signature parameter', () => {
    const params = signedCallback();
    params.set('signature', 'anything');
    expect(verifyQueryHmac(params, SECRET)).toBe(true);
  });

  it('agrees with signQuery', () => {
    const params = signedCallback();
    expect(signQuery(params, SECRET)).toBe(params.get('hmac'));
  });

  it.each(['code', 'shop', 'state', 'timestamp', 'host'])('refuses a changed %s', (name) => {
    const params = signedCallback();
    params.set(name, `${params.get(name)}x`);
    expect(verifyQueryHmac(params, SECRET)).toBe(false);
  });

  it('refuses an added parameter', () => {
    const params = signedCallback();
    params.set('admin', '1');
    expect(verifyQueryHmac(params, SECRET)).toBe(false);
  });

  it('refuses a removed parameter', () => {
    const params = signedCallback();
    params.delete('state');
    expect(verifyQueryHmac(params, SECRET)).toBe(false);
  });

  it('refuses another secret', () => {
    expect(verifyQueryHmac(signedCallback(), `${SECRET}x`)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too short', 'ab'.repeat(31)],
    ['too long', 'ab'.repeat(33)],
    ['not hex', 'zz'.repeat(32)],
    ['base64 instead of hex', Buffer.alloc(32, 1).toString('base64')],
  ])('refuses an hmac that is %s', (_, value) => {
    const params = signedCallback();
    if (value === undefined) params.delete('hmac');
    else params.set('hmac', value);
    expect(verifyQueryHmac(params, SECRET)).toBe(false);
  });
});
