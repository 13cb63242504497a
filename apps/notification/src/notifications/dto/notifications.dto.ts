import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { z } from '@shopwire/config';
import { isValidShopDomain } from '@shopwire/shopify';
import { createZodDto } from 'nestjs-zod';

// The query schemas validate their request input (the global ZodValidationPipe of
// @shopwire/http) and are that input's OpenAPI schema; the answer classes document the bodies.

const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed', 'skipped', 'cancelled'] as const;

const shop = z
  .string({ required_error: 'shop is required' })
  .refine(isValidShopDomain, 'shop must be a *.myshopify.com domain')
  .describe('The shop, e.g. acme.myshopify.com');
const id = (name: string) => z.string().regex(/^\d{1,19}$/, `${name} must be a numeric id`);

export class ShopQueryDto extends createZodDto(z.object({ shop })) {}

export class OrderIdParamsDto extends createZodDto(
  z.object({ orderId: id('orderId').describe('Shopify order id') }),
) {}

export class ListNotificationsQueryDto extends createZodDto(
  z.object({
    shop,
    orderId: id('orderId').optional().describe('Only the emails about this Shopify order'),
    status: z.enum(NOTIFICATION_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(250).default(50).describe('Entries per page'),
    cursor: id('cursor').optional().describe("The previous page's next_cursor"),
  }),
) {}

export class NotificationLogEntryDto {
  @ApiProperty({ example: '17' }) id!: string;
  @ApiProperty({ description: 'The domain event that asked for the email' }) event_id!: string;
  @ApiProperty({ example: 'order-confirmation' }) template!: string;
  @ApiProperty({ type: String, nullable: true }) order_id!: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Masked address; only with scope customers:read',
  })
  recipient?: string | null;
  @ApiProperty({ enum: NOTIFICATION_STATUSES }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) last_error!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) sent_at!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) redacted_at!: string | null;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationLogEntryDto] }) notifications!: NotificationLogEntryDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last',
  })
  next_cursor!: string | null;
}

export class NotificationListDto {
  @ApiProperty({ type: [NotificationLogEntryDto] }) notifications!: NotificationLogEntryDto[];
}
