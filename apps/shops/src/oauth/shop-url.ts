import { parseShopDomain } from '../install/shop-domain';

export class InvalidShopDomainError extends Error {
  override readonly name = 'InvalidShopDomainError';
  readonly code = 'invalid_shop';
  constructor() {
    super('not a shop domain (expected x.myshopify.com)');
  }
}

/**
 * `SHOPIFY_SHOP_URL` with `{shop}` filled in: `https://x.myshopify.com`, or the simulator's
 * per-shop prefix. The shop is checked first: it becomes part of the host we send the client
 * secret to, so a crafted value must never get that far.
 */
export function shopBaseUrl(template: string, shop: string): string {
  const domain = parseShopDomain(shop);
  if (domain === null || domain !== shop) throw new InvalidShopDomainError();
  return template.replaceAll('{shop}', domain).replace(/\/+$/, '');
}
