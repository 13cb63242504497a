// The inventory payload decoders are `@shopwire/contracts`' (shopify-payloads.ts). This shim
// keeps the committed DTO compiling until its in-flight change, which already imports the
// contracts, lands; then it goes.
export { isPositiveId, isShopDomain } from '@shopwire/contracts';
