/**
 * A shop's permanent domain as Shopify names it: `<handle>.myshopify.com`. Everything the install
 * flows receive from a browser is checked against this before it reaches a URL we redirect to or
 * call (an open redirect or a request to an attacker's host would start here).
 */
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** DNS allows at most 63 characters per label. */
const MAX_HANDLE_LENGTH = 63;

/**
 * The shop domain, lower-cased (Shopify treats the handle case-insensitively and always sends it
 * lower-case), or null when the value is anything else: a custom domain, a URL, a port, a path,
 * surrounding spaces, or not a string at all.
 */
export function parseShopDomain(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const shop = value.toLowerCase();
  if (!SHOP_DOMAIN.test(shop)) return null;
  if (shop.length - '.myshopify.com'.length > MAX_HANDLE_LENGTH) return null;
  return shop;
}
