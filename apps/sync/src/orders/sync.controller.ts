import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOperation,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Access, ApiCaller, Caller, ShopFrom } from '@shopwire/http';
import { PrivacyRequestRecordsDto } from '@shopwire/privacy';
import {
  ListOrderSyncsQueryDto,
  OrderSyncDto,
  OrderSyncPageDto,
  RetryQueuedDto,
  SyncOrderIdParamsDto,
  SyncShopQueryDto,
} from './dto/sync.dto';
import { OrderSyncRepository, type OrderSyncRow } from './order-sync.repository';
import { SyncPrivacyRepository, type PrivacyRecord } from './sync-privacy.repository';
import { ErpSyncWorker } from './erp-sync.worker';

/** Status only: the order payload (customer data) never leaves through this API. */
function toDto(row: OrderSyncRow) {
  return {
    shop: row.shopDomain,
    order_id: row.orderId,
    event_id: row.eventId,
    status: row.status,
    attempts: row.attempts,
    last_error: row.lastError,
    erp_status: row.erpStatus,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    synced_at: row.syncedAt,
    next_attempt_at: row.status === 'synced' ? null : row.nextAttemptAt,
  };
}

@ApiTags('sync')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiBadRequestResponse({ description: 'Missing or malformed shop, id, status, limit or cursor' })
@Controller('sync')
export class SyncController {
  constructor(
    private readonly orders: OrderSyncRepository,
    private readonly privacy: SyncPrivacyRepository,
    private readonly worker: ErpSyncWorker,
  ) {}

  @Get('orders')
  @Access('sync:read', ShopFrom.query())
  @ApiOperation({ summary: "A shop's order syncs, by ascending order id, optionally by status" })
  @ApiOkResponse({ type: OrderSyncPageDto })
  async list(@Query() q: ListOrderSyncsQueryDto) {
    const rows = await this.orders.list(q.shop, q.status ?? null, q.cursor ?? null, q.limit + 1);
    const page = rows.slice(0, q.limit);
    return {
      orders: page.map(toDto),
      next_cursor: rows.length > q.limit ? page[page.length - 1].orderId : null,
    };
  }

  @Get('orders/:id')
  @Access('sync:read', ShopFrom.query())
  @ApiOperation({ summary: 'The ERP sync status of one order' })
  @ApiNotFoundResponse({ description: 'No accepted order with this id in this shop' })
  @ApiOkResponse({ type: OrderSyncDto })
  async get(@Param() params: SyncOrderIdParamsDto, @Query() q: SyncShopQueryDto) {
    const row = await this.orders.get(q.shop, params.id);
    if (!row) throw new NotFoundException('order not found');
    return toDto(row);
  }

  @Post('orders/:id/retry')
  @Access('sync:write', ShopFrom.query())
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry a failed order now, with a fresh attempt budget' })
  @ApiAcceptedResponse({ type: RetryQueuedDto })
  async retry(@Param() params: SyncOrderIdParamsDto, @Query() q: SyncShopQueryDto) {
    if (!(await this.orders.resetAttempts(q.shop, params.id)))
      throw new NotFoundException('no failed order with this id in this shop');
    this.worker.wake();
    return { queued: true };
  }

  @Get('privacy-requests')
  @Access('privacy:read', ShopFrom.query())
  @ApiOperation({
    summary: 'Compliance requests applied for a shop, with data-request exports',
    description: 'An export (personal data) only with scope customers:read; null otherwise',
  })
  @ApiOkResponse({ type: PrivacyRequestRecordsDto })
  async privacyRequests(
    @Query() q: SyncShopQueryDto,
    @Caller() caller: ApiCaller,
  ): Promise<{ requests: PrivacyRecord[] }> {
    const requests = await this.privacy.list(q.shop);
    return {
      requests: caller.seesPersonalData ? requests : requests.map((r) => ({ ...r, export: null })),
    };
  }
}
