import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Put,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublicRoute } from '@shopwire/http';
import { isShopDomain } from '../../installs/oauth-crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AdminWebhooksService, type BulkSettings } from '../bulk/admin-webhooks.service';
import { BulkOperationsService } from '../bulk/bulk-operations.service';
import {
  AdminFaultsService,
  adminFaultsSchema,
  type AdminFaults,
} from '../faults/admin-faults.service';
import { AdminShopsService, type ShopStats, type ShopSummary } from '../shops/admin-shops.service';
import { PLAN_NAMES, type PlanName } from '../shops/plans';

const size = z.number().int().min(0).max(1_000_000);
const shopSettingsSchema = z
  .object({
    plan: z.enum(PLAN_NAMES as [PlanName, ...PlanName[]]).optional(),
    /** Catalog size (5 variants per product); changing it regenerates the shop's data. */
    products: size.optional(),
    orders: size.optional(),
    customers: size.min(1).optional(),
  })
  .strict();

const bulkSettingsSchema = z
  .object({
    objectsPerSecond: z.number().positive().max(10_000_000),
    webhookUrl: z.string().url().optional(),
    webhookSecret: z.string().min(1).max(512).optional(),
  })
  .strict();

function parseBody<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new BadRequestException({
    message: 'invalid request',
    problems: parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
    ),
  });
}

function checkShop(shop: string): string {
  if (!isShopDomain(shop))
    throw new BadRequestException({ message: 'shop must be a *.myshopify.com domain' });
  return shop;
}

/** The simulator's own control of its Admin API: plans, catalog sizes, statistics, faults, bulk pacing. */
@ApiTags('Admin API simulation')
@ApiBearerAuth()
@Controller('sim')
export class AdminControlController {
  constructor(
    private readonly shops: AdminShopsService,
    private readonly faults: AdminFaultsService,
    private readonly webhooks: AdminWebhooksService,
    private readonly bulk: BulkOperationsService,
  ) {}

  @Put('admin/shops/:shop')
  @ApiOperation({
    summary: 'Set a shop’s plan (refills both buckets) and optionally its catalog size',
  })
  configure(@Param('shop') shop: string, @Body() body: unknown): ShopSummary {
    return this.shops.configure(checkShop(shop), parseBody(shopSettingsSchema, body));
  }

  @Get('admin/shops/:shop')
  @ApiOperation({ summary: 'A shop’s plan, sizes and current bucket levels' })
  describe(@Param('shop') shop: string): ShopSummary {
    return this.shops.summary(checkShop(shop));
  }

  @Delete('admin/shops/:shop')
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget a shop: buckets, statistics, changes and bulk operations' })
  forget(@Param('shop') shop: string): void {
    this.shops.forget(checkShop(shop));
  }

  @Get('admin/shops/:shop/stats')
  @ApiOperation({ summary: 'Requests, throttles and points of one shop' })
  stats(@Param('shop') shop: string): ShopStats {
    return this.shops.stats(checkShop(shop));
  }

  @Put('admin/faults')
  @ApiOperation({
    summary:
      'Inject Admin API faults: {shop?, errorBurst, errorStatus, errorRate, latencyMs, dropRate}',
  })
  setFaults(@Body() body: unknown): AdminFaults {
    return this.faults.set(parseBody(adminFaultsSchema, body));
  }

  @Get('admin/faults')
  listFaults(): Record<string, AdminFaults> {
    return this.faults.list();
  }

  @Delete('admin/faults')
  @HttpCode(204)
  clearFaults(): void {
    this.faults.clear();
  }

  @Put('admin/bulk-settings')
  @ApiOperation({ summary: 'Bulk pacing (objects per second) and where finish webhooks go' })
  setBulkSettings(@Body() body: unknown): Omit<BulkSettings, 'webhookSecret'> {
    this.webhooks.settings = parseBody(bulkSettingsSchema, body);
    return this.bulkSettings();
  }

  @Get('admin/bulk-settings')
  bulkSettings(): Omit<BulkSettings, 'webhookSecret'> {
    // The secret is write-only: it never leaves the simulator.
    const { webhookSecret: _secret, ...visible } = this.webhooks.settings;
    return visible;
  }

  /** The `url` of a COMPLETED bulk operation: open, as Shopify's signed storage URLs are. */
  @Get('bulk/:file')
  @PublicRoute()
  @ApiOperation({ summary: 'Download a completed bulk operation’s JSONL result' })
  async download(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    const match = /^(\d{1,20})\.jsonl$/.exec(file);
    const stream = match ? this.bulk.openResult(match[1]!) : null;
    if (!stream) throw new NotFoundException('no such bulk operation result');
    await reply.header('content-type', 'application/jsonl').send(stream);
  }
}
