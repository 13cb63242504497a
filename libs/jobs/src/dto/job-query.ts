import { BadRequestException } from '@nestjs/common';
import { z } from '@shopwire/config';
import { JOB_STATUSES } from '../job';

export const jobId = z.string().uuid('id must be a job id (uuid)');

export const listQuery = z.object({
  type: z.string().min(1).max(100).optional(),
  status: z.enum(JOB_STATUSES).optional(),
  limit: z.coerce
    .number({ invalid_type_error: 'limit must be a number' })
    .int('limit must be an integer')
    .min(1, 'limit must be between 1 and 500')
    .max(500, 'limit must be between 1 and 500')
    .default(50),
});

/** Parses request input or answers 400 naming every bad parameter. */
export function parseRequest<T extends z.ZodTypeAny>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.infer<T>;
  throw new BadRequestException(result.error.issues.map((issue) => issue.message));
}
