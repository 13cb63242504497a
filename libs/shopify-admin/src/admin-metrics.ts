import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type AdminApi = 'graphql' | 'rest';
export type RequestOutcome =
  | 'ok'
  | 'throttled'
  | 'rate_limited'
  | 'server_error'
  | 'network'
  | 'client_error'
  | 'unauthorized'
  | 'breaker_open';

/** The client's Prometheus series. Several clients on one registry share them. */
export class AdminMetrics {
  readonly requests: Counter<'api' | 'outcome'>;
  readonly duration: Histogram<'api'>;
  readonly pointsUsed: Counter<'shop'>;
  readonly pointsAvailable: Gauge<'shop' | 'api'>;
  readonly budgetWait: Histogram<'api' | 'priority'>;
  readonly throttled: Counter<'shop' | 'api'>;
  readonly budgetFallback: Gauge<'api'>;

  constructor(registry: Registry = new Registry()) {
    const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
    this.requests =
      existing('shopwire_shopify_admin_requests_total') ??
      new Counter({
        name: 'shopwire_shopify_admin_requests_total',
        help: 'Admin API calls sent, by API and outcome',
        labelNames: ['api', 'outcome'],
        registers: [registry],
      });
    this.duration =
      existing('shopwire_shopify_admin_request_duration_seconds') ??
      new Histogram({
        name: 'shopwire_shopify_admin_request_duration_seconds',
        help: 'Admin API round trip, one attempt, without the budget wait',
        labelNames: ['api'],
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      });
    this.pointsUsed =
      existing('shopwire_shopify_admin_points_used_total') ??
      new Counter({
        name: 'shopwire_shopify_admin_points_used_total',
        help: 'GraphQL cost points Shopify charged (actualQueryCost), per shop',
        labelNames: ['shop'],
        registers: [registry],
      });
    this.pointsAvailable =
      existing('shopwire_shopify_admin_points_available') ??
      new Gauge({
        name: 'shopwire_shopify_admin_points_available',
        help: 'Points (GraphQL) or calls (REST) left in the shop bucket, as Shopify last reported',
        labelNames: ['shop', 'api'],
        registers: [registry],
      });
    this.budgetWait =
      existing('shopwire_shopify_admin_budget_wait_seconds') ??
      new Histogram({
        name: 'shopwire_shopify_admin_budget_wait_seconds',
        help: 'Time a call waited for budget before it was sent',
        labelNames: ['api', 'priority'],
        buckets: [0, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30],
        registers: [registry],
      });
    this.throttled =
      existing('shopwire_shopify_admin_throttled_total') ??
      new Counter({
        name: 'shopwire_shopify_admin_throttled_total',
        help: 'Replies THROTTLED (GraphQL) or 429 (REST), per shop',
        labelNames: ['shop', 'api'],
        registers: [registry],
      });
    // Raised and lowered by each client as it switches, so clients sharing a registry add up.
    this.budgetFallback =
      existing('shopwire_shopify_admin_budget_fallback') ??
      new Gauge({
        name: 'shopwire_shopify_admin_budget_fallback',
        help: 'Admin API budgets of this process spending a local share because Redis is unreachable (0: all on the shared budget)',
        labelNames: ['api'],
        registers: [registry],
      });
  }
}
