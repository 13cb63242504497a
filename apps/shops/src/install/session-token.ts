import { errors, jwtVerify } from 'jose';
import { parseShopDomain } from './shop-domain';

/**
 * Shopify's session token: the JWT an embedded app's front end gets from App Bridge and sends
 * as `Authorization: Bearer …`. HS256 with the app's client secret; `aud` = client id;
 * `dest` = `https://{shop}`, `iss` = `https://{shop}/admin`; `exp` about a minute after `nbf`.
 */
export interface SessionTokenOptions {
  clientId: string;
  clientSecret: string;
  /** Allowed clock difference with Shopify for `exp` and `nbf`. */
  clockToleranceSeconds: number;
  now?: Date;
}

export interface VerifiedSessionToken {
  shop: string;
  /** The staff member's id (a string, as Shopify IDs are). */
  userId: string | null;
}

/** Why a session token was refused (each a metric label; none reveals the token). */
export type SessionTokenProblem =
  | 'malformed'
  | 'bad_signature'
  | 'bad_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'bad_destination'
  | 'bad_issuer';

export class SessionTokenRefused extends Error {
  override readonly name = 'SessionTokenRefused';

  constructor(
    readonly problem: SessionTokenProblem,
    message: string,
  ) {
    super(message);
  }
}

/** Verifies the token and returns its shop; throws SessionTokenRefused naming what failed. */
export async function verifySessionToken(
  token: string,
  options: SessionTokenOptions,
): Promise<VerifiedSessionToken> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(options.clientSecret), {
      // Only HS256: a token naming `none` or an asymmetric algorithm is refused outright.
      algorithms: ['HS256'],
      audience: options.clientId,
      clockTolerance: options.clockToleranceSeconds,
      currentDate: options.now,
      requiredClaims: ['exp', 'nbf', 'dest', 'iss', 'aud'],
    }));
  } catch (error) {
    throw refusal(error);
  }
  const shop = shopOfDest(payload.dest);
  if (!shop) {
    throw new SessionTokenRefused(
      'bad_destination',
      'the session token does not name a shop in dest',
    );
  }
  if (payload.iss !== `https://${shop}/admin`) {
    throw new SessionTokenRefused('bad_issuer', "the session token's iss is not the shop's admin");
  }
  const sub = payload.sub;
  return { shop, userId: typeof sub === 'string' && sub.length > 0 ? sub : null };
}

/** `https://{shop}` exactly: no path, port, credentials or query. */
function shopOfDest(dest: unknown): string | null {
  if (typeof dest !== 'string' || !dest.startsWith('https://')) return null;
  const shop = parseShopDomain(dest.slice('https://'.length));
  // parseShopDomain lower-cases; the issuer check below compares with Shopify's own spelling.
  return shop !== null && dest === `https://${shop}` ? shop : null;
}

function refusal(error: unknown): SessionTokenRefused {
  if (error instanceof errors.JWTExpired) {
    return new SessionTokenRefused('expired', 'the session token has expired');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') {
      return new SessionTokenRefused('malformed', `the session token has no ${error.claim} claim`);
    }
    if (error.claim === 'aud') {
      return new SessionTokenRefused('bad_audience', 'the session token is for another app');
    }
    if (error.claim === 'nbf') {
      return new SessionTokenRefused('not_yet_valid', 'the session token is not valid yet');
    }
    return new SessionTokenRefused('malformed', `the session token lacks a valid ${error.claim}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new SessionTokenRefused(
      'bad_signature',
      "the session token's signature does not verify",
    );
  }
  return new SessionTokenRefused('malformed', 'the session token is not a valid HS256 JWT');
}
