import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';

/** Configured bearer tokens: token → name of the calling team (the name may be logged). */
export const API_TOKENS = Symbol('API_TOKENS');

export const PUBLIC_ROUTE = 'shopwire:public-route';

/** Marks a handler or controller that needs no bearer token (health, metrics, webhooks). */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Plain bearer-token authentication, every token allowed everything: kept for the Shopify
 * simulator's own control API (a test double, not a Shopwire service). Shopwire's services use
 * `ApiAccessGuard` (per-shop, per-scope credentials). Tokens are compared as SHA-256
 * digests with `timingSafeEqual`, against every configured token, so neither the comparison nor
 * the number of candidates tried leaks how much of a guess was right.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly tokens: { digest: Buffer; caller: string }[];

  constructor(
    @Inject(API_TOKENS) tokens: Map<string, string>,
    private readonly reflector: Reflector,
  ) {
    this.tokens = [...tokens].map(([token, caller]) => ({ digest: digest(token), caller }));
  }

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, unknown>; caller?: string }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('a bearer token is required');
    const presented = digest(match[1]);
    let caller: string | undefined;
    for (const candidate of this.tokens) {
      if (timingSafeEqual(candidate.digest, presented)) caller = candidate.caller;
    }
    if (!caller) throw new UnauthorizedException('the bearer token is not valid');
    request.caller = caller;
    return true;
  }
}
