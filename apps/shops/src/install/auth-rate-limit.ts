import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ShopsConfig } from '../config';
import { registerInstallCookies } from './install-state';

export interface AuthRateLimit {
  /** Requests per client address per window, over all `/auth/*` routes together. */
  max: number;
  windowMs: number;
}

/**
 * A per-client limit on the install routes (`/auth/*`), the shops service's only public routes:
 * each one costs a signed cookie, an HMAC check or a call to Shopify's token endpoint, so a
 * flood must not reach them. The Ingress limits too (k8s/base/ingress.yaml); this one holds when
 * it is bypassed or misconfigured. Per replica, in memory: the limit is a bound, not a quota.
 * Over it: 429 with Retry-After. Nothing else on the port is limited.
 */
export function registerAuthRateLimit(fastify: FastifyInstance, limit: AuthRateLimit): void {
  // Loaded when the instance becomes ready (Nest's init); a failure surfaces there.
  void fastify.register(fastifyRateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.windowMs,
    allowList: (request) => !isAuthRoute(request),
    keyGenerator: clientAddress,
  });
}

const isAuthRoute = (request: FastifyRequest) => request.url.startsWith('/auth/');

/**
 * The client as the nearest proxy saw it: the last X-Forwarded-For entry, which ingress-nginx
 * appends (a client can forge the entries before it, never that one); without a proxy, the
 * socket's address. The NetworkPolicy admits only the ingress controller and sync to this port.
 */
function clientAddress(request: FastifyRequest): string {
  const forwarded = request.headers['x-forwarded-for'];
  const chain = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  return chain.at(-1) ?? request.ip;
}

/**
 * What the shops service adds to Fastify before Nest starts: the install flow's signed state
 * cookie (SHOPS_COOKIE_SECRET) and the per-client limit on its public routes.
 */
export function configureShopsFastify(adapter: FastifyAdapter, config: ShopsConfig): void {
  registerInstallCookies(adapter.getInstance(), config.SHOPS_COOKIE_SECRET);
  registerAuthRateLimit(adapter.getInstance(), {
    max: config.SHOPS_AUTH_RATE_LIMIT,
    windowMs: config.SHOPS_AUTH_RATE_WINDOW_SECONDS * 1000,
  });
}
