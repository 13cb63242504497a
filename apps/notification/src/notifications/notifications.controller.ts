import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOperation,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Access, ApiCaller, Caller, ShopFrom } from '@shopwire/http';
import { PrivacyRequestRecordsDto } from '@shopwire/privacy';
import {
  ListNotificationsQueryDto,
  NotificationListDto,
  NotificationPageDto,
  OrderIdParamsDto,
  ShopQueryDto,
} from './dto/notifications.dto';
import { maskEmail } from './notification-events';
import { NotificationsRepository, type NotificationLogRow } from './notifications.repository';
import { PrivacyRepository, type PrivacyRecord } from './privacy.repository';

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
  @ApiOkResponse({ type: NotificationPageDto })
  async list(@Query() q: ListNotificationsQueryDto, @Caller() caller: ApiCaller) {
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
  @ApiOkResponse({ type: NotificationListDto })
  async forOrder(
    @Param() { orderId }: OrderIdParamsDto,
    @Query() q: ShopQueryDto,
    @Caller() caller: ApiCaller,
  ) {
    const rows = await this.notifications.list(q.shop, { orderId }, 250);
    return { notifications: rows.map((row) => toLogEntry(row, caller)) };
  }

  @Get('privacy-requests')
  @Access('privacy:read', ShopFrom.query())
  @ApiOperation({
    summary: 'Compliance requests applied for a shop, with data-request exports',
    description: 'An export (personal data) only with scope customers:read; null otherwise',
  })
  @ApiOkResponse({ type: PrivacyRequestRecordsDto })
  async privacyRequests(
    @Query() q: ShopQueryDto,
    @Caller() caller: ApiCaller,
  ): Promise<{ requests: PrivacyRecord[] }> {
    const requests = await this.privacy.list(q.shop);
    return {
      requests: caller.seesPersonalData ? requests : requests.map((r) => ({ ...r, export: null })),
    };
  }
}
