import { breakerHealth } from '@shopwire/resilience';
import { createHash } from 'node:crypto';
import { CredentialsMetrics, type LookupResult, type RefreshOutcome } from './credentials-metrics';
import {
  ShopNotInstalledError,
  ShopReauthRequiredError,
  type ShopCredentialsError,
} from './errors';
import {
  ShopsTokenApi,
  type ShopsTokenApiOptions,
  type ShopToken,
  type TokenAnswer,
} from './shops-token-api';

/** Where tokens come from: the shops service's HTTP API, or a stand-in in small tests. */
export interface TokenSource {
  get(shop: string): Promise<TokenAnswer>;
  refresh(shop: string, rejectedTokenSha256: string): Promise<TokenAnswer>;
  close?(): void;
}

export interface ShopCredentialsOptions extends ShopsTokenApiOptions {
  /** Longest a token is kept in memory (ms). Default 60 s. */
  cacheTtlMs?: number;
  /** A cached token is not handed out this close to its `expiresAt` (ms). Default 60 s. */
  expiryMarginMs?: number;
  /**
   * How long "not installed" / "re-authorisation required" is remembered (ms). Default 10 s:
   * long enough that a stream of calls for an uninstalled shop costs the shops service one
   * request per interval, short enough that a reinstall is seen soon even without the
   * installation-changed consumer (which drops the entry at once).
   */
  negativeTtlMs?: number;
  now?: () => number;
  /** Instead of the HTTP API (small tests). */
  source?: TokenSource;
}

type Entry =
  | { kind: 'token'; token: ShopToken; until: number }
  | { kind: 'not_installed' | 'reauth_required'; until: number };

/**
 * The client other services use to get a shop's Admin API access token from the shops service.
 *
 * Tokens live only in this process's memory, briefly: until `min(expiresAt − margin, now + TTL)`.
 * Concurrent lookups of one shop share one request (single flight). "Not installed" and
 * "re-authorisation required" fail fast and are remembered for `negativeTtlMs`, so callers never
 * reach Shopify for such a shop. `onUnauthorized` reports a token Shopify refused and returns
 * its replacement. `invalidate` (from `InstallationChangesConsumer`) drops what is known of a
 * shop; a lookup already in the air when that happens is not stored.
 */
export class ShopCredentials {
  private readonly source: TokenSource;
  private readonly cacheTtlMs: number;
  private readonly marginMs: number;
  private readonly negativeTtlMs: number;
  private readonly now: () => number;
  private readonly metrics: CredentialsMetrics;
  private readonly api: ShopsTokenApi | null;
  private readonly entries = new Map<string, Entry>();
  /** Bumped by `invalidate`: an answer asked for under an older generation is not stored. */
  private readonly generations = new Map<string, number>();
  /** The shop's lookup or refresh in the air; later lookups join it. */
  private readonly flights = new Map<string, Promise<ShopToken>>();
  /** Refreshes in the air, by shop and rejected token: N callers seeing one 401 cause one. */
  private readonly refreshes = new Map<string, Promise<string>>();

  constructor(options: ShopCredentialsOptions) {
    this.api = options.source ? null : new ShopsTokenApi(options);
    this.source = options.source ?? this.api!;
    this.cacheTtlMs = options.cacheTtlMs ?? 60_000;
    this.marginMs = options.expiryMarginMs ?? 60_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.metrics = new CredentialsMetrics(options.registry);
  }

  /** The shop's access token (for `ShopifyAdminClient`'s `accessToken` option). */
  async accessToken(shop: string): Promise<string> {
    return (await this.token(shop)).accessToken;
  }

  /**
   * The shop's token with its expiry, scopes and version. Throws `ShopNotInstalledError`,
   * `ShopReauthRequiredError` (both fast, from memory while remembered) or a transient
   * `ShopCredentialsError` (`unavailable`) when the shops service cannot be asked.
   */
  token(shop: string): Promise<ShopToken> {
    const entry = this.entries.get(shop);
    if (entry && entry.until > this.now()) {
      if (entry.kind === 'token') {
        this.metrics.lookups.inc({ result: 'hit' });
        return Promise.resolve(entry.token);
      }
      this.metrics.lookups.inc({ result: 'negative_hit' });
      return Promise.reject(refusal(entry.kind, shop));
    }
    return (
      this.flights.get(shop) ??
      this.fly(shop, () => this.source.get(shop), lookupMetric(this.metrics))
    );
  }

  /**
   * Shopify answered 401 to `rejectedToken`: asks the shops service for a new one (it refreshes
   * only if the rejected token is still the stored one, so replicas reporting the same 401 cause
   * one refresh) and returns it. Here too one request per shop and rejected token at a time; a
   * replacement already cached is returned without asking.
   */
  async onUnauthorized(shop: string, rejectedToken: string): Promise<string> {
    const entry = this.entries.get(shop);
    if (entry?.kind === 'token' && entry.until > this.now()) {
      if (entry.token.accessToken !== rejectedToken) {
        this.metrics.refreshes.inc({ outcome: 'already_replaced' });
        return entry.token.accessToken;
      }
    }
    if (entry?.kind === 'token' && entry.token.accessToken === rejectedToken)
      this.entries.delete(shop);
    const rejectedSha256 = createHash('sha256').update(rejectedToken).digest('hex');
    const key = `${shop}\n${rejectedSha256}`;
    const pending = this.refreshes.get(key);
    if (pending) return pending;
    const refreshed = this.fly(
      shop,
      () => this.source.refresh(shop, rejectedSha256),
      refreshMetric(this.metrics),
    ).then((token) => token.accessToken);
    this.refreshes.set(key, refreshed);
    const clear = () => {
      if (this.refreshes.get(key) === refreshed) this.refreshes.delete(key);
    };
    refreshed.then(clear, clear);
    return refreshed;
  }

  /** Forgets the shop (its token, a remembered refusal, a lookup in the air). */
  invalidate(shop: string, cause: 'installation_changed' | 'manual' = 'manual'): void {
    this.generations.set(shop, (this.generations.get(shop) ?? 0) + 1);
    this.entries.delete(shop);
    this.flights.delete(shop);
    this.metrics.invalidations.inc({ cause });
  }

  /** The breaker's state and counts, for `/health/ready` (no tokens). */
  health(): Record<string, unknown> {
    return this.api ? breakerHealth(this.api.breakerState) : {};
  }

  close(): void {
    this.entries.clear();
    this.source.close?.();
  }

  private fly(
    shop: string,
    ask: () => Promise<TokenAnswer>,
    count: (result: TokenAnswer['kind'] | 'failed') => void,
  ): Promise<ShopToken> {
    const generation = this.generations.get(shop) ?? 0;
    const flight = (async () => {
      let answer: TokenAnswer;
      try {
        answer = await ask();
      } catch (error) {
        count('failed');
        throw error;
      }
      count(answer.kind);
      if ((this.generations.get(shop) ?? 0) === generation) this.remember(shop, answer);
      if (answer.kind === 'token') return answer.token;
      throw refusal(answer.kind, shop);
    })();
    this.flights.set(shop, flight);
    const clear = () => {
      if (this.flights.get(shop) === flight) this.flights.delete(shop);
    };
    flight.then(clear, clear);
    return flight;
  }

  private remember(shop: string, answer: TokenAnswer): void {
    const now = this.now();
    if (answer.kind !== 'token') {
      this.entries.set(shop, { kind: answer.kind, until: now + this.negativeTtlMs });
      return;
    }
    const expires = answer.token.expiresAt?.getTime() ?? Infinity;
    const until = Math.min(now + this.cacheTtlMs, expires - this.marginMs);
    // A token this close to its expiry is used for the call that asked, not kept.
    if (until > now) this.entries.set(shop, { kind: 'token', token: answer.token, until });
    else this.entries.delete(shop);
  }
}

function refusal(kind: 'not_installed' | 'reauth_required', shop: string): ShopCredentialsError {
  return kind === 'not_installed'
    ? new ShopNotInstalledError(shop)
    : new ShopReauthRequiredError(shop);
}

function lookupMetric(metrics: CredentialsMetrics) {
  return (result: TokenAnswer['kind'] | 'failed') => {
    const label: LookupResult = result === 'token' ? 'fetched' : result;
    metrics.lookups.inc({ result: label });
  };
}

function refreshMetric(metrics: CredentialsMetrics) {
  return (result: TokenAnswer['kind'] | 'failed') => {
    const label: RefreshOutcome = result === 'token' ? 'refreshed' : result;
    metrics.refreshes.inc({ outcome: label });
  };
}
