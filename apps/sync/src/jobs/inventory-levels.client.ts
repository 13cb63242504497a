import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Registry } from '@shopwire/observability';
import {
  breakerHealth,
  createBreaker,
  isBreakerOpenError,
  parseRetryAfter,
  retry,
  withTimeout,
  type Breaker,
} from '@shopwire/resilience';
import { isJsonObject, parseShopifyJson, shopifyId, type ShopifyJson } from '@shopwire/shopify';
import { SERVICE_CONFIG } from '@shopwire/service-runtime';
import type { SyncConfig } from '../config';

/** One level as the inventory service holds it (ids as exact strings). */
export interface ServiceLevel {
  inventoryItemId: string;
  locationId: string;
  available: number;
  updatedAt: string;
}

class InventoryApiError extends Error {
  override readonly name = 'InventoryApiError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** The caller's fault (4xx other than 408/429): retrying or blaming the service won't help. */
const isRefusal = (error: unknown) =>
  error instanceof InventoryApiError &&
  error.status !== null &&
  error.status < 500 &&
  error.status !== 408 &&
  error.status !== 429;

/**
 * The inventory service's levels API (`GET /levels/by-location`), called with sync's bearer token:
 * apps never import each other. Every call has a timeout, jittered retries honouring Retry-After,
 * and the `inventory-api` breaker.
 */
@Injectable()
export class InventoryLevelsClient {
  private readonly breaker: Breaker<[string], ShopifyJson>;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: SyncConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.breaker = createBreaker((url: string) => this.get(url), {
      name: 'inventory-api',
      timeoutMs: config.INVENTORY_API_TIMEOUT_MS + 1000,
      isNotAFault: isRefusal,
      registry,
    });
  }

  get configured(): boolean {
    return this.config.INVENTORY_API_TOKEN !== undefined;
  }

  health(): Record<string, unknown> {
    return breakerHealth(this.breaker);
  }

  /** Every level the inventory service holds for a shop at a location, page by page. */
  async levelsAt(shop: string, locationId: string): Promise<ServiceLevel[]> {
    const levels: ServiceLevel[] = [];
    let after: string | null = null;
    do {
      const url = new URL('/levels/by-location', this.config.INVENTORY_API_URL);
      url.searchParams.set('shop', shop);
      url.searchParams.set('location_id', locationId);
      url.searchParams.set('limit', '500');
      if (after) url.searchParams.set('after', after);
      const page = await retry(() => this.breaker.fire(url.toString()), {
        attempts: 4,
        baseMs: 200,
        capMs: 5000,
        retryable: (error) => !isRefusal(error) && !isBreakerOpenError(error),
        retryAfterMs: (error) => (error instanceof InventoryApiError ? error.retryAfterMs : null),
        maxRetryAfterMs: 30_000,
      });
      if (!isJsonObject(page) || !Array.isArray(page.levels))
        throw new InventoryApiError('levels page without levels', null);
      for (const level of page.levels) {
        if (!isJsonObject(level)) continue;
        const item = shopifyId(level.inventory_item_id);
        const location = shopifyId(level.location_id);
        if (!item || !location || typeof level.available !== 'number') continue;
        levels.push({
          inventoryItemId: item,
          locationId: location,
          available: level.available,
          updatedAt: String(level.updated_at),
        });
      }
      after = shopifyId(page.next_after ?? null);
    } while (after);
    return levels;
  }

  private get(url: string): Promise<ShopifyJson> {
    return withTimeout(
      this.config.INVENTORY_API_TIMEOUT_MS,
      'inventory levels API',
      async (signal) => {
        const response = await fetch(url, {
          headers: { authorization: `Bearer ${this.config.INVENTORY_API_TOKEN ?? ''}` },
          signal,
        });
        const text = await response.text();
        if (!response.ok)
          throw new InventoryApiError(
            `inventory levels API answered ${response.status}`,
            response.status,
            parseRetryAfter(response.headers.get('retry-after') ?? undefined),
          );
        return parseShopifyJson(text);
      },
    );
  }
}
