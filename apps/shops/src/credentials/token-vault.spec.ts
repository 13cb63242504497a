import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { KeyRing, KeyRingError, parseKeyRing } from './key-ring';
import { TokenVault, TokenVaultError, tokenSha256 } from './token-vault';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');

describe('parseKeyRing', () => {
  it('takes the first key as the active one and keeps every key for decrypting', () => {
    const ring = parseKeyRing(` new:${k2} , old:${k1}`);
    expect(ring.activeId).toBe('new');
    expect(ring.ids).toEqual(['new', 'old']);
  });

  it.each([
    ['', 'lists no key'],
    [`:${k1}`, 'entry 1: expected kid:base64'],
    [`k1`, 'entry 1: expected kid:base64'],
    [`k 1:${k1}`, 'entry 1: expected kid:base64'],
    [`k1:${k1},k2:not*base64`, 'entry 2 (key "k2"): the key is not base64'],
    [`k1:${randomBytes(16).toString('base64')}`, 'the key is 16 bytes, AES-256 needs 32'],
    [`k1:${k1},k1:${k2}`, 'key id "k1" is listed twice'],
  ])('refuses %j with a message that names no key material', (value, message) => {
    let error: unknown;
    try {
      parseKeyRing(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyRingError);
    expect((error as Error).message).toContain(message);
    for (const material of value.split(',').map((e) => e.slice(e.indexOf(':') + 1))) {
      if (material.length >= 8) expect((error as Error).message).not.toContain(material);
    }
  });

  it('shows ids, never bytes, when dumped', () => {
    const ring = parseKeyRing(`a:${k1}`);
    expect(JSON.stringify({ ring })).toBe('{"ring":{"active":"a","ids":["a"]}}');
    expect(inspect(ring)).not.toContain(k1);
  });
});

describe('TokenVault', () => {
  const ring = new KeyRing([
    { id: 'new', key: Buffer.from(k2, 'base64') },
    { id: 'old', key: Buffer.from(k1, 'base64') },
  ]);
  const vault = new TokenVault(ring);
  const shop = 'acme.myshopify.com';

  it('round-trips under the active key with a fresh IV each time', () => {
    const a = vault.seal(shop, 'access_token', 'shpat_secret');
    const b = vault.seal(shop, 'access_token', 'shpat_secret');
    expect(a.keyId).toBe('new');
    expect(a.value.equals(b.value)).toBe(false);
    expect(a.value.includes(Buffer.from('shpat_secret'))).toBe(false);
    expect(vault.open(shop, 'access_token', a)).toBe('shpat_secret');
  });

  it('opens values sealed under an older key still in the ring', () => {
    const sealed = vault.seal(shop, 'refresh_token', 'shprt_x', 'old');
    expect(vault.open(shop, 'refresh_token', sealed)).toBe('shprt_x');
  });

  it('refuses another shop, another column, a flipped bit and a removed key', () => {
    const sealed = vault.seal(shop, 'access_token', 'shpat_secret');
    expect(() => vault.open('other.myshopify.com', 'access_token', sealed)).toThrow(
      TokenVaultError,
    );
    expect(() => vault.open(shop, 'refresh_token', sealed)).toThrow(TokenVaultError);
    for (const at of [0, 13, sealed.value.length - 1]) {
      const tampered = Buffer.from(sealed.value);
      tampered[at] ^= 1;
      expect(() => vault.open(shop, 'access_token', { ...sealed, value: tampered })).toThrow(
        /does not authenticate/,
      );
    }
    expect(() =>
      vault.open(shop, 'access_token', { ...sealed, value: sealed.value.subarray(0, 20) }),
    ).toThrow(TokenVaultError);
    const oldOnly = vault.seal(shop, 'access_token', 't', 'old');
    const without = new TokenVault(new KeyRing([{ id: 'new', key: Buffer.from(k2, 'base64') }]));
    expect(() => without.open(shop, 'access_token', oldOnly)).toThrow(/no longer lists/);
  });

  it('never quotes the plaintext in its errors', () => {
    const sealed = vault.seal(shop, 'access_token', 'shpat_secret');
    try {
      vault.open('other.myshopify.com', 'access_token', sealed);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('shpat_secret');
    }
  });

  it('hashes tokens as hex SHA-256', () => {
    expect(tokenSha256('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
