import { COMPLIANCE_WEBHOOK_TOPICS } from '@shopwire/contracts';
import type { Logger } from '@shopwire/observability';
import Redis from 'ioredis';

/** The set the shops service keeps of shops the app was uninstalled from (docs/adr/0006). */
export const UNINSTALLED_SHOPS_KEY = 'shopwire:shops:uninstalled';

const ALWAYS_PASS = new Set<string>(COMPLIANCE_WEBHOOK_TOPICS);

/**
 * Topics delivered even for an uninstalled shop: the compliance topics (the redact 48 h after an
 * uninstall must be acted on) and `app/*` (app/uninstalled itself, and its repeats).
 */
export function passesForUninstalledShop(topic: string): boolean {
  return ALWAYS_PASS.has(topic) || topic.startsWith('app/');
}

export interface UninstalledShopsOptions {
  redisUrl: string;
  key?: string;
  /** How long an answer is used before it is checked again (ms). */
  cacheMs: number;
  /** A membership check not answered within this counts as "installed" (ms). */
  timeoutMs: number;
  logger: Logger;
  now?: () => number;
}

interface Answer {
  uninstalled: boolean;
  at: number;
}

/**
 * Whether a shop is in `shopwire:shops:uninstalled`, cheaply, and failing open.
 *
 * Each shop's answer is kept in the process for `cacheMs`; in its second half one SISMEMBER
 * refreshes it behind the requests that use it, so a shop with steady traffic never waits. An
 * answer older than `cacheMs` is not used: that shop (seen for the first time, or quiet for a
 * while) waits for Redis — at most `timeoutMs`. Redis unreachable, slow or erroring means
 * "installed": an outage must never cost an installed shop its webhooks (nor make the gateway
 * answer 503); it only lets an uninstalled shop's webhooks through, which consumers tolerate. A
 * failed refresh forgets the shop's answer, and Redis is left alone for `cacheMs` after a failure
 * so an outage adds no latency per request.
 */
export class UninstalledShops {
  private readonly redis: Redis;
  private readonly key: string;
  private readonly now: () => number;
  private readonly answers = new Map<string, Answer>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private quietUntil = 0;
  private failing = false;

  constructor(private readonly options: UninstalledShopsOptions) {
    this.key = options.key ?? UNINSTALLED_SHOPS_KEY;
    this.now = options.now ?? Date.now;
    this.redis = new Redis(options.redisUrl, {
      lazyConnect: true,
      // fail at once while disconnected instead of queueing behind a reconnect
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(1000, options.timeoutMs),
    });
    this.redis.on('error', () => undefined);
  }

  /** true only when Redis recently said the shop is in the set. Never throws. */
  isUninstalled(shop: string): Promise<boolean> | boolean {
    const answer = this.answers.get(shop);
    if (answer) {
      const age = this.now() - answer.at;
      if (age < this.options.cacheMs) {
        // Past half its life it is refreshed behind the request: a busy shop never waits.
        if (age >= this.options.cacheMs / 2) void this.check(shop);
        return answer.uninstalled;
      }
    }
    // Unknown, or older than cacheMs: an old "installed" may predate the uninstall (a quiet
    // shop's last webhook can be hours old), so ask again and wait — bounded by timeoutMs.
    return this.check(shop);
  }

  /**
   * Connects, waiting at most about `connectTimeout`; never fails (a Redis that is not there yet
   * means fail open until it is, ioredis keeps reconnecting).
   */
  async start(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(1000, this.options.timeoutMs));
    });
    // a hung Redis (connection accepted, no answer) must not hold the gateway's start either
    await Promise.race([this.redis.connect().catch(() => undefined), waited]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private check(shop: string): Promise<boolean> {
    const inFlight = this.pending.get(shop);
    if (inFlight) return inFlight;
    if (this.now() < this.quietUntil) {
      this.answers.delete(shop);
      return Promise.resolve(false);
    }
    const lookup = this.lookup(shop).finally(() => this.pending.delete(shop));
    this.pending.set(shop, lookup);
    return lookup;
  }

  private async lookup(shop: string): Promise<boolean> {
    try {
      const member = (await this.redis.sismember(this.key, shop)) === 1;
      this.answers.set(shop, { uninstalled: member, at: this.now() });
      if (this.failing) {
        this.failing = false;
        this.options.logger.info('uninstalled-shops check: Redis answers again');
      }
      return member;
    } catch (error) {
      this.answers.delete(shop);
      this.quietUntil = this.now() + this.options.cacheMs;
      if (!this.failing) {
        this.failing = true;
        this.options.logger.warn(
          { reason: error instanceof Error ? error.name : 'unknown' },
          'uninstalled-shops check: Redis unreachable; delivering every shop’s webhooks (fail open)',
        );
      }
      return false;
    }
  }
}
