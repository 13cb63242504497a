import {
  Inject,
  Injectable,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Logger, Registry } from '@shopwire/observability';
import { randomUUID } from 'node:crypto';
import { SERVICE_CONFIG } from '@shopwire/config';
import { SIM_LOGGER } from '../app.tokens';
import type { SimConfig } from '../config/sim-config.schema';
import { TokenStore } from '../installs/token-store';
import {
  WebhookSubscriptionStore,
  type SubscriptionStats,
} from '../installs/webhook-subscription-store';
import { deliveryTargets, type DeliveryTarget } from './delivery/delivery-routes';
import {
  DeliveryStats,
  type DeliveryObserver,
  type DeliveryStatsSnapshot,
} from './delivery/delivery-stats';
import { NO_FAULTS } from './delivery/fault-injector';
import { shopifyRetryDelaysMs } from './delivery/retry-schedule';
import { WebhookDeliveryClient } from './delivery/webhook-delivery.client';
import { WebhookDeliveryEngine } from './delivery/webhook-delivery.engine';
import type { WebhookDelivery } from './delivery/webhook-envelope';
import type { StartStreamRequest } from './dto/start-stream.dto';
import { WebhookMetricsObserver } from './webhook-metrics.observer';
import { WebhookStream, type StreamConfig, type StreamStatus } from './traffic/webhook-stream';

const KEEP_FINISHED_STREAMS = 100;

export interface SimulatorStats {
  streams: { running: number; finished: number };
  deliveries: DeliveryStatsSnapshot;
  /** API subscriptions: made, changed, deleted, removed after failures or on uninstall. */
  subscriptions: SubscriptionStats;
}

/**
 * Runs webhook streams against the gateway: one delivery engine (one keep-alive pool, one
 * concurrency limit) shared by every stream, statistics per stream and for the process.
 */
@Injectable()
export class WebhookStreamsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly client: WebhookDeliveryClient;
  private readonly engine: WebhookDeliveryEngine;
  private readonly totals = new DeliveryStats();
  private readonly streams = new Map<string, WebhookStream>();
  private streamCounter = 0;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: SimConfig,
    @Inject(SIM_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly tokens: TokenStore,
    private readonly subscriptions: WebhookSubscriptionStore,
  ) {
    this.client = new WebhookDeliveryClient({
      connections: config.DELIVERY_CONCURRENCY,
      connectTimeoutMs: config.DELIVERY_CONNECT_TIMEOUT_MS,
      responseTimeoutMs: config.DELIVERY_TIMEOUT_MS,
    });
    this.engine = new WebhookDeliveryEngine(
      this.client,
      {
        concurrency: config.DELIVERY_CONCURRENCY,
        retryDelaysMs: shopifyRetryDelaysMs(config.RETRY_TIME_SCALE),
      },
      [this.totals, new WebhookMetricsObserver(registry), this.gaveUpLogger()],
    );
  }

  onApplicationBootstrap(): void {
    const rate = this.config.SIM_AUTOSTART_RATE;
    if (rate === undefined) return;
    const status = this.start({ rate, faults: { ...defaultFaults } }, 'autostart');
    this.logger.info({ streamId: status.id, rate }, 'autostarted the demo webhook stream');
  }

  async onApplicationShutdown(): Promise<void> {
    for (const stream of this.streams.values()) stream.stop();
    await this.engine.close();
    await this.client.close();
  }

  start(request: StartStreamRequest, caller = 'api'): StreamStatus {
    const id = `wst_${randomUUID()}`;
    const seed =
      request.seed ??
      (this.config.SIM_SEED ? `${this.config.SIM_SEED}:${++this.streamCounter}` : randomUUID());
    const streamConfig: StreamConfig = {
      url: request.targetUrl ?? this.config.GATEWAY_URL,
      route: (shop, topic) => this.route(shop, topic, request.targetUrl),
      ratePerSecond: request.rate,
      count: request.count,
      durationMs:
        request.durationSeconds === undefined ? undefined : request.durationSeconds * 1000,
      shops: request.shops ?? this.config.SIM_SHOPS,
      mix: request.topics,
      faults: {
        ...NO_FAULTS,
        duplicateProbability: request.faults.duplicates,
        reorderWindow: request.faults.reorderWindow,
        delayProbability: request.faults.delayProbability,
        delayMaxMs: request.faults.delayMaxMs,
      },
      signing: {
        oldSecretProbability: request.faults.oldSecretRatio,
        wrongSecretProbability: request.faults.wrongSecretRatio,
      },
      seed,
      apiVersion: this.config.SHOPIFY_API_VERSION,
      secrets: {
        current: this.config.SHOPIFY_WEBHOOK_SECRET,
        old: this.config.SHOPIFY_WEBHOOK_OLD_SECRET,
      },
    };
    const stream = new WebhookStream(id, streamConfig, this.engine, {
      onGenerated: () => this.totals.recordGenerated(),
      onNotSubscribed: () => this.totals.recordNotSubscribed(),
      onSubscriptionFailed: (shop, subscriptionId) =>
        this.removeFailingSubscription(shop, subscriptionId),
    });
    this.streams.set(id, stream);
    this.forgetOldStreams();
    stream.start();
    void stream.done.then(() => {
      const { stats, state } = stream.status();
      this.logger.info(
        {
          streamId: id,
          state,
          delivered: stats.delivered,
          failed: stats.failed,
          retried: stats.retried,
        },
        'webhook stream finished',
      );
    });
    // The seed is logged so a surprising run can be replayed; payloads never are.
    this.logger.info(
      {
        streamId: id,
        caller,
        rate: request.rate,
        count: request.count,
        durationSeconds: request.durationSeconds,
        seed,
        faults: request.faults,
      },
      'webhook stream started',
    );
    return stream.status();
  }

  get(id: string): StreamStatus {
    return this.find(id).status();
  }

  list(): StreamStatus[] {
    return [...this.streams.values()].map((stream) => stream.status());
  }

  stop(id: string): StreamStatus {
    const stream = this.find(id);
    stream.stop();
    return stream.status();
  }

  stats(): SimulatorStats {
    const running = [...this.streams.values()].filter((stream) => !stream.isFinished).length;
    return {
      streams: { running, finished: this.streams.size - running },
      deliveries: this.totals.snapshot(),
      subscriptions: this.subscriptions.stats(),
    };
  }

  /** Where a stream's webhook goes (see `deliveryTargets`). */
  route(shop: string, topic: string, appConfigUrl?: string): DeliveryTarget[] {
    return deliveryTargets(shop, topic, {
      appConfigUrl,
      defaultUrl: this.config.GATEWAY_URL,
      isManaged: (s) => this.tokens.isStrict(s) || this.subscriptions.hasEverSubscribed(s),
      subscriptions: (s, t) => this.subscriptions.forTopic(s, t),
    });
  }

  /**
   * Sends one already built webhook (app/uninstalled, shop/redact) to each target, with
   * Shopify's retries, outside any stream. Each target gets its own webhook id.
   */
  sendOne(
    build: (webhookId: string, apiVersion: string) => WebhookDelivery,
    targets: DeliveryTarget[],
  ): WebhookDelivery[] {
    return targets.map((target) => {
      const delivery = build(
        `${randomUUID()}`,
        target.apiVersion ?? this.config.SHOPIFY_API_VERSION,
      );
      this.totals.recordGenerated();
      this.engine.submit({ url: target.url, delivery, tag: 'lifecycle' });
      return delivery;
    });
  }

  private removeFailingSubscription(shop: string, subscriptionId: number): void {
    if (!this.subscriptions.removeAfterFailures(shop, subscriptionId)) return;
    this.logger.warn(
      { shopDomain: shop, subscriptionId },
      'webhook subscription removed: its deliveries kept failing',
    );
  }

  /** For readiness: the engine is open and how much it holds. */
  pendingDeliveries(): number {
    return this.engine.pending();
  }

  private find(id: string): WebhookStream {
    const stream = this.streams.get(id);
    if (!stream) throw new NotFoundException(`no webhook stream ${id}`);
    return stream;
  }

  private forgetOldStreams(): void {
    const finished = [...this.streams.values()].filter((stream) => stream.isFinished);
    for (const stream of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED_STREAMS))) {
      this.streams.delete(stream.id);
    }
  }

  private gaveUpLogger(): DeliveryObserver {
    const noop = () => undefined;
    return {
      submitted: noop,
      stateChanged: noop,
      attempted: noop,
      settled: (delivery, result, attempts) => {
        if (result !== 'failed') return;
        this.logger.warn(
          {
            webhookId: delivery.webhookId,
            topic: delivery.topic,
            shopDomain: delivery.shopDomain,
            attempts,
          },
          'webhook delivery given up after the last retry',
        );
      },
    };
  }
}

/** The autostarted demo stream: Shopify's everyday imperfections, mildly. */
const defaultFaults: StartStreamRequest['faults'] = {
  duplicates: 0.02,
  reorderWindow: 10,
  delayProbability: 0.01,
  delayMaxMs: 5_000,
  oldSecretRatio: 0,
  wrongSecretRatio: 0,
};
