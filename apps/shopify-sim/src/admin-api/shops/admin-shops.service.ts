import { Inject, Injectable } from '@nestjs/common';
import { ADMIN_API_CONFIG, ADMIN_CLOCK, type AdminApiConfig } from '../admin-api.config';
import { ShopStore, type StoreSizes } from '../store/shop-store';
import { LeakyBucket, type Clock } from './leaky-bucket';
import { graphqlBucketSize, PLANS, REST_BUCKET_SIZE, type PlanName } from './plans';

export interface ShopStats {
  graphql: {
    requests: number;
    throttled: number;
    pointsUsed: number;
    pointsRefunded: number;
    maxCostExceeded: number;
  };
  rest: { requests: number; throttled: number };
  bulk: { started: number };
}

export interface ShopState {
  domain: string;
  plan: PlanName;
  graphql: LeakyBucket;
  rest: LeakyBucket;
  stats: ShopStats;
  store: ShopStore;
}

export interface ShopSettings {
  plan?: PlanName;
  products?: number;
  orders?: number;
  customers?: number;
}

export interface ShopSummary {
  shop: string;
  plan: PlanName;
  sizes: StoreSizes & { variants: number };
  graphql: ReturnType<LeakyBucket['status']>;
  rest: { used: number; limit: number; leakRate: number };
}

const emptyStats = (): ShopStats => ({
  graphql: { requests: 0, throttled: 0, pointsUsed: 0, pointsRefunded: 0, maxCostExceeded: 0 },
  rest: { requests: 0, throttled: 0 },
  bulk: { started: 0 },
});

const DAY = 24 * 3600_000;

/**
 * Every shop the Admin API has seen: plan, rate-limit buckets, statistics and data. A shop comes
 * into existence on first use (any *.myshopify.com domain), on the standard plan with the
 * default catalog size; its data is generated from its domain, dated before the UTC day it was
 * first used.
 */
@Injectable()
export class AdminShopsService {
  private readonly shops = new Map<string, ShopState>();
  private readonly forgetListeners: ((shop: string) => void)[] = [];

  constructor(
    @Inject(ADMIN_API_CONFIG) private readonly config: AdminApiConfig,
    @Inject(ADMIN_CLOCK) readonly clock: Clock,
  ) {}

  get(domain: string): ShopState {
    let state = this.shops.get(domain);
    if (!state) {
      state = this.create(domain, 'standard', this.defaultSizes());
      this.shops.set(domain, state);
    }
    return state;
  }

  /** Sets the plan (refilling both buckets) and, when given, the catalog size (regenerating it). */
  configure(domain: string, settings: ShopSettings): ShopSummary {
    const current = this.shops.get(domain);
    const sizes: StoreSizes = {
      products:
        settings.products ?? current?.store.sizes.products ?? this.config.SIM_ADMIN_PRODUCTS,
      orders: settings.orders ?? current?.store.sizes.orders ?? this.config.SIM_ADMIN_ORDERS,
      customers:
        settings.customers ?? current?.store.sizes.customers ?? this.config.SIM_ADMIN_CUSTOMERS,
    };
    const plan = settings.plan ?? current?.plan ?? 'standard';
    const resized =
      !current ||
      sizes.products !== current.store.sizes.products ||
      sizes.orders !== current.store.sizes.orders ||
      sizes.customers !== current.store.sizes.customers;
    const next = this.create(domain, plan, sizes);
    if (current && !resized) next.store = current.store;
    if (current) next.stats = current.stats;
    this.shops.set(domain, next);
    return this.summary(domain);
  }

  /** Forgets buckets, statistics, changes and bulk operations; data regenerates from the seed. */
  forget(domain: string): boolean {
    const known = this.shops.delete(domain);
    for (const listener of this.forgetListeners) listener(domain);
    return known;
  }

  onForget(listener: (shop: string) => void): void {
    this.forgetListeners.push(listener);
  }

  summary(domain: string): ShopSummary {
    const state = this.get(domain);
    return {
      shop: domain,
      plan: state.plan,
      sizes: { ...state.store.sizes, variants: state.store.variantCount },
      graphql: state.graphql.status(),
      rest: {
        used: Math.ceil(REST_BUCKET_SIZE - state.rest.level()),
        limit: REST_BUCKET_SIZE,
        leakRate: state.rest.restoreRate,
      },
    };
  }

  stats(domain: string): ShopStats {
    return this.get(domain).stats;
  }

  private defaultSizes(): StoreSizes {
    return {
      products: this.config.SIM_ADMIN_PRODUCTS,
      orders: this.config.SIM_ADMIN_ORDERS,
      customers: this.config.SIM_ADMIN_CUSTOMERS,
    };
  }

  private create(domain: string, plan: PlanName, sizes: StoreSizes): ShopState {
    const anchor = new Date(Math.floor(this.clock() / DAY) * DAY);
    return {
      domain,
      plan,
      graphql: new LeakyBucket(graphqlBucketSize(plan), PLANS[plan].graphqlRestoreRate, this.clock),
      rest: new LeakyBucket(REST_BUCKET_SIZE, PLANS[plan].restLeakRate, this.clock),
      stats: emptyStats(),
      store: new ShopStore(domain, sizes, anchor),
    };
  }
}
