import { BadRequestException } from '@nestjs/common';
import { z } from '@shopwire/config';
import { isShopDomain } from '../order-payload';

const shop = z
  .string({ required_error: 'shop is required' })
  .refine(isShopDomain, 'shop must be a *.myshopify.com domain');

// Shopify's statuses are lowercase words (`paid`, `partially_refunded`, `unfulfilled`…); `null`
// asks for orders without one (e.g. not yet fulfilled).
const status = (field: string) =>
  z
    .string()
    .regex(/^(null|[a-z_]{1,40})$/, `${field} must be a Shopify status or null`)
    .optional();

const instant = (field: string) =>
  z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), `${field} must be an ISO 8601 timestamp`)
    .transform((value) => new Date(value).toISOString())
    .optional();

export const getOrderQuery = z.object({
  shop,
  id: z
    .string()
    .refine(
      (id) => /^\d{1,19}$/.test(id) && BigInt(id) <= 9223372036854775807n,
      'id must be a Shopify order id',
    ),
});

export const listOrdersQuery = z.object({
  shop,
  limit: z.coerce
    .number({ invalid_type_error: 'limit must be a number' })
    .int('limit must be an integer')
    .min(1, 'limit must be between 1 and 250')
    .max(250, 'limit must be between 1 and 250')
    .default(50),
  cursor: z.string().min(1).optional(),
  financial_status: status('financial_status'),
  fulfillment_status: status('fulfillment_status'),
  cancelled: z
    .enum(['true', 'false'], { message: 'cancelled must be true or false' })
    .transform((value) => value === 'true')
    .optional(),
  created_from: instant('created_from'),
  created_to: instant('created_to'),
});

/** Parses request input or answers 400 naming every bad parameter. */
export function parseRequest<T extends z.ZodTypeAny>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.infer<T>;
  throw new BadRequestException(result.error.issues.map((issue) => issue.message));
}
