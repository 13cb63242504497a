import { z } from '@shopwire/config';
import { createZodDto } from 'nestjs-zod';

// Each schema validates its request input (the global ZodValidationPipe of @shopwire/http) and
// is that input's OpenAPI schema.

const isoTime = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'since must be an ISO 8601 time')
  .describe('Dead-lettered at or after (ISO 8601)');
const topic = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'source_topic must be a topic name')
  .describe('The topic the message failed on, e.g. shopify.orders.v1');
const id = z
  .string()
  .regex(/^[A-Za-z0-9._-]+:\d{1,9}:\d{1,19}$/, 'id must be <topic>:<partition>:<offset>')
  .describe('<dlq topic>:<partition>:<offset>, e.g. shopify.orders.v1.dlq:2:17');
const filterFields = {
  source_topic: topic.optional(),
  since: isoTime.optional(),
  error_type: z.string().min(1).max(100).optional().describe('e.g. OrderPayloadError'),
  shop: z.string().min(1).max(255).optional().describe('e.g. acme.myshopify.com'),
};

export class ListDeadLettersQueryDto extends createZodDto(
  z.object({
    ...filterFields,
    status: z.enum(['pending', 'replayed', 'all']).default('all'),
    limit: z.coerce
      .number({ invalid_type_error: 'limit must be a number' })
      .int('limit must be an integer')
      .min(1, 'limit must be between 1 and 1000')
      .max(1000, 'limit must be between 1 and 1000')
      .default(100),
    cursor: z
      .string()
      .max(8192, 'cursor is not one this API handed out')
      .regex(/^[A-Za-z0-9_-]+$/, 'cursor is not one this API handed out')
      .optional()
      .describe('next_cursor of the previous page; pages read a bounded part of each DLQ'),
  }),
) {}

export class DeadLetterIdParamsDto extends createZodDto(z.object({ id })) {}

export class DeadLetterPayloadQueryDto extends createZodDto(
  z.object({
    payload: z
      .enum(['true', 'false'])
      .default('false')
      .describe('true adds the payload (needs the scope ops:dead-letters)'),
  }),
) {}

export class ReplayRequestDto extends createZodDto(
  // No body at all reads as an empty one, so the answer names what is missing.
  z.preprocess(
    (body) => body ?? {},
    z
      .object({
        ids: z.array(id).min(1).max(1000).optional().describe('Dead letter ids to replay'),
        all: z
          .boolean()
          .optional()
          .describe('Replay every pending dead letter matching the filter fields'),
        ...filterFields,
        force: z.boolean().default(false).describe('Replay even if already replayed'),
      })
      .strict()
      .refine((body) => (body.ids ? !body.all : body.all === true), {
        message: 'give either ids, or all: true with optional filter fields',
      }),
  ),
) {}
