import { SignJWT, UnsecuredJWT } from 'jose';
import { createHmac } from 'node:crypto';
import { SessionTokenRefused, verifySessionToken, type SessionTokenProblem } from './session-token';

const CLIENT_ID = 'client-id-123';
const SECRET = 'client-secret-0123456789abcdef';
const SHOP = 'acme.myshopify.com';
const now = new Date('2026-12-05T10:00:00.000Z');
const epoch = Math.floor(now.getTime() / 1000);
const options = { clientId: CLIENT_ID, clientSecret: SECRET, clockToleranceSeconds: 5, now };

interface Claims {
  iss?: string;
  dest?: string;
  aud?: string | string[];
  sub?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
}

const claims = (overrides: Claims = {}): Claims => ({
  iss: `https://${SHOP}/admin`,
  dest: `https://${SHOP}`,
  aud: CLIENT_ID,
  sub: '42',
  exp: epoch + 60,
  nbf: epoch - 1,
  iat: epoch - 1,
  ...overrides,
});

/** A token as Shopify signs it (jose, HS256 with the client secret). */
async function token(overrides: Claims = {}, secret = SECRET, alg = 'HS256'): Promise<string> {
  const payload = Object.fromEntries(
    Object.entries(claims(overrides)).filter(([, v]) => v !== undefined),
  );
  return new SignJWT(payload)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

async function problemOf(jwt: string): Promise<SessionTokenProblem> {
  try {
    await verifySessionToken(jwt, options);
  } catch (error) {
    if (error instanceof SessionTokenRefused) return error.problem;
    throw error;
  }
  throw new Error('accepted');
}

describe('verifySessionToken', () => {
  it("accepts Shopify's token and returns the shop and user", async () => {
    await expect(verifySessionToken(await token(), options)).resolves.toEqual({
      shop: SHOP,
      userId: '42',
    });
  });

  it('accepts a token without a user (sub)', async () => {
    const verified = await verifySessionToken(await token({ sub: undefined }), options);
    expect(verified.userId).toBeNull();
  });

  it('accepts a token that expired within the clock tolerance', async () => {
    await expect(verifySessionToken(await token({ exp: epoch - 3 }), options)).resolves.toEqual(
      expect.objectContaining({ shop: SHOP }),
    );
  });

  it('refuses a token signed with another secret', async () => {
    expect(await problemOf(await token({}, 'another-secret-0123456789abcdef'))).toBe(
      'bad_signature',
    );
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = (await token()).split('.');
    const payload = Buffer.from(JSON.stringify(claims({ dest: 'https://evil.myshopify.com' })));
    expect(await problemOf(`${header}.${payload.toString('base64url')}.${signature}`)).toBe(
      'bad_signature',
    );
  });

  it('refuses an unsigned token (alg none)', async () => {
    const unsigned = new UnsecuredJWT(claims() as Record<string, unknown>).encode();
    expect(await problemOf(unsigned)).toBe('malformed');
  });

  it('refuses HS512 even with the right secret', async () => {
    expect(await problemOf(await token({}, SECRET, 'HS512'))).toBe('malformed');
  });

  it('refuses a token for another app', async () => {
    expect(await problemOf(await token({ aud: 'another-client' }))).toBe('bad_audience');
  });

  it('refuses an expired token', async () => {
    expect(await problemOf(await token({ exp: epoch - 6, nbf: epoch - 66 }))).toBe('expired');
  });

  it('refuses a token not valid yet', async () => {
    expect(await problemOf(await token({ nbf: epoch + 30, exp: epoch + 90 }))).toBe(
      'not_yet_valid',
    );
  });

  it.each([
    ['without exp', { exp: undefined }],
    ['without nbf', { nbf: undefined }],
    ['without aud', { aud: undefined }],
  ])('refuses a token %s', async (_, overrides) => {
    expect(await problemOf(await token(overrides as Claims))).toBe('malformed');
  });

  it.each([
    ['missing', undefined],
    ['plain http', `http://${SHOP}`],
    ['not a shop domain', 'https://evil.example.com'],
    ['with a path', `https://${SHOP}/admin`],
    ['with a port', `https://${SHOP}:443`],
    ['upper-case', `https://ACME.myshopify.com`],
  ])('refuses a dest that is %s', async (_, dest) => {
    const problem = await problemOf(await token({ dest }));
    expect(problem).toBe(dest === undefined ? 'malformed' : 'bad_destination');
  });

  it("refuses an iss that is not the dest shop's admin", async () => {
    expect(await problemOf(await token({ iss: 'https://other.myshopify.com/admin' }))).toBe(
      'bad_issuer',
    );
    expect(await problemOf(await token({ iss: `https://${SHOP}` }))).toBe('bad_issuer');
  });

  it.each(['', 'abc', 'a.b.c', 'Bearer x'])('refuses %j as malformed', async (value) => {
    expect(await problemOf(value)).toBe('malformed');
  });

  it('never puts the token into its error message', async () => {
    const jwt = await token({ aud: 'x' });
    const error = await verifySessionToken(jwt, options).catch((e: Error) => e);
    expect(String((error as Error).message)).not.toContain(jwt.split('.')[2]);
  });

  it('checks the signature with HMAC-SHA256 of header.payload (as Shopify documents)', async () => {
    const [header, payload] = (await token()).split('.');
    const signature = createHmac('sha256', SECRET)
      .update(`${header}.${payload}`)
      .digest('base64url');
    await expect(verifySessionToken(`${header}.${payload}.${signature}`, options)).resolves.toEqual(
      expect.objectContaining({ shop: SHOP }),
    );
  });
});
