import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Logger, Registry } from '@shopwire/observability';
import { createBreaker, retry, type Breaker } from '@shopwire/resilience';
import { signWebhookBody } from '../../webhooks/delivery/webhook-envelope';
import { randomUUID } from 'node:crypto';
import { SERVICE_CONFIG } from '@shopwire/config';
import { SIM_LOGGER } from '../../app.tokens';
import type { SimConfig } from '../../config/sim-config.schema';
import { webhookHeaders } from '../../webhooks/delivery/webhook-envelope';
import { toShopifyJson } from '../../webhooks/payloads/shopify-json.writer';
import type { ChangeListener } from '../graphql/admin-context';
import { inventoryLevelJson, productJson } from '../rest/rest-render';
import { AdminShopsService } from '../shops/admin-shops.service';

export interface BulkSettings {
  objectsPerSecond: number;
  webhookUrl?: string;
  webhookSecret?: string;
}

interface Delivery {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

class DeliveryFailed extends Error {
  override readonly name = 'DeliveryFailed';
}

/** Shopify gives a webhook receiver 5 s to answer. */
const DELIVERY_TIMEOUT_MS = 5_000;

/**
 * Webhooks the Admin API side sends (bulk_operations/finish, products/update) to the URL set in
 * `PUT /sim/admin/bulk-settings`, signed like every simulator webhook. Delivery is best effort —
 * a timeout, a few retries with jittered backoff and a breaker — because the bulk operation's
 * own status, not the webhook, is the source of truth for clients that poll.
 */
@Injectable()
export class AdminWebhooksService implements ChangeListener, OnModuleDestroy {
  settings: BulkSettings = { objectsPerSecond: 5000 };
  /** For webhooks not caused by a request of a known API version (the app's configured one). */
  readonly apiVersion: string;
  private readonly breaker: Breaker<[Delivery], void>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: SimConfig,
    @Inject(SIM_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly shops: AdminShopsService,
  ) {
    this.apiVersion = config.SHOPIFY_API_VERSION;
    this.breaker = createBreaker((delivery: Delivery) => this.post(delivery), {
      name: 'admin-webhooks',
      timeoutMs: DELIVERY_TIMEOUT_MS,
      registry,
    });
  }

  /** Queues a signed delivery of `payload` (already serialised) for `topic`; never throws. */
  send(shop: string, topic: string, apiVersion: string, body: Buffer): void {
    const url = this.settings.webhookUrl;
    if (!url) return;
    const secret = this.settings.webhookSecret ?? this.config.SHOPIFY_WEBHOOK_SECRET;
    const headers = webhookHeaders({
      topic,
      hmac: signWebhookBody(secret, body),
      shopDomain: shop,
      apiVersion,
      webhookId: randomUUID(),
      eventId: randomUUID(),
      triggeredAt: new Date(),
    });
    const delivery = retry(() => this.breaker.fire({ url, headers, body }), {
      attempts: 4,
      baseMs: 200,
      capMs: 2_000,
    })
      .catch((error: unknown) => {
        // The topic and shop only: payloads may carry customer data and are never logged.
        this.logger.warn(
          { topic, shop, err: (error as Error).message },
          'admin webhook not delivered',
        );
      })
      .finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** products/update, as Shopify sends it after a change made through the API. */
  productChanged(shop: string, productIndex: number): void {
    const { store } = this.shops.get(shop);
    this.send(
      shop,
      'products/update',
      this.apiVersion,
      toShopifyJson(productJson(store, productIndex)),
    );
  }

  /** inventory_levels/update after inventorySetQuantities, one per level changed. */
  inventoryChanged(shop: string, variantIndex: number, locationIndex: number): void {
    const { store } = this.shops.get(shop);
    this.send(
      shop,
      'inventory_levels/update',
      this.apiVersion,
      toShopifyJson(inventoryLevelJson(store, variantIndex, locationIndex)),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    this.breaker.shutdown();
  }

  private async post(delivery: Delivery): Promise<void> {
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    // Shopify counts only a 2xx as delivered; a redirect is a failure.
    if (response.status < 200 || response.status >= 300)
      throw new DeliveryFailed(`webhook receiver answered ${response.status}`);
  }
}
