import { createHmac } from 'node:crypto';
import { isShopDomain, mintSessionToken, signQuery, verifySessionToken } from './oauth-crypto';

const SECRET = 'hush-hush-secret';
const SHOP = 'a-shop.myshopify.com';
const NOW = 1_800_000_000;

describe('signQuery', () => {
  it('signs the sorted key=value pairs without hmac, hex', () => {
    const params = { timestamp: '1', shop: SHOP, code: 'abc', hmac: 'ignored', state: 'n' };
    const expected = createHmac('sha256', SECRET)
      .update(`code=abc&shop=${SHOP}&state=n&timestamp=1`)
      .digest('hex');
    expect(signQuery(params, SECRET)).toBe(expected);
  });

  it('matches a digest computed outside Node (openssl), hex', () => {
    // printf '%s' 'code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173' \
    //   | openssl dgst -sha256 -hmac hush
    const params = {
      hmac: 'dropped',
      timestamp: '1337178173',
      state: '0.6784241404160823',
      shop: 'some-shop.myshopify.com',
      code: '0907a61c0c8d55e99db179b68161bc00',
    };
    expect(signQuery(params, 'hush')).toBe(
      '700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf',
    );
  });

  it('changes with any value', () => {
    const base = { code: 'abc', shop: SHOP, timestamp: '1' };
    expect(signQuery({ ...base, code: 'abd' }, SECRET)).not.toBe(signQuery(base, SECRET));
  });
});

describe('session tokens', () => {
  const secretFor = (aud: string) => (aud === 'client-1' ? SECRET : undefined);
  const mint = (ttlSeconds = 60, nowSeconds = NOW) =>
    mintSessionToken(SHOP, 'client-1', SECRET, { nowSeconds, ttlSeconds });

  it('round-trips with Shopify claims', () => {
    const token = mint();
    expect(verifySessionToken(token, secretFor, NOW)).toEqual({
      ok: true,
      shop: SHOP,
      clientId: 'client-1',
    });
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({
      iss: `https://${SHOP}/admin`,
      dest: `https://${SHOP}`,
      aud: 'client-1',
      exp: NOW + 60,
      nbf: NOW,
    });
  });

  it.each([
    ['a tampered signature', (t: string) => `${t.slice(0, -2)}xx`, 'bad signature'],
    [
      'a tampered payload',
      (t: string) =>
        t.replace(
          /\.[^.]+\./,
          `.${Buffer.from('{"aud":"client-1","exp":9999999999,"nbf":0,"dest":"https://x.myshopify.com"}').toString('base64url')}.`,
        ),
      'bad signature',
    ],
    ['garbage', () => 'not-a-jwt', 'not a JWT'],
  ])('refuses %s', (_name, tamper, reason) => {
    expect(verifySessionToken(tamper(mint()), secretFor, NOW)).toEqual({ ok: false, reason });
  });

  it('refuses another audience, expiry and not-yet-valid', () => {
    const other = mintSessionToken(SHOP, 'client-2', SECRET, { nowSeconds: NOW, ttlSeconds: 60 });
    expect(verifySessionToken(other, secretFor, NOW)).toMatchObject({ reason: 'unknown audience' });
    expect(verifySessionToken(mint(60), secretFor, NOW + 120)).toMatchObject({ reason: 'expired' });
    expect(verifySessionToken(mint(60, NOW + 100), secretFor, NOW)).toMatchObject({
      reason: 'not yet valid',
    });
  });

  it('refuses a token signed with another secret', () => {
    const token = mintSessionToken(SHOP, 'client-1', 'another-secret', {
      nowSeconds: NOW,
      ttlSeconds: 60,
    });
    expect(verifySessionToken(token, secretFor, NOW)).toMatchObject({ reason: 'bad signature' });
  });
});

describe('isShopDomain', () => {
  it.each([
    [SHOP, true],
    ['UPPER.myshopify.com', false],
    ['-x.myshopify.com', false],
    ['x.myshopify.com.evil.com', false],
    [42, false],
  ])('%s → %s', (value, expected) => expect(isShopDomain(value)).toBe(expected));
});
