import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { resolveWebhookEndpoint, WEBHOOK_SUBSCRIPTIONS } from '@shopwire/contracts';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Logger, Registry } from '@shopwire/observability';
import { ShopifyAdminClient } from '@shopwire/shopify-admin';
import {
  SubscriptionReconciler,
  type DesiredSubscription,
  type ReconcileReport,
  type ReconcileTrigger,
} from '@shopwire/shopify-subscriptions';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { SERVICE_CONFIG, SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import { ShopNotInstalledError } from '../credentials/credentials.errors';
import { InstallationsService } from '../credentials/installations.service';
import { shopBaseUrl } from '../oauth/shop-url';
import { SHOPS_REDIS } from '../shops.tokens';
import { shopGraphql } from './shop-admin-graphql';
import { withAdvisoryLock } from './advisory-lock';
import { SubscriptionsRepository, type SubscriptionRow } from './subscriptions.repository';

/** Desired vs actual for one shop, as `GET /shops/:shop/webhook-subscriptions` answers. */
export interface SubscriptionsView {
  shop: string;
  endpoint: string;
  apiVersion: string;
  subscriptions: { topic: string; desired: DesiredSubscription; actual: SubscriptionRow | null }[];
}

/**
 * Keeps each installed shop's webhook subscriptions as declared, with the shop's own token from
 * InstallationsService. One reconcile per shop at a time across replicas (a per-shop advisory
 * lock: an install event, the schedule and an operator may ask at once); each result is stored
 * in `shops.webhook_subscriptions`.
 */
@Injectable()
export class SubscriptionsService implements OnModuleDestroy {
  readonly reconciler: SubscriptionReconciler;
  private readonly admin: ShopifyAdminClient;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ShopsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(SHOPS_REDIS) redis: Redis,
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly installations: InstallationsService,
    private readonly repository: SubscriptionsRepository,
  ) {
    this.reconciler = new SubscriptionReconciler({
      endpoint: resolveWebhookEndpoint(config.SHOPIFY_WEBHOOK_URL),
      formerEndpoints: config.SHOPIFY_WEBHOOK_FORMER_URLS,
      registry,
      logger: logger.child({ component: 'webhook-subscriptions' }),
    });
    this.admin = new ShopifyAdminClient({
      redis,
      // A subscription takes the API version of the call that writes it: use the declared one.
      apiVersion: WEBHOOK_SUBSCRIPTIONS.apiVersion,
      accessToken: async (shop) => (await this.installations.accessToken(shop)).accessToken,
      shopUrl: (shop, version) =>
        `${shopBaseUrl(config.SHOPIFY_SHOP_URL, shop)}/admin/api/${version}`,
      registry,
      logger: logger.child({ component: 'shopify-admin' }),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin.close();
  }

  /**
   * Reconciles one shop now (waiting for another reconcile of it to finish first). `install`
   * starts the shop's rows afresh. A shop never reconciled successfully counts as an install
   * whatever the trigger, so an install whose first reconcile failed is not reported as a repair.
   */
  reconcile(shop: string, trigger: ReconcileTrigger): Promise<ReconcileReport> {
    // One at a time in a process: each holds a pooled connection for its lock while it calls
    // Shopify, so concurrent ones (install events, the sweep, operators) could drain the pool.
    const run = this.queue.then(() => this.reconcileNow(shop, trigger));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reconcileNow(shop: string, trigger: ReconcileTrigger): Promise<ReconcileReport> {
    const installation = await this.installations.get(shop);
    if (!installation || installation.status !== 'installed') throw new ShopNotInstalledError(shop);
    return withAdvisoryLock(this.dataSource, `shops.subscriptions:${shop}`, async () => {
      if (trigger === 'install') await this.repository.clear(shop);
      const effective = (await this.repository.everReconciled(shop)) ? trigger : 'install';
      try {
        const report = await this.reconciler.reconcile(
          shop,
          shopGraphql(this.admin, this.installations, shop),
          effective,
        );
        await this.repository.record(shop, report.subscriptions);
        return report;
      } catch (error) {
        await this.repository.recordCheckFailed(
          shop,
          this.reconciler.desiredSubscriptions().map((d) => d.topic),
        );
        throw error;
      }
    });
  }

  /** Declared vs last seen; null when the shop was never installed. */
  async view(shop: string): Promise<SubscriptionsView | null> {
    const installation = await this.installations.get(shop);
    if (!installation) return null;
    const rows = new Map((await this.repository.list(shop)).map((r) => [r.topic, r]));
    return {
      shop,
      endpoint: resolveWebhookEndpoint(this.config.SHOPIFY_WEBHOOK_URL),
      apiVersion: WEBHOOK_SUBSCRIPTIONS.apiVersion,
      subscriptions: this.reconciler.desiredSubscriptions().map((desired) => ({
        topic: desired.topic,
        desired,
        actual: rows.get(desired.topic) ?? null,
      })),
    };
  }
}
