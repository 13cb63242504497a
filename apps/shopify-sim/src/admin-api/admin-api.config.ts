import { positiveInt, z } from '@shopwire/config';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Admin API side's own settings, read with the simulator's config. */
export const adminApiConfigSchema = z.object({
  /** Products per shop (5 variants each) unless a shop is given its own size. */
  SIM_ADMIN_PRODUCTS: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  SIM_ADMIN_ORDERS: z.coerce.number().int().min(0).max(1_000_000).default(2_000),
  SIM_ADMIN_CUSTOMERS: positiveInt(500),
  /** Where bulk operation results (JSONL) are written; removed when their shop is forgotten. */
  SIM_BULK_DIR: z.string().min(1).default(join(tmpdir(), 'shopify-sim-bulk')),
});
export type AdminApiConfig = z.infer<typeof adminApiConfigSchema>;

export const ADMIN_API_CONFIG = Symbol('ADMIN_API_CONFIG');
/** `() => epoch ms`; a test can drive time through it. */
export const ADMIN_CLOCK = Symbol('ADMIN_CLOCK');
