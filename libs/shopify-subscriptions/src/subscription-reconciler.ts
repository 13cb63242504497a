import {
  adminApiWebhookTopics,
  webhookTopicEnum,
  WEBHOOK_SUBSCRIPTIONS,
  type WebhookSubscriptionsDeclaration,
} from '@shopwire/contracts';
import type { Registry } from 'prom-client';
import {
  CREATE_SUBSCRIPTION,
  DELETE_SUBSCRIPTION,
  LIST_SUBSCRIPTIONS,
  parseDelete,
  parseMutation,
  parsePage,
  subscriptionInput,
  UPDATE_SUBSCRIPTION,
  type UserError,
} from './subscription-graphql';
import { SubscriptionMetrics, type ReconcileTrigger } from './subscription-metrics';
import {
  planSubscriptions,
  SubscriptionOwnership,
  type ActualSubscription,
  type DesiredSubscription,
  type SubscriptionField,
} from './subscription-plan';

/**
 * One shop's Admin GraphQL, token already bound by the caller (e.g.
 * `(q, v) => adminClient.graphql(shop, q, v)`). Answers `data`; throws on transport or GraphQL
 * errors.
 */
export type ShopGraphql = (query: string, variables: Record<string, unknown>) => Promise<unknown>;

export interface SubscriptionReconcilerOptions {
  /** The gateway's public `…/webhooks/shopify` (`resolveWebhookEndpoint(SHOPIFY_WEBHOOK_URL)`). */
  endpoint: string;
  /** The gateway's earlier public URLs: subscriptions pointing there are ours and are moved. */
  formerEndpoints?: readonly string[];
  declaration?: WebhookSubscriptionsDeclaration;
  registry?: Registry;
  logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Page size of the listing. */
  pageSize?: number;
}

/** One declared topic after a reconcile: what is wanted, what the shop has, what was done. */
export interface SubscriptionState {
  topic: string;
  desired: DesiredSubscription;
  actual: ActualSubscription | null;
  state: 'in_place' | 'created' | 'updated' | 'failed';
  changes: SubscriptionField[];
  error: string | null;
}

export interface ReconcileReport {
  shop: string;
  trigger: ReconcileTrigger;
  created: string[];
  updated: { topic: string; changes: SubscriptionField[] }[];
  deleted: { topic: string; id: string; reason: 'not_declared' | 'duplicate' }[];
  unchanged: string[];
  /** Changes Shopify refused (`userErrors`) or that failed in transit; the next run retries. */
  failed: { topic: string; action: 'create' | 'update' | 'delete'; message: string }[];
  /** Subscriptions on endpoints that are not ours, left as they are. */
  foreign: number;
  subscriptions: SubscriptionState[];
}

const describeUserErrors = (errors: UserError[]): string =>
  errors
    .map((e) => (e.field?.length ? `${e.field.join('.')}: ${e.message}` : e.message))
    .join('; ');

const messageOf = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';

/**
 * Keeps a shop's webhook subscriptions as declared: lists them (every page), creates what is
 * missing, updates what differs (endpoint, API version, format, includeFields, filter), deletes
 * the owned ones no longer declared or duplicated, and never touches a foreign one. A change
 * Shopify refuses is reported and the rest go on; a failed listing throws (nothing is changed
 * from a partial picture).
 */
export class SubscriptionReconciler {
  readonly metrics: SubscriptionMetrics;
  private readonly ownership: SubscriptionOwnership;
  private readonly desired: DesiredSubscription[];

  constructor(private readonly options: SubscriptionReconcilerOptions) {
    this.ownership = new SubscriptionOwnership(options.endpoint, options.formerEndpoints);
    const declaration = options.declaration ?? WEBHOOK_SUBSCRIPTIONS;
    this.desired = adminApiWebhookTopics(declaration).map((t) => ({
      topic: t.topic,
      uri: options.endpoint,
      apiVersion: declaration.apiVersion,
      format: declaration.format,
      includeFields: t.includeFields ?? [],
      filter: t.filter ?? null,
    }));
    this.metrics = new SubscriptionMetrics(
      options.registry,
      this.desired.map((d) => d.topic),
    );
  }

  /** What every shop should have. */
  desiredSubscriptions(): readonly DesiredSubscription[] {
    return this.desired;
  }

  /** Every subscription the shop has (this app's), all pages. */
  async list(graphql: ShopGraphql): Promise<ActualSubscription[]> {
    const all: ActualSubscription[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page += 1) {
      const { subscriptions, nextCursor } = parsePage(
        await graphql(LIST_SUBSCRIPTIONS, { first: this.options.pageSize ?? 100, after }),
      );
      all.push(...subscriptions);
      if (!nextCursor) return all;
      after = nextCursor;
    }
    return all;
  }

  async reconcile(
    shop: string,
    graphql: ShopGraphql,
    trigger: ReconcileTrigger,
  ): Promise<ReconcileReport> {
    let actual: ActualSubscription[];
    try {
      actual = await this.list(graphql);
    } catch (error) {
      this.metrics.reconciles.inc({ trigger, outcome: 'failed' });
      throw error;
    }
    const plan = planSubscriptions(this.desired, actual, this.ownership);
    const report: ReconcileReport = {
      shop,
      trigger,
      created: [],
      updated: [],
      deleted: [],
      unchanged: [],
      failed: [],
      foreign: plan.foreign.length,
      subscriptions: [],
    };
    for (const action of plan.actions) {
      switch (action.kind) {
        case 'keep':
          report.unchanged.push(action.desired.topic);
          report.subscriptions.push(this.state(action.desired, action.actual, 'in_place'));
          break;
        case 'create':
          if (trigger !== 'install') this.metrics.missing.inc({ topic: action.desired.topic });
          report.subscriptions.push(await this.create(graphql, action.desired, trigger, report));
          break;
        case 'update':
          report.subscriptions.push(
            await this.update(
              graphql,
              action.desired,
              action.actual,
              action.changes,
              trigger,
              report,
            ),
          );
          break;
        case 'delete':
          await this.remove(graphql, action.actual, action.reason, trigger, report);
          break;
      }
    }
    const ok = report.failed.length === 0;
    this.metrics.reconciles.inc({ trigger, outcome: ok ? 'ok' : 'failed' });
    if (ok) this.metrics.lastSuccess.setToCurrentTime();
    if (
      report.created.length + report.updated.length + report.deleted.length + report.failed.length >
      0
    )
      this.options.logger?.info(
        {
          shop,
          trigger,
          created: report.created,
          updated: report.updated.map((u) => u.topic),
          deleted: report.deleted.map((d) => d.topic),
          failed: report.failed.map((f) => f.topic),
          foreign: report.foreign,
        },
        'webhook subscriptions reconciled',
      );
    return report;
  }

  private state(
    desired: DesiredSubscription,
    actual: ActualSubscription | null,
    state: SubscriptionState['state'],
    changes: SubscriptionField[] = [],
    error: string | null = null,
  ): SubscriptionState {
    return { topic: desired.topic, desired, actual, state, changes, error };
  }

  private async create(
    graphql: ShopGraphql,
    desired: DesiredSubscription,
    trigger: ReconcileTrigger,
    report: ReconcileReport,
  ): Promise<SubscriptionState> {
    try {
      const result = parseMutation(
        await graphql(CREATE_SUBSCRIPTION, {
          topic: webhookTopicEnum(desired.topic),
          webhookSubscription: subscriptionInput(desired),
        }),
        'webhookSubscriptionCreate',
      );
      if (result.userErrors.length > 0 || !result.subscription)
        return this.fail(report, desired, null, 'create', describeUserErrors(result.userErrors));
      this.metrics.repaired.inc({ action: 'created', trigger });
      report.created.push(desired.topic);
      return this.state(desired, result.subscription, 'created');
    } catch (error) {
      return this.fail(report, desired, null, 'create', messageOf(error));
    }
  }

  private async update(
    graphql: ShopGraphql,
    desired: DesiredSubscription,
    actual: ActualSubscription,
    changes: SubscriptionField[],
    trigger: ReconcileTrigger,
    report: ReconcileReport,
  ): Promise<SubscriptionState> {
    try {
      const result = parseMutation(
        await graphql(UPDATE_SUBSCRIPTION, {
          id: actual.id,
          webhookSubscription: subscriptionInput(desired),
        }),
        'webhookSubscriptionUpdate',
      );
      if (result.userErrors.length > 0 || !result.subscription)
        return this.fail(report, desired, actual, 'update', describeUserErrors(result.userErrors));
      this.metrics.repaired.inc({ action: 'updated', trigger });
      report.updated.push({ topic: desired.topic, changes });
      return this.state(desired, result.subscription, 'updated', changes);
    } catch (error) {
      return this.fail(report, desired, actual, 'update', messageOf(error));
    }
  }

  private async remove(
    graphql: ShopGraphql,
    actual: ActualSubscription,
    reason: 'not_declared' | 'duplicate',
    trigger: ReconcileTrigger,
    report: ReconcileReport,
  ): Promise<void> {
    try {
      const result = parseDelete(await graphql(DELETE_SUBSCRIPTION, { id: actual.id }));
      if (result.userErrors.length > 0) {
        report.failed.push({
          topic: actual.topic,
          action: 'delete',
          message: describeUserErrors(result.userErrors),
        });
        return;
      }
      this.metrics.repaired.inc({ action: 'deleted', trigger });
      report.deleted.push({ topic: actual.topic, id: actual.id, reason });
    } catch (error) {
      report.failed.push({ topic: actual.topic, action: 'delete', message: messageOf(error) });
    }
  }

  private fail(
    report: ReconcileReport,
    desired: DesiredSubscription,
    actual: ActualSubscription | null,
    action: 'create' | 'update',
    message: string,
  ): SubscriptionState {
    report.failed.push({ topic: desired.topic, action, message });
    this.options.logger?.warn(
      { shop: report.shop, topic: desired.topic, action, error: message },
      'webhook subscription change refused',
    );
    return this.state(desired, actual, 'failed', [], message);
  }
}
