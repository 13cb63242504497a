import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The simulator's own signing code for the install flows. It deliberately does not import the
 * Shopwire libs it is there to check (a shared bug would then pass both sides).
 */

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export function isShopDomain(value: unknown): value is string {
  return typeof value === 'string' && SHOP_DOMAIN.test(value);
}

/**
 * Shopify's query `hmac`: every parameter but `hmac` (and the legacy `signature`), sorted by
 * name, joined as `key=value` with `&`, HMAC-SHA256 with the client secret, hex.
 */
export function signQuery(params: Record<string, string>, secret: string): string {
  const message = Object.keys(params)
    .filter((key) => key !== 'hmac' && key !== 'signature')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
  return createHmac('sha256', secret).update(message, 'utf8').digest('hex');
}

/** An opaque token: Shopify-style prefix and 32 random bytes as hex. */
export function randomToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('hex')}`;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

export interface SessionTokenClaims {
  iss: string;
  dest: string;
  aud: string;
  sub: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  sid: string;
  sig?: string;
}

/** The session token App Bridge hands an embedded app: a JWT, HS256 with the client secret. */
export function mintSessionToken(
  shop: string,
  clientId: string,
  secret: string,
  options: { nowSeconds: number; ttlSeconds: number; sub?: string },
): string {
  const claims: SessionTokenClaims = {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: clientId,
    sub: options.sub ?? '42',
    exp: options.nowSeconds + options.ttlSeconds,
    nbf: options.nowSeconds,
    iat: options.nowSeconds,
    jti: randomBytes(16).toString('hex'),
    sid: randomBytes(16).toString('hex'),
  };
  const signingInput = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(
    JSON.stringify(claims),
  )}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

export type SessionTokenCheck =
  { ok: true; shop: string; clientId: string } | { ok: false; reason: string };

/** Shopify allows a few seconds of clock skew on `exp`/`nbf`. */
const CLOCK_SKEW_SECONDS = 5;

/**
 * Verifies a session token as Shopify's token endpoint does for a token exchange: structure,
 * HS256 signature with the secret of the app named by `aud`, `exp`/`nbf`, and `dest` naming a
 * shop. `secretFor` returns the client secret for an audience (undefined: unknown app).
 */
export function verifySessionToken(
  token: string,
  secretFor: (clientId: string) => string | undefined,
  nowSeconds: number,
): SessionTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  let header: { alg?: unknown };
  let claims: Partial<Record<keyof SessionTokenClaims, unknown>>;
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'not a JWT' };
  }
  if (header.alg !== 'HS256') return { ok: false, reason: 'unsupported algorithm' };
  if (typeof claims.aud !== 'string') return { ok: false, reason: 'missing audience' };
  const secret = secretFor(claims.aud);
  if (secret === undefined) return { ok: false, reason: 'unknown audience' };
  const expected = createHmac('sha256', secret).update(`${headerPart}.${payloadPart}`).digest();
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad signature' };
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS <= nowSeconds)
    return { ok: false, reason: 'expired' };
  if (typeof claims.nbf !== 'number' || claims.nbf - CLOCK_SKEW_SECONDS > nowSeconds)
    return { ok: false, reason: 'not yet valid' };
  const dest = typeof claims.dest === 'string' ? claims.dest : '';
  const shop = dest.startsWith('https://') ? dest.slice('https://'.length) : '';
  if (!isShopDomain(shop)) return { ok: false, reason: 'dest does not name a shop' };
  return { ok: true, shop, clientId: claims.aud };
}
