import {
  BadRequestException,
  ForbiddenException,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { combinedCredentials, sha256, type ApiCredentialSpec } from '@shopwire/config';
import { timingSafeEqual } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { API_TOKENS, PUBLIC_ROUTE } from '../api-token.guard';
import { METRICS_REGISTRY } from '../metrics.controller';
import { ROUTE_ACCESS, type RouteAccess } from './access.decorators';
import { ApiCaller, CALLER_PROPERTY } from './api-caller';

/** Hashed, scoped credentials (`API_CREDENTIALS`, parsed by @shopwire/config). */
export const API_CREDENTIALS = Symbol('API_CREDENTIALS');

type DenialReason =
  'no_token' | 'unknown_token' | 'undeclared_route' | 'missing_scope' | 'shop_not_covered';

/** A refusal, with the reason the denial counter records. */
class Denial extends Error {
  constructor(
    readonly reason: DenialReason,
    readonly answer: UnauthorizedException | ForbiddenException,
  ) {
    super(answer.message);
  }
}

const unauthorized = (reason: DenialReason, message: string) =>
  new Denial(reason, new UnauthorizedException(message));
const forbidden = (reason: DenialReason, message: string) =>
  new Denial(reason, new ForbiddenException(message));

interface GuardedRequest {
  headers: Record<string, unknown>;
  routeOptions?: { url?: string };
  query?: unknown;
  params?: unknown;
  body?: unknown;
  caller?: string;
  [CALLER_PROPERTY]?: ApiCaller;
}

/**
 * The one guard of every Shopwire service's HTTP API. In order: a route marked `@PublicRoute()`
 * passes; a bearer token must match a credential (401); the route must declare `@Access(...)`
 * (otherwise 403: an undeclared route is closed, never open); the credential must carry the
 * route's scope (403) and cover the shop the request names (403). What the guard cannot see — the
 * shop of a resource loaded by id, answers spanning shops, personal fields — the handler decides
 * with the `ApiCaller` the guard leaves on the request.
 *
 * Tokens are compared as SHA-256 digests with `timingSafeEqual` against every credential, so
 * neither the comparison nor the number of candidates tried tells how close a guess was.
 */
@Injectable()
export class ApiAccessGuard implements CanActivate {
  private readonly credentials: { digest: Buffer; caller: ApiCaller }[];
  private readonly denied: Counter<'route' | 'reason'> | null;

  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(API_CREDENTIALS) credentials?: ApiCredentialSpec[],
    @Optional() @Inject(API_TOKENS) tokens?: Map<string, string>,
    @Optional() @Inject(METRICS_REGISTRY) registry?: Registry,
  ) {
    // A burst of refusals is someone probing: the alertable signal, by route pattern and reason.
    this.denied = registry
      ? ((registry.getSingleMetric('shopwire_api_access_denied_total') as
          Counter<'route' | 'reason'> | undefined) ??
        new Counter({
          name: 'shopwire_api_access_denied_total',
          help: 'Internal API requests the access guard refused, by route pattern and reason',
          labelNames: ['route', 'reason'],
          registers: [registry],
        }))
      : null;
    this.credentials = combinedCredentials({
      API_CREDENTIALS: credentials,
      API_TOKENS: tokens,
    }).map((credential) => ({ digest: credential.tokenSha256, caller: new ApiCaller(credential) }));
  }

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    try {
      return this.decide(context, request);
    } catch (error) {
      if (!(error instanceof Denial)) throw error;
      this.denied?.inc({ route: request.routeOptions?.url ?? 'unmatched', reason: error.reason });
      throw error.answer;
    }
  }

  private decide(context: ExecutionContext, request: GuardedRequest): boolean {
    const caller = this.authenticate(request.headers.authorization);
    request[CALLER_PROPERTY] = caller;
    request.caller = caller.name;

    const access = this.reflector.get<RouteAccess | undefined>(ROUTE_ACCESS, context.getHandler());
    if (!access) throw forbidden('undeclared_route', 'this route declares no access rule');
    if (!caller.has(access.scope)) {
      throw forbidden('missing_scope', `this credential lacks the scope ${access.scope}`);
    }
    const { shop } = access;
    switch (shop.from) {
      case 'query':
        this.checkShop(caller, field(request.query, shop.name ?? 'shop'));
        return true;
      case 'param':
        this.checkShop(caller, field(request.params, shop.name ?? 'shop'));
        return true;
      case 'body':
        this.checkShop(caller, path(request.body, shop.path));
        return true;
      case 'any-shop-credential':
        if (!caller.allShops)
          throw forbidden('shop_not_covered', 'this route needs an all-shops credential');
        return true;
      case 'filtered':
      case 'resource':
        return true;
    }
  }

  private authenticate(header: unknown): ApiCaller {
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw unauthorized('no_token', 'a bearer token is required');
    const presented = sha256(match[1]);
    let found: ApiCaller | undefined;
    for (const candidate of this.credentials) {
      if (timingSafeEqual(candidate.digest, presented)) found = candidate.caller;
    }
    if (!found) throw unauthorized('unknown_token', 'the bearer token is not valid');
    return found;
  }

  private checkShop(caller: ApiCaller, value: unknown): void {
    if (value === undefined || value === '') {
      // The handler answers 400 for a missing required shop; only an all-shops credential may
      // leave an optional one out.
      if (caller.allShops) return;
      throw forbidden('shop_not_covered', 'this credential must name one of its shops');
    }
    if (typeof value !== 'string') throw new BadRequestException(['shop must be one value']);
    if (!caller.mayAccess(value)) {
      throw forbidden('shop_not_covered', 'this credential does not cover the shop');
    }
  }
}

function field(container: unknown, name: string): unknown {
  return container && typeof container === 'object'
    ? (container as Record<string, unknown>)[name]
    : undefined;
}

function path(body: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((value, key) => field(value, key), body);
}
