import { z } from '@shopwire/config';
import { isShopDomain } from '@shopwire/contracts';

/** A shop as the jobs take it: a `*.myshopify.com` domain, the key of its token and budget. */
export const shopDomain = z.string().refine(isShopDomain, 'shop must be a *.myshopify.com domain');
