/**
 * A shop's permanent domain, `<handle>.myshopify.com`. Everything the install flows receive from a
 * browser is checked with it before it reaches a URL we redirect to or call (an open redirect or
 * a request to an attacker's host would start here). The one definition is `@shopwire/contracts`'.
 */
export { parseShopDomain } from '@shopwire/contracts';
