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
import { API_TOKENS, PUBLIC_ROUTE } from '../api-token.guard';
import { ROUTE_ACCESS, type RouteAccess } from './access.decorators';
import { ApiCaller, CALLER_PROPERTY } from './api-caller';

/** Hashed, scoped credentials (`API_CREDENTIALS`, parsed by @shopwire/config). */
export const API_CREDENTIALS = Symbol('API_CREDENTIALS');

interface GuardedRequest {
  headers: Record<string, unknown>;
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

  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(API_CREDENTIALS) credentials?: ApiCredentialSpec[],
    @Optional() @Inject(API_TOKENS) tokens?: Map<string, string>,
  ) {
    this.credentials = combinedCredentials({
      API_CREDENTIALS: credentials,
      API_TOKENS: tokens,
    }).map((credential) => ({ digest: credential.tokenSha256, caller: new ApiCaller(credential) }));
  }

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const caller = this.authenticate(request.headers.authorization);
    request[CALLER_PROPERTY] = caller;
    request.caller = caller.name;

    const access = this.reflector.get<RouteAccess | undefined>(ROUTE_ACCESS, context.getHandler());
    if (!access) throw new ForbiddenException('this route declares no access rule');
    if (!caller.has(access.scope)) {
      throw new ForbiddenException(`this credential lacks the scope ${access.scope}`);
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
          throw new ForbiddenException('this route needs an all-shops credential');
        return true;
      case 'filtered':
      case 'resource':
        return true;
    }
  }

  private authenticate(header: unknown): ApiCaller {
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('a bearer token is required');
    const presented = sha256(match[1]);
    let found: ApiCaller | undefined;
    for (const candidate of this.credentials) {
      if (timingSafeEqual(candidate.digest, presented)) found = candidate.caller;
    }
    if (!found) throw new UnauthorizedException('the bearer token is not valid');
    return found;
  }

  private checkShop(caller: ApiCaller, value: unknown): void {
    if (value === undefined || value === '') {
      // The handler answers 400 for a missing required shop; only an all-shops credential may
      // leave an optional one out.
      if (caller.allShops) return;
      throw new ForbiddenException('this credential must name one of its shops');
    }
    if (typeof value !== 'string') throw new BadRequestException(['shop must be one value']);
    caller.assertShop(value);
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
