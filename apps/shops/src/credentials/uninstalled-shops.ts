import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import type Redis from 'ioredis';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import { SHOPS_REDIS } from '../shops.tokens';

/** The Redis set the gateway reads to drop webhooks of uninstalled shops (ADR 0006). */
export const UNINSTALLED_SHOPS_KEY = 'shopwire:shops:uninstalled';

/**
 * Keeps `shopwire:shops:uninstalled` in step with `shops.installations`. Written after the
 * Postgres commit (Postgres is the truth); a write lost to a Redis outage is repaired by
 * `rebuild`, which runs at start and periodically. Failures are logged, never thrown: an install
 * must not fail because the edge's hint could not be updated.
 */
@Injectable()
export class UninstalledShops {
  constructor(
    @Inject(SHOPS_REDIS) private readonly redis: Redis,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_CONFIG) config: ShopsConfig,
  ) {
    this.key = config.SHOPS_UNINSTALLED_SET_KEY;
  }

  readonly key: string;

  async add(shop: string): Promise<boolean> {
    return this.attempt('add', () => this.redis.sadd(this.key, shop));
  }

  async remove(shop: string): Promise<boolean> {
    return this.attempt('remove', () => this.redis.srem(this.key, shop));
  }

  async has(shop: string): Promise<boolean> {
    return (await this.redis.sismember(this.key, shop)) === 1;
  }

  /** Replaces the set with `shops` atomically (a reader never sees it half-built). */
  async rebuild(shops: string[]): Promise<boolean> {
    return this.attempt('rebuild', async () => {
      const staging = `${this.key}:rebuild`;
      const multi = this.redis.multi().del(staging);
      for (let i = 0; i < shops.length; i += 1000) multi.sadd(staging, ...shops.slice(i, i + 1000));
      if (shops.length > 0) multi.rename(staging, this.key);
      else multi.del(this.key);
      await multi.exec();
    });
  }

  private async attempt(operation: string, work: () => Promise<unknown>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      this.logger.warn(
        { operation, key: this.key, err: (error as Error).message },
        'uninstalled-shops set not updated; the next rebuild repairs it',
      );
      return false;
    }
  }
}
