import { DELIVERY_OUTCOMES } from '@shopwire/contracts';
import { z } from '@shopwire/config';
import { createZodDto } from 'nestjs-zod';

// Validated by the global ZodValidationPipe of @shopwire/http; also the query's OpenAPI schema.

const isoTime = (name: string, description: string) =>
  z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), `${name} must be an ISO 8601 time`)
    .transform((value) => new Date(value))
    .describe(description);
const text = (max: number, description: string) => z.string().min(1).max(max).describe(description);

export class ListDeliveriesQueryDto extends createZodDto(
  z
    .object({
      shop: text(
        255,
        'e.g. acme.myshopify.com (required for a credential limited to shops)',
      ).optional(),
      webhookId: text(
        255,
        "The webhook's X-Shopify-Webhook-Id; also finds the domain events it caused",
      ).optional(),
      resourceId: text(
        255,
        'The order, inventory item, product… id (from the message key)',
      ).optional(),
      topic: text(249, 'orders/updated, orders.order.accepted, or a Kafka topic').optional(),
      from: isoTime('from', 'Processed at or after (ISO 8601)').optional(),
      to: isoTime('to', 'Processed before (ISO 8601)').optional(),
      outcome: z
        .enum(DELIVERY_OUTCOMES)
        .optional()
        .describe('duplicate: deliveries whose message came again after it was applied'),
      limit: z.coerce
        .number({ invalid_type_error: 'limit must be a number' })
        .int('limit must be an integer')
        .min(1, 'limit must be between 1 and 200')
        .max(200, 'limit must be between 1 and 200')
        .default(50),
      cursor: z
        .string()
        .max(200, 'cursor is not one this API handed out')
        .regex(/^[A-Za-z0-9_-]+$/, 'cursor is not one this API handed out')
        .optional()
        .describe('nextCursor of the previous page'),
    })
    .refine((q) => !q.from || !q.to || q.from < q.to, {
      message: 'from must be before to',
      path: ['from'],
    }),
) {}
