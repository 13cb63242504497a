import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from '@shopwire/config';
import { Access, ApiCaller, Caller, ShopFrom } from '@shopwire/http';
import { isValidShopDomain } from '@shopwire/shopify';
import { OrderSyncRepository, type OrderSyncRow } from './order-sync.repository';
import { SyncPrivacyRepository, type PrivacyRecord } from './sync-privacy.repository';
import { ErpSyncWorker } from './erp-sync.worker';

const shop = z
  .string({ required_error: 'shop is required' })
  .refine(isValidShopDomain, 'shop must be a *.myshopify.com domain');
const id = (name: string) => z.string().regex(/^\d{1,19}$/, `${name} must be a numeric id`);

function parse<T extends z.ZodTypeAny>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.infer<T>;
  throw new BadRequestException(result.error.issues.map((issue) => issue.message));
}

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
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'synced', 'failed', 'cancelled'] })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  async list(@Query() query: Record<string, string>) {
    const q = parse(
      z.object({
        shop,
        status: z.enum(['pending', 'synced', 'failed', 'cancelled']).optional(),
        limit: z.coerce.number().int().min(1).max(250).default(50),
        cursor: id('cursor').optional(),
      }),
      query,
    );
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
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiNotFoundResponse({ description: 'No accepted order with this id in this shop' })
  async get(@Param('id') orderId: string, @Query('shop') shopDomain?: string) {
    const q = parse(z.object({ shop, orderId: id('id') }), { shop: shopDomain, orderId });
    const row = await this.orders.get(q.shop, q.orderId);
    if (!row) throw new NotFoundException('order not found');
    return toDto(row);
  }

  @Post('orders/:id/retry')
  @Access('sync:write', ShopFrom.query())
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry a failed order now, with a fresh attempt budget' })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  async retry(@Param('id') orderId: string, @Query('shop') shopDomain?: string) {
    const q = parse(z.object({ shop, orderId: id('id') }), { shop: shopDomain, orderId });
    if (!(await this.orders.resetAttempts(q.shop, q.orderId)))
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
