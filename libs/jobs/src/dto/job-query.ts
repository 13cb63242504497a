import { z } from '@shopwire/config';
import { createZodDto } from 'nestjs-zod';
import { JOB_STATUSES } from '../job';

// Each schema validates its request input (the global ZodValidationPipe of @shopwire/http) and
// is that input's OpenAPI schema. A submission's body is validated by its job type instead
// (`JobsRuntime.validate`: each type has its own params).

export class JobIdParamsDto extends createZodDto(
  z.object({ id: z.string().uuid('id must be a job id (uuid)') }),
) {}

export class ListJobsQueryDto extends createZodDto(
  z.object({
    type: z.string().min(1).max(100).optional().describe('e.g. sales-report'),
    status: z.enum(JOB_STATUSES).optional(),
    limit: z.coerce
      .number({ invalid_type_error: 'limit must be a number' })
      .int('limit must be an integer')
      .min(1, 'limit must be between 1 and 500')
      .max(500, 'limit must be between 1 and 500')
      .default(50)
      .describe('Jobs per answer'),
    cursor: z
      .string()
      .uuid('cursor is not one this API handed out')
      .optional()
      .describe('next_cursor of the previous page'),
  }),
) {}
