import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { createZodDto } from 'nestjs-zod';
import { badRequestFrom, ZodValidationPipe } from './validation';

class QueryDto extends createZodDto(
  z.object({
    shop: z.string({ required_error: 'shop is required' }),
    limit: z.coerce.number().int().min(1, 'limit must be between 1 and 250').default(50),
    status: z.enum(['a', 'b']).optional(),
  }),
) {}

const pipe = new ZodValidationPipe();
const asQuery = { type: 'query', metatype: QueryDto } as const;

describe('ZodValidationPipe', () => {
  it('parses a DTO-typed input with its schema: coercion and defaults applied', async () => {
    expect(await pipe.transform({ shop: 's', limit: '7' }, asQuery)).toEqual({
      shop: 's',
      limit: 7,
    });
    expect(await pipe.transform({ shop: 's' }, asQuery)).toEqual({ shop: 's', limit: 50 });
  });

  it('answers 400 with one line per bad field, each naming its field', async () => {
    let error: unknown;
    try {
      await pipe.transform({ limit: '0', status: 'c' }, asQuery);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as BadRequestException).getResponse()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: [
        'shop is required',
        'limit must be between 1 and 250',
        "status: Invalid enum value. Expected 'a' | 'b', received 'c'",
      ],
    });
  });

  it('passes a parameter that is not a zod DTO untouched', async () => {
    const raw = { anything: 1 };
    expect(await pipe.transform(raw, { type: 'query', metatype: Object })).toBe(raw);
  });

  it('keeps a message without a path as it is', () => {
    const result = z
      .string()
      .refine(() => false, 'give either ids or all')
      .safeParse('x');
    expect(badRequestFrom(result.error).getResponse()).toMatchObject({
      message: ['give either ids or all'],
    });
  });
});
