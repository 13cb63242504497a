import { ApiProperty } from '@nestjs/swagger';
import { z } from '@shopwire/config';
import { isShopDomain } from '@shopwire/contracts';
import { createZodDto } from 'nestjs-zod';

// The query schemas validate their request input (the global ZodValidationPipe of
// @shopwire/http) and are that input's OpenAPI schema.

const shop = z
  .string({ required_error: 'shop is required' })
  .refine(isShopDomain, 'shop must be a *.myshopify.com domain')
  .describe('The shop, e.g. acme.myshopify.com');
const date = (name: string) =>
  z
    .string({ required_error: `${name} is required` })
    .refine(
      (v) =>
        /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
      `${name} must be a date, YYYY-MM-DD`,
    )
    .describe(`${name === 'from' ? 'First' : 'Last'} UTC day, inclusive (YYYY-MM-DD; ≤ 366 days)`);
const MAX_DAYS = 366;
/** shop, from, to: the range every sales query (and the sales-report job) takes. */
export const salesRange = z.object({ shop, from: date('from'), to: date('to') });
const base = salesRange;
export function checkRange(q: { from: string; to: string }, ctx: z.RefinementCtx): void {
  if (q.from > q.to) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'from must not be after to' });
  } else if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 >= MAX_DAYS) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `the range must be at most ${MAX_DAYS} days`,
    });
  }
}

export class DailySalesQueryDto extends createZodDto(base.superRefine(checkRange)) {}
export class TopProductsQueryDto extends createZodDto(
  base
    .extend({
      by: z.enum(['units', 'revenue'], { message: 'by must be units or revenue' }).default('units'),
      limit: z.coerce
        .number({ invalid_type_error: 'limit must be a number' })
        .int('limit must be an integer')
        .min(1, 'limit must be between 1 and 100')
        .max(100, 'limit must be between 1 and 100')
        .default(10)
        .describe('Products in the answer'),
    })
    .superRefine(checkRange),
) {}

export class SalesFiguresDto {
  @ApiProperty({ example: 'USD', description: 'ISO 4217; money is never added across currencies' })
  currency!: string;

  @ApiProperty({ example: 42, description: 'Orders created (UTC day), not cancelled, not test' })
  orders!: number;

  @ApiProperty({ example: '1234.50', description: 'Sum of total_price, decimal string' })
  gross!: string;

  @ApiProperty({ example: '98.76', description: 'Sum of total_tax, decimal string' })
  tax!: string;

  @ApiProperty({ example: '12.00', description: 'Sum of total_discounts, decimal string' })
  discounts!: string;
}

export class DailySalesDto extends SalesFiguresDto {
  @ApiProperty({ example: '2026-11-27', description: "UTC day of the orders' created_at" })
  day!: string;
}

export class DailySalesResponseDto {
  @ApiProperty({ example: 'acme.myshopify.com' })
  shop!: string;
  @ApiProperty({ example: '2026-11-01' })
  from!: string;
  @ApiProperty({ example: '2026-11-30' })
  to!: string;
  @ApiProperty({ type: [DailySalesDto], description: 'Days with sales, by day then currency' })
  days!: DailySalesDto[];
  @ApiProperty({ type: [SalesFiguresDto], description: 'The whole range, per currency' })
  totals!: SalesFiguresDto[];
}

export class TopProductDto {
  @ApiProperty({
    example: 'p:632910392',
    description: 'p:<product id>, else s:<sku>, else t:<title>',
  })
  product_key!: string;
  @ApiProperty({ type: String, nullable: true, example: '632910392' })
  product_id!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'IPOD2008PINK' })
  sku!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'IPod Nano - 8gb' })
  title!: string | null;
  @ApiProperty({ example: 'USD' })
  currency!: string;
  @ApiProperty({ example: 17 })
  units!: number;
  @ApiProperty({ example: '3383.00', description: 'Σ line price × quantity, decimal string' })
  revenue!: string;
}

export class TopProductsResponseDto {
  @ApiProperty({ enum: ['units', 'revenue'] })
  by!: 'units' | 'revenue';
  @ApiProperty({ type: [TopProductDto] })
  products!: TopProductDto[];
}
