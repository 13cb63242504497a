import { z } from '@shopwire/config';

/** A shop as the jobs take it: a `*.myshopify.com` domain, the key of its token and budget. */
export const shopDomain = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, 'shop must be a *.myshopify.com domain');
