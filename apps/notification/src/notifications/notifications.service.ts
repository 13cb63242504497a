import { Inject, Injectable } from '@nestjs/common';
import {
  applyChunkTogether,
  isDataError,
  isolateWithoutSavepoint,
  type ChunkMode,
} from '@shopwire/database';
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
    const outcomes = await applyChunkTogether(
      this.dataSource,
      inputs.map((input) => ({ consumer: inboxConsumer(input.topic), eventId: input.inboxId })),
      {
        together: (manager, claimed) => this.applyTogether(manager, claimed, inputs),
        oneByOne: async (manager, mode) => {
          const results: Outcome[] = [];
          for (const input of inputs) results.push(await this.applyOne(manager, mode, input));
          return results;
        },
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

  /**
   * The chunk's emails in three statements whatever its size: the shops' state, the tombstones of
   * every draft's customers, and every intent. A chunk with a privacy request (whose effect the
   * next event must see) runs event by event, still without savepoints.
   */
  private async applyTogether(
    manager: EntityManager,
    claimed: (consumer: string, eventId: string) => boolean,
    inputs: Applicable[],
  ): Promise<Outcome[]> {
    const fresh = inputs.map((input) => claimed(inboxConsumer(input.topic), input.inboxId));
    if (inputs.some((input) => input.kind === 'privacy')) {
      const mode: ChunkMode = {
        claim: () => Promise.resolve(true), // only fresh events get here
        isolate: isolateWithoutSavepoint,
      };
      const results: Outcome[] = [];
      for (const [index, input] of inputs.entries()) {
        results.push(
          fresh[index]
            ? await this.applyOne(manager, mode, input)
            : { kind: 'duplicate', topic: input.topic },
        );
      }
      return results;
    }
    const emails = inputs.flatMap((input, index) =>
      input.kind === 'email' && fresh[index] ? [input] : [],
    );
    const inactive = await this.repository.inactiveShops(
      manager,
      emails.map((e) => e.shopDomain),
    );
    const drafts = emails.flatMap((input) => input.drafts.map((draft) => ({ input, draft })));
    const withSubjects = drafts.filter(({ draft }) => draft.subjects.length > 0);
    const redactedFlags = await this.tombstones.redactedAmong(
      manager,
      withSubjects.map(({ input, draft }) => ({
        shopDomain: input.shopDomain,
        identities: draft.subjects,
      })),
    );
    const redacted = new Set(withSubjects.filter((_, k) => redactedFlags[k]).map((d) => d.draft));
    const intents = drafts.map(({ input, draft: original }) => {
      const isRedacted = redacted.has(original);
      const draft = isRedacted ? redactedDraft(original) : original;
      const [status, lastError] = intentStatus(isRedacted, !inactive.has(input.shopDomain), draft);
      return {
        shopDomain: input.shopDomain,
        eventId: input.inboxId,
        draft,
        status,
        lastError,
        traceContext: input.trace,
      };
    });
    const inserted = await this.repository.insertIntents(manager, intents);
    const recordedBy = new Map<Applicable, { template: string; status: NotificationStatus }[]>(
      emails.map((input) => [input, []]),
    );
    intents.forEach((intent, k) => {
      if (inserted[k])
        recordedBy
          .get(drafts[k].input)
          ?.push({ template: intent.draft.template, status: intent.status });
    });
    return inputs.map((input, index): Outcome => {
      if (!fresh[index]) return { kind: 'duplicate', topic: input.topic };
      return { kind: 'intents', recorded: recordedBy.get(input) ?? [] };
    });
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
          const [status, reason] = intentStatus(redacted, active, draft);
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

/** What becomes of an intent, and why when it is not sent. */
function intentStatus(
  redacted: boolean,
  shopActive: boolean,
  draft: IntentDraft,
): [NotificationStatus, string | null] {
  if (redacted) return ['skipped', 'customer redacted'];
  if (!shopActive) return ['cancelled', 'shop uninstalled the app'];
  return draft.recipient ? ['pending', null] : ['skipped', 'no recipient address'];
}

/** A draft for a redacted customer: no address, name, customer id or greeting. */
function redactedDraft(draft: IntentDraft): IntentDraft {
  const variables =
    'firstName' in draft.variables ? { ...draft.variables, firstName: null } : draft.variables;
  return { ...draft, customerId: null, recipient: null, recipientName: null, variables };
}
