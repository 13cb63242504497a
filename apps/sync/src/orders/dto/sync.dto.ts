import { ApiProperty } from '@nestjs/swagger';
import { z } from '@shopwire/config';
import { isValidShopDomain } from '@shopwire/shopify';
import { createZodDto } from 'nestjs-zod';

// The query and path schemas validate their request input (the global ZodValidationPipe of
// @shopwire/http) and are that input's OpenAPI schema; the answer classes document the bodies.

const SYNC_STATUSES = ['pending', 'synced', 'failed', 'cancelled'] as const;

const shop = z
  .string({ required_error: 'shop is required' })
  .refine(isValidShopDomain, 'shop must be a *.myshopify.com domain')
  .describe('The shop, e.g. acme.myshopify.com');
const id = (name: string) => z.string().regex(/^\d{1,19}$/, `${name} must be a numeric id`);

export class SyncShopQueryDto extends createZodDto(z.object({ shop })) {}

export class SyncOrderIdParamsDto extends createZodDto(
  z.object({ id: id('id').describe('Shopify order id') }),
) {}

export class ListOrderSyncsQueryDto extends createZodDto(
  z.object({
    shop,
    status: z.enum(SYNC_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(250).default(50).describe('Orders per page'),
    cursor: id('cursor').optional().describe("The previous page's next_cursor"),
  }),
) {}

export class OrderSyncDto {
  @ApiProperty() shop!: string;
  @ApiProperty({ example: '820982911946154508' }) order_id!: string;
  @ApiProperty() event_id!: string;
  @ApiProperty({ enum: SYNC_STATUSES }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) last_error!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: "The ERP's last HTTP status" })
  erp_status!: number | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) synced_at!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  next_attempt_at!: string | null;
}

export class OrderSyncPageDto {
  @ApiProperty({ type: [OrderSyncDto] }) orders!: OrderSyncDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor`; null on the last' })
  next_cursor!: string | null;
}

export class RetryQueuedDto {
  @ApiProperty({ example: true }) queued!: boolean;
}
