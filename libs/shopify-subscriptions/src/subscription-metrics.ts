import { Counter, Gauge, Registry } from 'prom-client';

/** What started a reconcile; `install` finds everything missing, so it is not a repair. */
export type ReconcileTrigger = 'install' | 'schedule' | 'manual';
export type RepairAction = 'created' | 'updated' | 'deleted';

const TRIGGERS: readonly ReconcileTrigger[] = ['install', 'schedule', 'manual'];
const ACTIONS: readonly RepairAction[] = ['created', 'updated', 'deleted'];

/**
 * The reconciler's series. No shop label: with thousands of shops every series would multiply by
 * them; per-shop state lives in the shops service's table and API instead. Labels are bounded:
 * `topic` by the declaration, `action` and `trigger` by the enums above.
 */
export class SubscriptionMetrics {
  readonly missing: Counter<'topic'>;
  readonly repaired: Counter<'action' | 'trigger'>;
  readonly reconciles: Counter<'trigger' | 'outcome'>;
  readonly lastSuccess: Gauge;

  /** `topics`: the declared ones, whose series start at 0 (see `zero`). */
  constructor(registry: Registry = new Registry(), topics: readonly string[] = []) {
    const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
    this.missing =
      existing('shopwire_webhook_subscriptions_missing_total') ??
      new Counter({
        name: 'shopwire_webhook_subscriptions_missing_total',
        help: 'Declared subscriptions found missing on a shop outside its install (Shopify removed one after failed deliveries, or someone deleted it)',
        labelNames: ['topic'],
        registers: [registry],
      });
    this.repaired =
      existing('shopwire_webhook_subscriptions_repaired_total') ??
      new Counter({
        name: 'shopwire_webhook_subscriptions_repaired_total',
        help: 'Subscriptions the reconciler created, updated or deleted, by what started it',
        labelNames: ['action', 'trigger'],
        registers: [registry],
      });
    this.reconciles =
      existing('shopwire_webhook_subscriptions_reconciles_total') ??
      new Counter({
        name: 'shopwire_webhook_subscriptions_reconciles_total',
        help: 'Shop reconciles run, by trigger and outcome (ok, or failed: the listing or a change did not go through)',
        labelNames: ['trigger', 'outcome'],
        registers: [registry],
      });
    this.lastSuccess =
      existing('shopwire_webhook_subscriptions_last_success_timestamp_seconds') ??
      new Gauge({
        name: 'shopwire_webhook_subscriptions_last_success_timestamp_seconds',
        help: 'When this process last reconciled a shop completely (Unix seconds); max over replicas is the fleet',
        registers: [registry],
      });
    this.zero(topics);
  }

  // A counter's series appears with its first increment, and `increase()` cannot see a jump from
  // nothing to 1: the first repair after a start would not alert. Every bounded series starts at 0.
  private zero(topics: readonly string[]): void {
    for (const topic of topics) this.missing.inc({ topic }, 0);
    for (const trigger of TRIGGERS) {
      for (const action of ACTIONS) this.repaired.inc({ action, trigger }, 0);
      for (const outcome of ['ok', 'failed']) this.reconciles.inc({ trigger, outcome }, 0);
    }
  }
}
