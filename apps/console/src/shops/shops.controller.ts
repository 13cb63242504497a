import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectServiceConfig } from '@shopwire/config';
import type { FastifyReply } from 'fastify';
import type { ConsoleConfig } from '../config';
import { probeService } from '../platform/service-probe';
import { OperatorToken } from '../session/operator-session';
import { Pages, queryValue } from '../session/pages';
import { ConsoleServices } from '../services/console-services';
import { outcome } from '../services/upstream';

const PAGE_SIZE = 50;
const SHOP = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * Installations (shops service): token health — never a token —, webhook subscriptions, and the
 * Admin API budget as sync's metrics show it.
 */
@ApiExcludeController()
@Controller('shops')
export class ShopsPagesController {
  constructor(
    @InjectServiceConfig() private readonly config: ConsoleConfig,
    private readonly services: ConsoleServices,
    private readonly pages: Pages,
  ) {}

  @Get()
  async list(
    @Query() query: Record<string, unknown>,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const page = Math.max(1, Math.min(10_000, Number(queryValue(query.page)) || 1));
    const answer = await outcome(() => this.services.as(token).shops.GET('/shops'));
    // The shops API answers every installation the credential covers at once (no cursor yet);
    // the console shows them a page at a time.
    const all = answer.ok
      ? [...answer.data.shops].sort((a, b) => a.shop.localeCompare(b.shop))
      : [];
    return this.pages.render(reply, 'shops', 'shops', {
      answer: answer.ok ? null : answer,
      shops: all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
      total: all.length,
      page,
      pages: Math.max(1, Math.ceil(all.length / PAGE_SIZE)),
    });
  }

  @Get(':shop')
  async one(
    @Param('shop') shop: string,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    if (!SHOP.test(shop)) {
      return this.pages.render(
        reply,
        'message',
        'shops',
        { title: 'No such shop', text: 'Shops are x.myshopify.com domains.' },
        404,
      );
    }
    const clients = this.services.as(token);
    const [installation, subscriptions] = await Promise.all([
      outcome(() => clients.shops.GET('/shops/{shop}', { params: { path: { shop } } })),
      outcome(() =>
        clients.shops.GET('/shops/{shop}/webhook-subscriptions', { params: { path: { shop } } }),
      ),
    ]);
    // The budget figures come from sync's metrics, which anyone inside the cluster may scrape;
    // the console shows them only for a shop the operator's credential was just shown.
    const budget = installation.ok ? await this.budget(shop) : null;
    return this.pages.render(reply, 'shop', 'shops', { shop, installation, subscriptions, budget });
  }

  private async budget(shop: string) {
    const readout = await probeService(
      this.config.SYNC_URL,
      this.config.CONSOLE_UPSTREAM_TIMEOUT_MS,
    );
    if (!readout.metrics) return { reachable: false as const };
    const ofShop = (name: string) =>
      (readout.metrics?.get(name) ?? []).filter((sample) => sample.labels.shop === shop);
    return {
      reachable: true as const,
      available: ofShop('shopwire_shopify_admin_points_available').map((s) => ({
        api: s.labels.api ?? '',
        value: s.value,
      })),
      used: ofShop('shopwire_shopify_admin_points_used_total').reduce((n, s) => n + s.value, 0),
      throttled: ofShop('shopwire_shopify_admin_throttled_total').map((s) => ({
        api: s.labels.api ?? '',
        value: s.value,
      })),
    };
  }
}
