import { createParamDecorator, ForbiddenException, type ExecutionContext } from '@nestjs/common';
import type { ApiCredentialSpec, ApiScope } from '@shopwire/config';

/**
 * The authenticated caller of an internal API request: the credential's name, shops and scopes.
 * Handlers use it where the guard cannot decide alone — answers that span shops, resources whose
 * shop is only known once loaded, personal fields, and jobs owned by their submitter.
 */
export class ApiCaller {
  readonly name: string;
  private readonly shops: ReadonlySet<string> | null;
  private readonly scopes: ReadonlySet<ApiScope>;

  constructor(credential: Pick<ApiCredentialSpec, 'name' | 'shops' | 'scopes'>) {
    this.name = credential.name;
    this.shops = credential.shops === '*' ? null : new Set(credential.shops);
    this.scopes = new Set(credential.scopes);
  }

  /** Whether the credential covers every shop (`"*"`). */
  get allShops(): boolean {
    return this.shops === null;
  }

  has(scope: ApiScope): boolean {
    return this.scopes.has(scope);
  }

  /** Personal data (customer email, name, phone, addresses) may be in this caller's answers. */
  get seesPersonalData(): boolean {
    return this.has('customers:read');
  }

  mayAccess(shop: string | null | undefined): boolean {
    if (this.shops === null) return true;
    return typeof shop === 'string' && this.shops.has(shop.trim().toLowerCase());
  }

  /** 403 unless the credential covers `shop` (a resource's shop, known once it is loaded). */
  assertShop(shop: string | null | undefined): void {
    if (!this.mayAccess(shop))
      throw new ForbiddenException('this credential does not cover the shop');
  }

  /** The shops a query spanning shops must be limited to; null = no limit (`"*"`). */
  shopFilter(): string[] | null {
    return this.shops === null ? null : [...this.shops];
  }
}

/** The request property the guard sets; `@Caller()` reads it. */
export const CALLER_PROPERTY = 'apiCaller';

/** Injects the request's `ApiCaller` (set by `ApiAccessGuard`). */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<Record<string, unknown>>();
  const caller = request[CALLER_PROPERTY];
  // Only reachable if a route that reads the caller was marked public: a programming error.
  if (!(caller instanceof ApiCaller)) throw new Error('no authenticated caller on this request');
  return caller;
});
