import { Inject, Injectable } from '@nestjs/common';
import {
  decodePrivacyMessage,
  decodeWebhookMessage,
  isPrivacyWebhookTopic,
  type PrivacyWebhookTopic,
  type WebhookEnvelope,
} from '@shopwire/contracts';
import { claimInbox, enqueueOutbox, withSavepoint, withTransaction } from '@shopwire/database';
import { METRICS_REGISTRY } from '@shopwire/http';
import { Counter, type Logger, type Registry } from '@shopwire/observability';
import type { ConsumerChunk } from '@shopwire/kafka';
import type { KafkaMessage } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import { CredentialsRepository } from '../credentials/credentials.repository';
import { installationChanged } from '../credentials/installation-events';
import { UninstalledShops } from '../credentials/uninstalled-shops';
import { LifecycleRepository } from './lifecycle.repository';

/** The inbox's consumer name for lifecycle webhooks. */
export const LIFECYCLE_INBOX_CONSUMER = 'shops.lifecycle';

const HANDLED = new Set<PrivacyWebhookTopic>(['app/uninstalled', 'shop/redact']);

type Outcome =
  'uninstalled' | 'redacted' | 'duplicate' | 'not_installed' | 'stale' | 'still_installed';

interface Task {
  envelope: WebhookEnvelope;
  shop: string;
}

/**
 * The installation's lifecycle from `shopify.compliance.v1`, each webhook applied once (inbox):
 * - `app/uninstalled`: status `uninstalled`, credentials deleted (crypto-shredded: the sealed
 *   tokens go with the row), subscriptions forgotten, `installation.uninstalled` announced, the
 *   shop added to the Redis uninstalled set after the commit. One sent before the current
 *   install (a late delivery after a quick reinstall) is stale and changes nothing.
 * - `shop/redact` (48 h after an uninstall): erases what is left, keeping a tombstone so the
 *   generation keeps counting. Ignored for a shop that is installed again.
 * Customer topics on the same Kafka topic concern no data kept here and are skipped.
 */
@Injectable()
export class LifecycleService {
  private readonly handled: Counter<'topic' | 'outcome'>;

  constructor(
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly credentials: CredentialsRepository,
    private readonly repository: LifecycleRepository,
    private readonly uninstalled: UninstalledShops,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.handled = new Counter({
      name: 'shopwire_shops_lifecycle_webhooks_total',
      help: 'app/uninstalled and shop/redact webhooks handled by the shops service, by outcome',
      labelNames: ['topic', 'outcome'],
      registers: [registry],
    });
  }

  /** One chunk of the compliance topic, in one transaction. */
  async handleChunk(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
    const tasks = messages.flatMap((message) => this.decode(message, chunk));
    if (tasks.length === 0) return;
    const outcomes = await withTransaction(this.dataSource, async (manager) => {
      const results: Outcome[] = [];
      for (const task of tasks) {
        results.push(
          await withSavepoint(manager, 'lifecycle', async () => {
            if (!(await claimInbox(manager, LIFECYCLE_INBOX_CONSUMER, task.envelope.webhookId))) {
              return 'duplicate';
            }
            return this.apply(manager, task);
          }),
        );
      }
      return results;
    });
    for (const [i, outcome] of outcomes.entries()) {
      const { envelope, shop } = tasks[i];
      this.handled.inc({ topic: envelope.shopifyTopic, outcome });
      if (outcome === 'uninstalled' || outcome === 'redacted') await this.uninstalled.add(shop);
      if (outcome !== 'duplicate') {
        this.logger.info(
          { shop, webhookId: envelope.webhookId, shopifyTopic: envelope.shopifyTopic, outcome },
          'lifecycle webhook applied',
        );
      }
    }
  }

  /**
   * A message that cannot be acted on goes to the DLQ with the reason (once the chunk commits),
   * where a person can look at it: dropping an unreadable `shop/redact` would lose the request.
   */
  private decode(message: KafkaMessage, chunk: ConsumerChunk): Task[] {
    const outcome = (reason: string, detail?: string) =>
      chunk.rejected(message, reason, detail) ? 'dead-lettered' : 'skipped';
    const decoded = decodeWebhookMessage(message);
    if (!decoded.ok) {
      this.handled.inc({ topic: 'unknown', outcome: 'rejected' });
      this.logger.warn(
        { offset: message.offset, reason: decoded.reason },
        `${decoded.detail}; ${outcome(decoded.reason, decoded.detail)}`,
      );
      return [];
    }
    const envelope = decoded.value;
    const topic = envelope.shopifyTopic;
    if (!isPrivacyWebhookTopic(topic) || !HANDLED.has(topic)) {
      chunk.ignored(topic.slice(0, 40));
      return [];
    }
    const shop = envelope.shopDomain;
    // The gateway refuses a body that names another shop or does not fit its topic; checked
    // again here, as this erases a shop, for messages that reached the topic another way (a
    // replay, an older gateway).
    const webhook = decodePrivacyMessage(envelope);
    if (!webhook.ok) {
      this.handled.inc({ topic, outcome: 'rejected' });
      const done = outcome(webhook.reason, webhook.detail);
      this.logger.warn(
        { offset: message.offset, webhookId: envelope.webhookId, reason: webhook.detail },
        `payload does not fit the topic or names another shop; ${done}`,
      );
      return [];
    }
    return [{ envelope, shop }];
  }

  private async apply(manager: EntityManager, { envelope, shop }: Task): Promise<Outcome> {
    const installation = await this.credentials.findInstallation(shop, manager, true);
    if (!installation) return 'not_installed';
    const triggeredAt = envelope.triggeredAt ? Date.parse(envelope.triggeredAt) : NaN;
    const before = (at: Date) => Number.isFinite(triggeredAt) && triggeredAt < at.getTime();
    if (envelope.shopifyTopic === 'app/uninstalled') {
      if (installation.status === 'uninstalled') return 'not_installed';
      // Sent before this generation was installed: it uninstalled the previous one.
      if (before(installation.installedAt)) return 'stale';
      await this.credentials.deleteCredential(manager, shop);
      await this.repository.deleteSubscriptions(manager, shop);
      const updated = await this.credentials.setStatus(manager, shop, 'uninstalled');
      await enqueueOutbox(manager, [
        installationChanged('installation.uninstalled', updated!, envelope.webhookId),
      ]);
      return 'uninstalled';
    }
    // shop/redact comes only after an uninstall; an installed shop was installed again since.
    if (installation.status === 'installed') return 'still_installed';
    if (installation.status === 'reauth_required') {
      // Its app/uninstalled never came (or lost the race with a refused refresh): uninstall now.
      const updated = await this.credentials.setStatus(manager, shop, 'uninstalled');
      await enqueueOutbox(manager, [
        installationChanged('installation.uninstalled', updated!, envelope.webhookId),
      ]);
    }
    await this.repository.erase(manager, shop);
    return 'redacted';
  }
}
