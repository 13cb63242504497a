import { Counter, Registry } from 'prom-client';

/** Where a token lookup was answered from, or how it failed. */
export type LookupResult =
  'hit' | 'negative_hit' | 'fetched' | 'not_installed' | 'reauth_required' | 'failed';

export type RefreshOutcome =
  'refreshed' | 'already_replaced' | 'not_installed' | 'reauth_required' | 'failed';

/** The client's Prometheus series (no shop label: a fleet has many shops). */
export class CredentialsMetrics {
  readonly lookups: Counter<'result'>;
  readonly refreshes: Counter<'outcome'>;
  readonly invalidations: Counter<'cause'>;

  constructor(registry: Registry = new Registry()) {
    const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
    this.lookups =
      existing('shopwire_shop_credentials_lookups_total') ??
      new Counter({
        name: 'shopwire_shop_credentials_lookups_total',
        help: 'Access token lookups, by where they were answered from or how they failed',
        labelNames: ['result'],
        registers: [registry],
      });
    this.refreshes =
      existing('shopwire_shop_credentials_refreshes_total') ??
      new Counter({
        name: 'shopwire_shop_credentials_refreshes_total',
        help: 'New tokens asked for after Shopify answered 401, by outcome',
        labelNames: ['outcome'],
        registers: [registry],
      });
    this.invalidations =
      existing('shopwire_shop_credentials_invalidations_total') ??
      new Counter({
        name: 'shopwire_shop_credentials_invalidations_total',
        help: 'Cached tokens dropped, by cause (installation_changed, manual)',
        labelNames: ['cause'],
        registers: [registry],
      });
  }
}
