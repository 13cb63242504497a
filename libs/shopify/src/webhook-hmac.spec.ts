import { signWebhookBody, verifyWebhookHmac } from './webhook-hmac';

// Computed independently with `openssl dgst -sha256 -hmac 'hush-secret' -binary | base64`.
const BODY = Buffer.from('{"id":820982911946154508,"total_price":"199.65"}');
const SECRET = 'hush-secret';
const OPENSSL_SIGNATURE = 'pEn0eZ7mavBDk2RmkTxf62DYx9xtuP5F0ylytTnMefY=';

describe('webhook HMAC', () => {
  it('computes Shopify’s signature: base64 HMAC-SHA256 over the raw bytes', () => {
    expect(signWebhookBody(SECRET, BODY)).toBe(OPENSSL_SIGNATURE);
  });

  it('accepts the correct signature', () => {
    expect(verifyWebhookHmac(BODY, OPENSSL_SIGNATURE, [SECRET])).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyWebhookHmac(BODY, signWebhookBody('other', BODY), [SECRET])).toBe(false);
  });

  it('rejects when the body was re-serialised (big ids rounded by JSON.parse)', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY.toString())));
    expect(reserialised.equals(BODY)).toBe(false);
    expect(verifyWebhookHmac(reserialised, OPENSSL_SIGNATURE, [SECRET])).toBe(false);
  });

  it('rejects a body altered by one byte', () => {
    const altered = Buffer.from(BODY);
    altered[altered.length - 3] ^= 1;
    expect(verifyWebhookHmac(altered, OPENSSL_SIGNATURE, [SECRET])).toBe(false);
  });

  it('accepts the old and the new secret during a rotation', () => {
    const secrets = ['new-secret', SECRET];
    expect(verifyWebhookHmac(BODY, OPENSSL_SIGNATURE, secrets)).toBe(true);
    expect(verifyWebhookHmac(BODY, signWebhookBody('new-secret', BODY), secrets)).toBe(true);
    expect(verifyWebhookHmac(BODY, signWebhookBody('retired', BODY), secrets)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not base64 of 32 bytes', 'abc'],
    ['truncated', OPENSSL_SIGNATURE.slice(0, 20)],
    ['hex instead of base64', Buffer.from(OPENSSL_SIGNATURE, 'base64').toString('hex')],
  ])('rejects a %s signature', (_label, signature) => {
    expect(verifyWebhookHmac(BODY, signature, [SECRET])).toBe(false);
  });

  it('rejects everything when no secret is configured', () => {
    expect(verifyWebhookHmac(BODY, OPENSSL_SIGNATURE, [])).toBe(false);
  });
});
