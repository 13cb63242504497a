import { z } from '@shopwire/config';
import { createZodDto } from 'nestjs-zod';
import { isShopDomain } from '@shopwire/contracts';

// Each schema validates its request input (the global ZodValidationPipe of @shopwire/http) and
// is that input's OpenAPI schema: what is checked is what is published.

export const shopParameter = z
  .string({ required_error: 'shop is required' })
  .refine(isShopDomain, 'shop must be a *.myshopify.com domain')
  .describe('The shop, e.g. acme.myshopify.com');

// Shopify's statuses are lowercase words (`paid`, `partially_refunded`, `unfulfilled`…); `null`
// asks for orders without one (e.g. not yet fulfilled).
const status = (field: string, description: string) =>
  z
    .string()
    .regex(/^(null|[a-z_]{1,40})$/, `${field} must be a Shopify status or null`)
    .optional()
    .describe(description);

const instant = (field: string, description: string) =>
  z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), `${field} must be an ISO 8601 timestamp`)
    .transform((value) => new Date(value).toISOString())
    .optional()
    .describe(description);

export class ShopQueryDto extends createZodDto(z.object({ shop: shopParameter })) {}

export class OrderIdParamsDto extends createZodDto(
  z.object({
    id: z
      .string()
      .refine(
        (id) => /^\d{1,19}$/.test(id) && BigInt(id) <= 9223372036854775807n,
        'id must be a Shopify order id',
      )
      .describe('Shopify order id, e.g. 820982911946154508'),
  }),
) {}

export class ListOrdersQueryDto extends createZodDto(
  z.object({
    shop: shopParameter,
    limit: z.coerce
      .number({ invalid_type_error: 'limit must be a number' })
      .int('limit must be an integer')
      .min(1, 'limit must be between 1 and 250')
      .max(250, 'limit must be between 1 and 250')
      .default(50)
      .describe('Orders per page'),
    cursor: z.string().min(1).optional().describe("The previous page's next_cursor"),
    financial_status: status(
      'financial_status',
      'Exact status, e.g. paid; `null` for orders without one',
    ),
    fulfillment_status: status(
      'fulfillment_status',
      'Exact status, e.g. fulfilled; `null` for unfulfilled orders without one',
    ),
    cancelled: z
      .enum(['true', 'false'], { message: 'cancelled must be true or false' })
      .transform((value) => value === 'true')
      .optional()
      .describe('Only cancelled (true) or only open (false) orders'),
    created_from: instant('created_from', 'ISO 8601; orders created at or after'),
    created_to: instant('created_to', 'ISO 8601; orders created before'),
    name: z
      .string()
      .min(1, 'name must not be empty')
      .max(64, 'name must be at most 64 characters')
      .optional()
      .describe('Exact order name as the shop shows it, e.g. #1001 (encode # as %23)'),
  }),
) {}
