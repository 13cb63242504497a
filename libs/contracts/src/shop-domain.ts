/**
 * A shop's permanent domain as Shopify names it: `<handle>.myshopify.com`, lower-case. It is the
 * tenancy key of every Shopwire message, row and API call, so there is one definition of it.
 * (The simulator keeps its own copy on purpose: it must not share the code it checks.)
 */
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const SUFFIX_LENGTH = '.myshopify.com'.length;

/** DNS allows at most 63 characters per label. */
const MAX_HANDLE_LENGTH = 63;

/** Whether `value` is a shop domain exactly as Shopify sends it (lower-case, nothing around it). */
export function isShopDomain(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length - SUFFIX_LENGTH <= MAX_HANDLE_LENGTH &&
    SHOP_DOMAIN.test(value)
  );
}

/**
 * The shop domain, lower-cased (Shopify treats the handle case-insensitively), or null when the
 * value is anything else: a custom domain, a URL, a port, a path, surrounding spaces, or not a
 * string at all. For input typed by people or browsers; messages from Shopify use `isShopDomain`.
 */
export function parseShopDomain(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const shop = value.toLowerCase();
  return isShopDomain(shop) ? shop : null;
}
