import { BadRequestException } from '@nestjs/common';
import { createZodValidationPipe } from 'nestjs-zod';
import type { ZodError, ZodIssue } from 'zod';

/**
 * The one message of an issue, naming the field: the schemas' own messages already start with
 * it ("limit must be between 1 and 250"); zod's defaults ("Required") get it put in front.
 */
export function issueMessage(issue: ZodIssue): string {
  const field = issue.path.join('.');
  if (field === '' || issue.message.startsWith(String(issue.path[0]))) return issue.message;
  return `${field}: ${issue.message}`;
}

/** The 400 every Shopwire API answers for bad input: `message` lists one line per bad field. */
export function badRequestFrom(error: unknown): BadRequestException {
  const issues = (error as ZodError).issues ?? [];
  return new BadRequestException(issues.map(issueMessage));
}

/**
 * Validates (and parses) every `@Query()`, `@Param()` and `@Body()` typed with a DTO made by
 * `createZodDto`: the same zod schema is the route's OpenAPI parameters or request body, so
 * what is checked and what is published cannot drift apart. Other parameters pass untouched.
 * Pipes run after guards: `@Access` still sees the raw request, as before.
 */
export const ZodValidationPipe = createZodValidationPipe({
  createValidationException: badRequestFrom,
});
