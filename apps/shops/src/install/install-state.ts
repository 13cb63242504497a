import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The OAuth `state` nonce, bound to the browser that started the install: `/auth/install` puts
 * it in a signed, HttpOnly cookie together with the shop, and `/auth/callback` accepts only the
 * same nonce for the same shop from the same browser. A callback link forged for (or stolen
 * from) another browser fails here. The cookie is cleared whenever a callback reads it, so a
 * nonce works once.
 */
export const STATE_COOKIE = 'shopwire_install_state';

/** The cookie is only ever sent to the install endpoints. */
const COOKIE_PATH = '/auth';

export type StateCheck = 'ok' | 'missing_state' | 'state_mismatch';

export interface InstallStateOptions {
  /** `SHOPWIRE_PUBLIC_URL`: an https URL makes the cookie Secure. */
  publicUrl: string;
  /** How long a merchant may take on Shopify's consent screen. */
  maxAgeSeconds: number;
}

/**
 * Registers @fastify/cookie with the signing secret (`SHOPS_COOKIE_SECRET`); call it on the
 * Fastify instance before the Nest app initialises. A list rotates secrets: the first signs,
 * any of them verifies.
 */
export function registerInstallCookies(fastify: FastifyInstance, secrets: string | string[]): void {
  // Loaded when the instance becomes ready (Nest's init); a failure surfaces there.
  void fastify.register(fastifyCookie, { secret: secrets, hook: 'onRequest' });
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export class InstallStateCookie {
  private readonly secure: boolean;

  constructor(private readonly options: InstallStateOptions) {
    this.secure = new URL(options.publicUrl).protocol === 'https:';
  }

  /** A fresh nonce for this shop, set on the reply as the signed cookie; returns the nonce. */
  issue(reply: FastifyReply, shop: string): string {
    const nonce = randomBytes(24).toString('base64url');
    void reply.setCookie(STATE_COOKIE, `${nonce}.${shop}`, {
      signed: true,
      httpOnly: true,
      secure: this.secure,
      // Lax: the cookie still rides on Shopify's top-level GET redirect back to the callback.
      sameSite: 'lax',
      path: COOKIE_PATH,
      maxAge: this.options.maxAgeSeconds,
    });
    return nonce;
  }

  /**
   * Compares the callback's `state` and `shop` with this browser's cookie and clears the cookie
   * either way. `missing_state`: no cookie (another browser, expired, already used) or no
   * `state` in the query; `state_mismatch`: a cookie with a bad signature, another nonce or
   * another shop.
   */
  consume(
    request: FastifyRequest,
    reply: FastifyReply,
    state: string | undefined,
    /** The callback's shop once it passed the domain check; null never matches. */
    shop: string | null,
  ): StateCheck {
    const raw = request.cookies[STATE_COOKIE];
    if (raw !== undefined) {
      void reply.clearCookie(STATE_COOKIE, {
        path: COOKIE_PATH,
        httpOnly: true,
        secure: this.secure,
        sameSite: 'lax',
      });
    }
    if (raw === undefined || !state) return 'missing_state';
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid) return 'state_mismatch';
    const dot = unsigned.value.indexOf('.');
    const nonce = unsigned.value.slice(0, dot);
    const cookieShop = unsigned.value.slice(dot + 1);
    // Digests have equal lengths whatever was presented, as timingSafeEqual needs.
    const sameNonce = dot > 0 && timingSafeEqual(digest(nonce), digest(state));
    return sameNonce && cookieShop === shop ? 'ok' : 'state_mismatch';
  }
}
