import { BadRequestException } from '@nestjs/common';
import { z } from '@shopwire/config';

const isoTime = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'since must be an ISO 8601 time');
const topic = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'source_topic must be a topic name');
const id = z
  .string()
  .regex(/^[A-Za-z0-9._-]+:\d{1,9}:\d{1,19}$/, 'id must be <topic>:<partition>:<offset>');
const filterFields = {
  source_topic: topic.optional(),
  since: isoTime.optional(),
  error_type: z.string().min(1).max(100).optional(),
  shop: z.string().min(1).max(255).optional(),
};

export const listQuery = z.object({
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
    .optional(),
});

export const getQuery = z.object({
  id,
  payload: z.enum(['true', 'false']).default('false'),
});

export const replayBody = z
  .object({
    ids: z.array(id).min(1).max(1000).optional(),
    all: z.boolean().optional(),
    ...filterFields,
    force: z.boolean().default(false),
  })
  .strict()
  .refine((body) => (body.ids ? !body.all : body.all === true), {
    message: 'give either ids, or all: true with optional filter fields',
  });

/** Parses request input or answers 400 naming every bad parameter. */
export function parseRequest<T extends z.ZodTypeAny>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.infer<T>;
  throw new BadRequestException(result.error.issues.map((issue) => issue.message));
}
