import { Inject, Injectable } from '@nestjs/common';
import { applyChunk, isDataError, type ChunkMode } from '@shopwire/database';
import type { Logger } from '@shopwire/observability';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { IntentDraft, NotificationInput } from './notification-events';
import { NotificationTombstones } from './notification-tombstones';
import { NotificationsMetrics } from './notifications.metrics';
import { NotificationsRepository, type NotificationStatus } from './notifications.repository';
import { PrivacyRepository } from './privacy.repository';

type Applicable = Extract<NotificationInput, { kind: 'email' | 'privacy' }>;

type Outcome =
  | { kind: 'duplicate'; topic: string }
  | { kind: 'rejected'; topic: string }
  | { kind: 'intents'; recorded: { template: string; status: NotificationStatus }[] }
  | { kind: 'privacy'; action: string };

/** The inbox's consumer name per source topic: event ids are unique per producer, not globally. */
export function inboxConsumer(topic: string): string {
  return `notification.${topic}`;
}

/**
 * Applies a chunk of events in one transaction: each claims its id in the inbox and records its
 * email intents (unique per event and template) or its privacy effect. No email is sent here —
 * the dispatcher sends committed intents — so a redelivery or a crash can never send twice.
 */
@Injectable()
export class NotificationsService {
  constructor(
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly repository: NotificationsRepository,
    private readonly privacy: PrivacyRepository,
    private readonly metrics: NotificationsMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly tombstones: NotificationTombstones,
  ) {}

  /** true when at least one pending intent was recorded (the dispatcher should look now). */
  async apply(inputs: Applicable[]): Promise<boolean> {
    const outcomes = await applyChunk(
      this.dataSource,
      inputs.map((input) => ({ consumer: inboxConsumer(input.topic), eventId: input.inboxId })),
      async (manager, mode) => {
        const results: Outcome[] = [];
        for (const input of inputs) results.push(await this.applyOne(manager, mode, input));
        return results;
      },
    );
    let wake = false;
    for (const outcome of outcomes) {
      switch (outcome.kind) {
        case 'duplicate':
          this.metrics.duplicates.inc({ topic: outcome.topic });
          break;
        case 'rejected':
          this.metrics.databaseRejected.inc({ topic: outcome.topic });
          break;
        case 'intents':
          for (const r of outcome.recorded) {
            this.metrics.intents.inc(r);
            if (r.status === 'pending') wake = true;
          }
          break;
        case 'privacy':
          this.metrics.privacy.inc({ action: outcome.action });
          break;
      }
    }
    return wake;
  }

  private async applyOne(
    manager: EntityManager,
    mode: ChunkMode,
    input: Applicable,
  ): Promise<Outcome> {
    try {
      return await mode.isolate('notification_event', async () => {
        if (!(await mode.claim(inboxConsumer(input.topic), input.inboxId)))
          return { kind: 'duplicate', topic: input.topic };
        if (input.kind === 'privacy') {
          await this.applyPrivacy(manager, input);
          return { kind: 'privacy', action: input.action };
        }
        const active = await this.repository.isShopActive(manager, input.shopDomain);
        const recorded: { template: string; status: NotificationStatus }[] = [];
        for (const original of input.drafts) {
          // The customer was redacted before this event was applied (a redelivery, a replay from
          // the DLQ, a backfilled order): the intent is logged without them and nothing is sent.
          const redacted =
            original.subjects.length > 0 &&
            (await this.tombstones.isRedacted(manager, input.shopDomain, original.subjects));
          const draft = redacted ? redactedDraft(original) : original;
          const [status, reason]: [NotificationStatus, string | null] = redacted
            ? ['skipped', 'customer redacted']
            : !active
              ? ['cancelled', 'shop uninstalled the app']
              : draft.recipient
                ? ['pending', null]
                : ['skipped', 'no recipient address'];
          if (
            await this.repository.insertIntent(
              manager,
              input.shopDomain,
              input.inboxId,
              draft,
              status,
              reason,
              input.trace,
            )
          )
            recorded.push({ template: draft.template, status });
        }
        return { kind: 'intents', recorded };
      });
    } catch (error) {
      if (!isDataError(error)) throw error; // an outage: the chunk is retried
      this.logger.warn(
        { eventId: input.inboxId, topic: input.topic, code: (error as { code?: string }).code },
        'event rejected by the database; skipped',
      );
      return { kind: 'rejected', topic: input.topic };
    }
  }

  private async applyPrivacy(
    manager: EntityManager,
    input: Extract<NotificationInput, { kind: 'privacy' }>,
  ): Promise<void> {
    const { shopDomain, customerId, customerEmail, inboxId } = input;
    let affected = 0;
    let exported: unknown = null;
    switch (input.action) {
      case 'customers/redact':
        affected = await this.privacy.eraseCustomer(manager, shopDomain, customerId, customerEmail);
        affected += await this.privacy.eraseCustomerExports(
          manager,
          shopDomain,
          customerId,
          customerEmail,
        );
        await this.tombstones.record(
          manager,
          shopDomain,
          { customerId, email: customerEmail },
          inboxId,
        );
        break;
      case 'shop/redact':
        affected = await this.privacy.eraseShop(manager, shopDomain);
        affected += await this.privacy.eraseShopExports(manager, shopDomain);
        break;
      case 'customers/data_request': {
        const rows = await this.privacy.exportCustomer(
          manager,
          shopDomain,
          customerId,
          customerEmail,
        );
        affected = rows.length;
        exported = { service: 'notification', notifications: rows };
        break;
      }
      case 'app/uninstalled':
        affected = await this.privacy.deactivateShop(manager, shopDomain);
        break;
    }
    await this.privacy.record(manager, {
      shopDomain,
      kind: input.action,
      customerId,
      webhookId: inboxId,
      affected,
      export: exported,
    });
    this.logger.info({ shopDomain, action: input.action, affected }, 'privacy request applied');
  }
}

/** A draft for a redacted customer: no address, name, customer id or greeting. */
function redactedDraft(draft: IntentDraft): IntentDraft {
  const variables =
    'firstName' in draft.variables ? { ...draft.variables, firstName: null } : draft.variables;
  return { ...draft, customerId: null, recipient: null, recipientName: null, variables };
}
