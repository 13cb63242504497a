import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Inject,
  Param,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { SERVICE_CONFIG } from '@shopwire/config';
import { SIM_LOGGER } from '../app.tokens';
import type { SimConfig } from '../config/sim-config.schema';
import { isShopDomain } from '../installs/oauth-crypto';
import { parseBody } from '../installs/parse-body';
import { TokenStore } from '../installs/token-store';
import { WebhookSubscriptionStore } from '../installs/webhook-subscription-store';
import type { Logger } from '@shopwire/observability';
import type { DeliveryTarget } from './delivery/delivery-routes';
import { buildDelivery, type WebhookDelivery } from './delivery/webhook-envelope';
import { WebhookTrafficGenerator } from './traffic/webhook-traffic.generator';
import type { WebhookTopic } from './traffic/webhook-topics';
import { WebhookStreamsService } from './webhook-streams.service';

const lifecycleSchema = z
  .object({
    /** Replaces the app configuration's endpoint (`GATEWAY_URL`) for this webhook. */
    url: z.string().url().optional(),
  })
  .strict();

export interface LifecycleAnswer {
  shop: string;
  revokedTokens?: number;
  removedSubscriptions?: number;
  webhooks: { topic: string; webhookId: string; url: string }[];
}

function checkShop(shop: string): string {
  if (!isShopDomain(shop))
    throw new BadRequestException({ message: 'shop must be a *.myshopify.com domain' });
  return shop;
}

/**
 * What a merchant does to the app from Shopify's side: uninstall it (tokens revoked at once, the
 * app's API subscriptions gone, `app/uninstalled` sent) and, 48 h later, Shopify's `shop/redact`.
 * Both signed with `SHOPIFY_WEBHOOK_SECRET` like every other webhook, with Shopify's retries.
 */
@ApiTags('install simulation')
@ApiBearerAuth()
@Controller('sim/shops')
export class ShopLifecycleController {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: SimConfig,
    @Inject(SIM_LOGGER) private readonly logger: Logger,
    private readonly tokens: TokenStore,
    private readonly subscriptions: WebhookSubscriptionStore,
    private readonly streams: WebhookStreamsService,
  ) {}

  @Post(':shop/uninstall')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Uninstall: revoke the shop's tokens (401 from now on), remove its subscriptions, send app/uninstalled to its APP_UNINSTALLED subscriptions — or, without one, to the app configuration's endpoint (GATEWAY_URL or `url`)",
  })
  uninstall(@Param('shop') shop: string, @Body() body: unknown): LifecycleAnswer {
    checkShop(shop);
    const { url } = parseBody(lifecycleSchema, body);
    const subscribed: DeliveryTarget[] = this.subscriptions
      .forTopic(shop, 'app/uninstalled')
      .filter((subscription) => /^https?:\/\//.test(subscription.uri))
      .map((subscription) => ({ url: subscription.uri, apiVersion: subscription.apiVersion }));
    const targets = subscribed.length > 0 ? subscribed : [{ url: url ?? this.config.GATEWAY_URL }];
    const revokedTokens = this.tokens.revokeShop(shop);
    const removedSubscriptions = this.subscriptions.removeShop(shop);
    const webhooks = this.send(shop, 'app/uninstalled', targets);
    this.logger.info(
      { shopDomain: shop, revokedTokens, removedSubscriptions },
      'shop uninstalled the app',
    );
    return { shop, revokedTokens, removedSubscriptions, webhooks };
  }

  @Post(':shop/redact')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Send shop/redact (a compliance topic: app configuration only) to GATEWAY_URL or `url`',
  })
  redact(@Param('shop') shop: string, @Body() body: unknown): LifecycleAnswer {
    checkShop(shop);
    const { url } = parseBody(lifecycleSchema, body);
    return {
      shop,
      webhooks: this.send(shop, 'shop/redact', [{ url: url ?? this.config.GATEWAY_URL }]),
    };
  }

  private send(shop: string, topic: WebhookTopic, targets: DeliveryTarget[]) {
    const now = new Date();
    // The shop's payload is generated from its domain, as every stream's is.
    const [event] = new WebhookTrafficGenerator(
      { seed: `lifecycle:${shop}`, shops: [shop] },
      now,
    ).nextOf(topic, now, shop);
    // One event, one event id, whatever the number of endpoints.
    const once = { ...event!, eventId: randomUUID() };
    const build = (webhookId: string, apiVersion: string): WebhookDelivery =>
      buildDelivery(once, webhookId, {
        apiVersion,
        secrets: { current: this.config.SHOPIFY_WEBHOOK_SECRET },
      });
    return this.streams.sendOne(build, targets).map((delivery, i) => ({
      topic,
      webhookId: delivery.webhookId,
      url: targets[i]!.url,
    }));
  }
}
