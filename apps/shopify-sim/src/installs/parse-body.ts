import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';

/** Validates a control API body; 400 with every problem listed. */
export function parseBody<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new BadRequestException({
    message: 'invalid request',
    problems: parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
    ),
  });
}
