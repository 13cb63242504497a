import { BadRequestException, Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from '@shopwire/config';
import { Access, ApiCaller, Caller, ShopFrom } from '@shopwire/http';
import { isValidShopDomain } from '@shopwire/shopify';
import { maskEmail } from './notification-events';
import { NotificationsRepository, type NotificationLogRow } from './notifications.repository';
import { PrivacyRepository, type PrivacyRecord } from './privacy.repository';

const shop = z
  .string({ required_error: 'shop is required' })
  .refine(isValidShopDomain, 'shop must be a *.myshopify.com domain');
const id = (name: string) => z.string().regex(/^\d{1,19}$/, `${name} must be a numeric id`);

const listQuery = z.object({
  shop,
  orderId: id('orderId').optional(),
  status: z.enum(['pending', 'sent', 'failed', 'skipped', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(250).default(50),
  cursor: id('cursor').optional(),
});

function parse<T extends z.ZodTypeAny>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.infer<T>;
  throw new BadRequestException(result.error.issues.map((issue) => issue.message));
}

/**
 * A log entry: status and timing, never the body; the recipient (masked) only for a caller with
 * `customers:read`.
 */
function toLogEntry(row: NotificationLogRow, caller: ApiCaller) {
  return {
    id: row.id,
    event_id: row.eventId,
    template: row.template,
    order_id: row.orderId,
    ...(caller.seesPersonalData ? { recipient: maskEmail(row.recipient) } : {}),
    status: row.status,
    attempts: row.attempts,
    last_error: row.lastError,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    sent_at: row.sentAt,
    redacted_at: row.redactedAt,
  };
}

@ApiTags('notifications')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiBadRequestResponse({ description: 'Missing or malformed shop, id, status, limit or cursor' })
@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly privacy: PrivacyRepository,
  ) {}

  @Get()
  @Access('notifications:read', ShopFrom.query())
  @ApiOperation({ summary: "A page of a shop's notification log, oldest first" })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'orderId', required: false })
  @ApiQuery({
    name: 'status',
    required: false,
    enum: ['pending', 'sent', 'failed', 'skipped', 'cancelled'],
  })
  @ApiQuery({ name: 'limit', required: false, description: '1–250, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: "The previous page's next_cursor" })
  async list(@Query() query: Record<string, string>, @Caller() caller: ApiCaller) {
    const q = parse(listQuery, query);
    const rows = await this.notifications.list(
      q.shop,
      { orderId: q.orderId, status: q.status, afterId: q.cursor },
      q.limit + 1,
    );
    const page = rows.slice(0, q.limit);
    return {
      notifications: page.map((row) => toLogEntry(row, caller)),
      next_cursor: rows.length > q.limit ? page[page.length - 1].id : null,
    };
  }

  @Get('orders/:orderId')
  @Access('notifications:read', ShopFrom.query())
  @ApiOperation({ summary: 'Every email about one order, with its status' })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  async forOrder(
    @Param('orderId') orderId: string,
    @Caller() caller: ApiCaller,
    @Query('shop') shopDomain?: string,
  ) {
    const q = parse(z.object({ shop, orderId: id('orderId') }), { shop: shopDomain, orderId });
    const rows = await this.notifications.list(q.shop, { orderId: q.orderId }, 250);
    return { notifications: rows.map((row) => toLogEntry(row, caller)) };
  }

  @Get('privacy-requests')
  @Access('privacy:read', ShopFrom.query())
  @ApiOperation({
    summary: 'Compliance requests applied for a shop, with data-request exports',
    description: 'An export (personal data) only with scope customers:read; null otherwise',
  })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  async privacyRequests(
    @Caller() caller: ApiCaller,
    @Query('shop') shopDomain?: string,
  ): Promise<{ requests: PrivacyRecord[] }> {
    const q = parse(z.object({ shop }), { shop: shopDomain });
    const requests = await this.privacy.list(q.shop);
    return {
      requests: caller.seesPersonalData ? requests : requests.map((r) => ({ ...r, export: null })),
    };
  }
}
