import {
  BreakerRegistry,
  isBreakerOpenError,
  retry,
  withTimeout,
  type Breaker,
  type RetryOptions,
} from '@shopwire/resilience';
import { isJsonObject, parseShopifyJson, type ShopifyJson } from '@shopwire/shopify';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Agent, request, type Dispatcher } from 'undici';
import {
  withShopToken,
  type AccessTokenSource,
  type UnauthorizedHandler,
} from './admin-credentials';
import { AdminMetrics, type AdminApi, type RequestOutcome } from './admin-metrics';
import { AdminCallTrace, graphqlOperation, restOperation } from './admin-tracing';
import { BudgetGate, type Admission } from './budget/budget-gate';
import { FallbackBudget } from './budget/fallback-budget';
import { LocalBudget } from './budget/local-budget';
import {
  DEFAULT_BUDGET_POLICY,
  RedisBudget,
  type BucketDefaults,
  type BudgetMode,
  type BudgetPolicy,
  type Priority,
} from './budget/redis-budget';
import { CostPredictor } from './cost-predictor';
import { isShopifyAdminError, ShopifyAdminError } from './errors';
import { parseCallLimit, parseLinkHeader, retryAfterMsOf } from './reply-headers';

export interface ShopifyAdminClientOptions {
  /** Shared by every replica: the per-shop budgets live here. */
  redis: Redis;
  /** Redis key prefix of the budgets (tests use a unique one). */
  keyPrefix?: string;
  /**
   * While Redis cannot be reached, each shop's bucket (size and restore rate) is divided by this
   * and the client spends only that share, kept in the process. Set it to the number of clients
   * (this one, in every replica of every service) that call the same shop with these credentials.
   * Default 3.
   */
  fallbackShare?: number;
  /** While on the local share, Redis is tried again at most this often (ms). */
  fallbackProbeMs?: number;
  /** A budget round trip to Redis not answered within this counts as Redis unreachable (ms). */
  budgetRedisTimeoutMs?: number;
  /**
   * The shop's offline access token. Never logged. Asked before each attempt spends budget; a
   * throw (e.g. `ShopNotInstalledError` from `@shopwire/shop-credentials`) fails the call as is,
   * without calling Shopify, and is not retried.
   */
  accessToken: AccessTokenSource;
  /**
   * Called once when Shopify answers 401 to a call: report the rejected token, return its
   * replacement; the call is then sent again with it. Without it, a 401 fails the call
   * (`UNAUTHORIZED`, not retried).
   */
  onUnauthorized?: UnauthorizedHandler;
  apiVersion?: string;
  /** Base URL of a shop's Admin API, without a trailing slash. */
  shopUrl?(shop: string, apiVersion: string): string;
  /** One attempt's budget, connect to last byte. */
  timeoutMs?: number;
  retry?: { attempts?: number; baseMs?: number; capMs?: number; maxRetryAfterMs?: number };
  breaker?: {
    volumeThreshold?: number;
    errorThresholdPercentage?: number;
    resetTimeoutMs?: number;
    /** Shops with a breaker kept at once (least recently used out). Default 10,000. */
    maxShops?: number;
  };
  budget?: Partial<BudgetPolicy>;
  /** Assumed for a shop until its first reply (Shopify Standard). */
  graphqlBucket?: BucketDefaults;
  restBucket?: BucketDefaults;
  registry?: Registry;
  logger?: Logger;
  dispatcher?: Dispatcher;
}

export interface GraphqlCallOptions {
  priority?: Priority;
  /** The caller's estimate; used until Shopify's requestedQueryCost for this shape is known. */
  expectedCost?: number;
}

export interface QueryCost {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

export interface GraphqlReply<T> {
  data: T;
  cost: QueryCost | null;
}

export interface RestCall {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the API base, e.g. `products.json` or `products/123.json`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  priority?: Priority;
}

export interface RestReply {
  status: number;
  body: ShopifyJson;
  /** `page_info` cursors from the `Link` header. */
  pageInfo: { next: string | null; previous: string | null };
  callLimit: { used: number; max: number } | null;
}

interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const THROTTLED = 'THROTTLED';
const MAX_COST_EXCEEDED = 'MAX_COST_EXCEEDED';
/** Assumed for a shop until its first reply says otherwise (Shopify Standard). */
const GRAPHQL_STANDARD: BucketDefaults = { max: 2000, restorePerSecond: 100 };
const REST_STANDARD: BucketDefaults = { max: 40, restorePerSecond: 2 };

/**
 * GraphQL-first Admin API client. Every call: predicts its cost, waits for that many points in
 * the shop's budget shared through Redis (while Redis is unreachable: in this process's share of
 * it, see `FallbackBudget`), sends through the shop's circuit breaker with a
 * timeout, trues the budget up from Shopify's reply, and retries what can succeed later
 * (THROTTLED, 429 after its Retry-After seconds, 5xx, dropped connections) with exponential
 * backoff and full jitter, a bounded number of times.
 */
export class ShopifyAdminClient {
  readonly apiVersion: string;
  private readonly graphqlBudget: FallbackBudget;
  private readonly restBudget: FallbackBudget;
  private readonly graphqlGate: BudgetGate;
  private readonly restGate: BudgetGate;
  private readonly predictor = new CostPredictor();
  private readonly breakers: BreakerRegistry<[() => Promise<RawReply>], RawReply>;
  private readonly metrics: AdminMetrics;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly timeoutMs: number;

  constructor(private readonly options: ShopifyAdminClientOptions) {
    this.apiVersion = options.apiVersion ?? '2026-01';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.metrics = new AdminMetrics(options.registry);
    this.graphqlBudget = this.budget('graphql', options.graphqlBucket ?? GRAPHQL_STANDARD);
    this.restBudget = this.budget('rest', options.restBucket ?? REST_STANDARD);
    this.graphqlGate = new BudgetGate(this.graphqlBudget);
    this.restGate = new BudgetGate(this.restBudget);
    // Bounded: a process serving many shops over its life does not keep every shop's breaker.
    this.breakers = new BreakerRegistry<[() => Promise<RawReply>], RawReply>({
      max: options.breaker?.maxShops ?? 10_000,
      action: (call) => call(),
      optionsFor: (shop) => ({
        name: `shopify-admin:${shop}`,
        // the attempt's own timeout fires first; this only backs it up
        timeoutMs: this.timeoutMs + 1000,
        volumeThreshold: options.breaker?.volumeThreshold ?? 5,
        errorThresholdPercentage: options.breaker?.errorThresholdPercentage ?? 50,
        resetTimeoutMs: options.breaker?.resetTimeoutMs ?? 10_000,
        registry: options.registry,
      }),
    });
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ?? new Agent({ connections: 16, keepAliveTimeout: 10_000 });
  }

  /** `data` of a GraphQL call, IDs above 2^53 kept as strings. */
  async graphql<T = ShopifyJson>(
    shop: string,
    query: string,
    variables?: Record<string, unknown>,
    options: GraphqlCallOptions = {},
  ): Promise<T> {
    return (await this.graphqlWithCost<T>(shop, query, variables, options)).data;
  }

  /** As `graphql`, with the reply's `extensions.cost`. */
  graphqlWithCost<T = ShopifyJson>(
    shop: string,
    query: string,
    variables?: Record<string, unknown>,
    options: GraphqlCallOptions = {},
  ): Promise<GraphqlReply<T>> {
    const priority = options.priority ?? 'default';
    const traced = AdminCallTrace.start('graphql', shop, 'POST', graphqlOperation(query), priority);
    const call = this.withRetries(shop, 'graphql', () =>
      traced.attempt(() =>
        this.withToken(shop, async (token) => {
          const predicted = this.predictor.predict(query, variables, options.expectedCost);
          const admission = await this.admit(
            this.graphqlGate,
            shop,
            predicted,
            priority,
            'graphql',
          );
          traced.admitted(admission.waitedMs, predicted);
          const url = `${this.baseUrl(shop)}/graphql.json`;
          const raw = await this.send(shop, token, admission, this.graphqlBudget, 'graphql', {
            url,
            method: 'POST',
            body: JSON.stringify(variables ? { query, variables } : { query }),
          });
          return this.readGraphqlReply<T>(shop, query, variables, admission, raw);
        }),
      ),
    );
    // Only a 200 carries data; readGraphqlReply turns every other status into an error.
    return traced.around(call, (reply) => ({ status: 200, cost: reply.cost }));
  }

  /** A REST call (legacy API), budgeted against the shop's REST call bucket. */
  rest(shop: string, call: RestCall): Promise<RestReply> {
    const priority = call.priority ?? 'default';
    const url = new URL(`${this.baseUrl(shop)}/${call.path.replace(/^\//, '')}`);
    for (const [name, value] of Object.entries(call.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const method = call.method ?? 'GET';
    const traced = AdminCallTrace.start(
      'rest',
      shop,
      method,
      { name: restOperation(method, call.path) },
      priority,
    );
    const reply = this.withRetries(shop, 'rest', () =>
      traced.attempt(() =>
        this.withToken(shop, async (token) => {
          const admission = await this.admit(this.restGate, shop, 1, priority, 'rest');
          traced.admitted(admission.waitedMs);
          const raw = await this.send(shop, token, admission, this.restBudget, 'rest', {
            url: url.toString(),
            method,
            body: call.body === undefined ? undefined : JSON.stringify(call.body),
          });
          return this.readRestReply(shop, admission, raw);
        }),
      ),
    );
    return traced.around(reply, (r) => ({ status: r.status }));
  }

  /** The shop's circuit breaker state, for health endpoints. */
  breakerFor(shop: string): Breaker<[() => Promise<RawReply>], RawReply> {
    return this.breakers.get(shop);
  }

  /** Every shop breaker's state and counts, for `/health/ready` (no payloads, no tokens). */
  health(): Record<string, Record<string, unknown>> {
    return this.breakers.health();
  }

  /** The budget's view of a shop (tests, health, the benchmark); in fallback, the local share. */
  budgetState(shop: string, api: AdminApi = 'graphql') {
    return (api === 'graphql' ? this.graphqlBudget : this.restBudget).peek(shop);
  }

  /** `fallback` while Redis is unreachable and calls spend the process's local share. */
  budgetMode(api: AdminApi = 'graphql'): BudgetMode {
    return (api === 'graphql' ? this.graphqlBudget : this.restBudget).mode;
  }

  async close(): Promise<void> {
    for (const api of ['graphql', 'rest'] as const)
      if (this.budgetMode(api) === 'fallback') this.metrics.budgetFallback.dec({ api });
    this.breakers.clear();
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** One API's budget: shared through Redis, with the local share for when Redis is away. */
  private budget(api: AdminApi, bucket: BucketDefaults): FallbackBudget {
    const prefix = this.options.keyPrefix ?? 'shopwire:shopify-budget';
    const policy = { ...DEFAULT_BUDGET_POLICY, ...this.options.budget };
    const share = this.options.fallbackShare ?? 3;
    this.metrics.budgetFallback.inc({ api }, 0); // the series exists (at 0) before any outage
    return new FallbackBudget(
      new RedisBudget(this.options.redis, `${prefix}:${api}`, bucket, policy),
      new LocalBudget(bucket, share, policy),
      {
        redisTimeoutMs: this.options.budgetRedisTimeoutMs ?? 500,
        probeIntervalMs: this.options.fallbackProbeMs ?? 5000,
        onModeChange: (mode, cause) => {
          if (mode === 'fallback') {
            this.metrics.budgetFallback.inc({ api });
            this.options.logger?.warn(
              { api, share, reason: redisFailure(cause) },
              'Shopify Admin API budget: Redis unreachable; spending a local share of each shop bucket',
            );
          } else {
            this.metrics.budgetFallback.dec({ api });
            this.options.logger?.info(
              { api },
              'Shopify Admin API budget: Redis answers again; back on the shared budget',
            );
          }
        },
      },
    );
  }

  private baseUrl(shop: string): string {
    return this.options.shopUrl
      ? this.options.shopUrl(shop, this.apiVersion)
      : `https://${shop}/admin/api/${this.apiVersion}`;
  }

  private withToken<T>(shop: string, attempt: (token: string) => Promise<T>): Promise<T> {
    return withShopToken(shop, this.options.accessToken, this.options.onUnauthorized, attempt);
  }

  private withRetries<T>(shop: string, api: AdminApi, attempt: () => Promise<T>): Promise<T> {
    return retry(attempt, {
      ...adminRetryOptions(this.options.retry),
      onRetry: (attempt, delayMs, error) =>
        this.options.logger?.warn(
          { shop, api, attempt, delayMs, code: (error as ShopifyAdminError).code },
          'Shopify Admin API call failed; retrying',
        ),
    });
  }

  private async admit(
    gate: BudgetGate,
    shop: string,
    cost: number,
    priority: Priority,
    api: AdminApi,
  ): Promise<Admission> {
    const admission = await gate.admit(shop, cost, priority);
    this.metrics.budgetWait.observe({ api, priority }, admission.waitedMs / 1000);
    return admission;
  }

  /**
   * One attempt through the shop's breaker. Only faults of Shopify's side (5xx, no answer)
   * throw inside the breaker; a throttle or a 4xx is an answer and does not count towards
   * opening it.
   */
  private async send(
    shop: string,
    token: string,
    admission: Admission,
    budget: FallbackBudget,
    api: AdminApi,
    message: { url: string; method: string; body?: string },
  ): Promise<RawReply> {
    const stop = this.metrics.duration.startTimer({ api });
    try {
      return await this.breakerFor(shop).fire(() =>
        withTimeout(this.timeoutMs, `Shopify Admin API (${shop})`, async (signal) => {
          let response;
          let text: string;
          try {
            response = await request(message.url, {
              method: message.method as Dispatcher.HttpMethod,
              headers: {
                'x-shopify-access-token': token,
                'content-type': 'application/json',
                accept: 'application/json',
              },
              body: message.body,
              signal,
              dispatcher: this.dispatcher,
            });
            // a connection dropped mid-body is as much a network failure as one never answered
            text = await response.body.text();
          } catch (error) {
            throw new ShopifyAdminError(
              'NETWORK',
              `${api} call failed: ${(error as Error).message}`,
              {
                transient: true,
                cause: error,
              },
            );
          }
          if (response.statusCode >= 500)
            throw new ShopifyAdminError('HTTP_5XX', `${api} call answered ${response.statusCode}`, {
              transient: true,
              status: response.statusCode,
            });
          return { status: response.statusCode, headers: response.headers, text };
        }),
      );
    } catch (error) {
      this.count(api, isBreakerOpenError(error) ? 'breaker_open' : failureOutcome(error));
      // Whether Shopify charged a failed call is unknown: keep the points spent (conservative).
      // A call the open breaker refused never left: give its points back.
      await budget
        .settle(shop, admission.mode, {
          reserved: admission.reserved,
          actual: isBreakerOpenError(error) ? 0 : null,
        })
        .catch(() => undefined);
      if (error instanceof ShopifyAdminError || isBreakerOpenError(error)) throw error;
      // the attempt's timeout (TimeoutError) or opossum's backstop
      throw new ShopifyAdminError('TIMEOUT', `${api} call timed out`, {
        transient: true,
        cause: error,
      });
    } finally {
      stop();
    }
  }

  private async readGraphqlReply<T>(
    shop: string,
    query: string,
    variables: Record<string, unknown> | undefined,
    admission: Admission,
    raw: RawReply,
  ): Promise<GraphqlReply<T>> {
    if (raw.status !== 200) {
      await this.graphqlBudget.settle(shop, admission.mode, {
        reserved: admission.reserved,
        actual: 0,
      });
      return this.httpFailure('graphql', raw);
    }
    let body: ShopifyJson;
    try {
      body = parseShopifyJson(raw.text);
    } catch (error) {
      await this.graphqlBudget.settle(shop, admission.mode, {
        reserved: admission.reserved,
        actual: null,
      });
      this.count('graphql', 'server_error');
      throw new ShopifyAdminError('BAD_REPLY', 'GraphQL reply is not JSON', {
        transient: true,
        cause: error,
      });
    }
    const reply = isJsonObject(body) ? body : {};
    const cost = readCost(reply);
    const errors = Array.isArray(reply.errors) ? reply.errors : [];
    const codes = errors.map((e) =>
      isJsonObject(e) && isJsonObject(e.extensions) ? e.extensions.code : null,
    );
    const throttled = codes.includes(THROTTLED);
    if (cost) {
      this.predictor.learn(query, variables, cost.requestedQueryCost);
      this.metrics.pointsAvailable.set(
        { shop, api: 'graphql' },
        cost.throttleStatus.currentlyAvailable,
      );
    }
    // A throttled or refused query was not executed: Shopify charged nothing.
    const actual =
      throttled || codes.includes(MAX_COST_EXCEEDED) ? 0 : (cost?.actualQueryCost ?? null);
    await this.graphqlBudget.settle(shop, admission.mode, {
      reserved: admission.reserved,
      actual,
      reportedAvailable: cost?.throttleStatus.currentlyAvailable,
      reportedMax: cost?.throttleStatus.maximumAvailable,
      reportedRestorePerSecond: cost?.throttleStatus.restoreRate,
      strict: throttled,
    });
    if (actual) this.metrics.pointsUsed.inc({ shop }, actual);
    if (throttled) {
      this.count('graphql', 'throttled');
      this.metrics.throttled.inc({ shop, api: 'graphql' });
      // No Retry-After to wait here: the budget, now synced to Shopify's numbers, holds the
      // retry back until enough points have restored.
      throw new ShopifyAdminError('THROTTLED', 'GraphQL call throttled', { transient: true });
    }
    if (codes.includes(MAX_COST_EXCEEDED)) {
      this.count('graphql', 'client_error');
      throw new ShopifyAdminError('MAX_COST_EXCEEDED', messageOf(errors), { errors });
    }
    if (errors.length > 0) {
      this.count('graphql', 'client_error');
      throw new ShopifyAdminError('GRAPHQL', messageOf(errors), { errors });
    }
    this.count('graphql', 'ok');
    return { data: (reply.data ?? null) as T, cost };
  }

  private async readRestReply(
    shop: string,
    admission: Admission,
    raw: RawReply,
  ): Promise<RestReply> {
    const callLimit = parseCallLimit(raw.headers['x-shopify-shop-api-call-limit']);
    if (callLimit)
      this.metrics.pointsAvailable.set({ shop, api: 'rest' }, callLimit.max - callLimit.used);
    await this.restBudget.settle(shop, admission.mode, {
      // a 429 was not counted as a call, nor was a 401 (no app was identified); anything else was
      reserved: admission.reserved,
      actual: raw.status === 429 || raw.status === 401 ? 0 : admission.reserved,
      reportedAvailable: callLimit ? callLimit.max - callLimit.used : undefined,
      reportedMax: callLimit?.max,
      strict: raw.status === 429,
    });
    if (raw.status >= 300) return this.httpFailure('rest', raw, shop);
    this.count('rest', 'ok');
    let body: ShopifyJson = null;
    if (raw.text) {
      try {
        body = parseShopifyJson(raw.text);
      } catch (error) {
        throw new ShopifyAdminError('BAD_REPLY', 'REST reply is not JSON', {
          cause: error,
          status: raw.status,
        });
      }
    }
    return { status: raw.status, body, pageInfo: parseLinkHeader(raw.headers.link), callLimit };
  }

  private httpFailure(api: AdminApi, raw: RawReply, shop?: string): never {
    if (raw.status === 429) {
      this.count(api, 'rate_limited');
      if (shop) this.metrics.throttled.inc({ shop, api });
      // Retry-After is in seconds, possibly fractional ("2.0"): never read it as milliseconds.
      const retryAfterMs = retryAfterMsOf(raw.headers['retry-after']);
      throw new ShopifyAdminError('RATE_LIMITED', `${api} call answered 429`, {
        transient: true,
        retryAfterMs,
        status: 429,
      });
    }
    if (raw.status === 401) {
      this.count(api, 'unauthorized');
      // never the token, never the body (it may echo the request)
      throw new ShopifyAdminError(
        'UNAUTHORIZED',
        `${api} call answered 401 (access token refused)`,
        {
          status: 401,
        },
      );
    }
    this.count(api, 'client_error');
    throw new ShopifyAdminError('HTTP_4XX', `${api} call answered ${raw.status}`, {
      status: raw.status,
      errors: safeErrors(raw.text),
    });
  }

  private count(api: AdminApi, outcome: RequestOutcome): void {
    this.metrics.requests.inc({ api, outcome });
  }
}

/**
 * Which failures are tried again and after how long: transient ones (THROTTLED, 429, 5xx, no
 * answer) with exponential backoff and full jitter, a 429 no sooner than its Retry-After; never
 * a 4xx, a GraphQL error or a call the open breaker refused (the shop is down: the caller keeps
 * its work for later rather than queueing behind it).
 */
export function adminRetryOptions(settings: ShopifyAdminClientOptions['retry'] = {}): RetryOptions {
  return {
    attempts: settings.attempts ?? 6,
    baseMs: settings.baseMs ?? 200,
    capMs: settings.capMs ?? 5000,
    maxRetryAfterMs: settings.maxRetryAfterMs ?? 60_000,
    retryable: (error) =>
      !isBreakerOpenError(error) && isShopifyAdminError(error) && error.transient,
    retryAfterMs: (error) => (isShopifyAdminError(error) ? error.retryAfterMs : null),
  };
}

/** What a log may say about a Redis failure: its kind, never a URL (it may hold a password). */
function redisFailure(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}` : error.name;
}

function failureOutcome(error: unknown): RequestOutcome {
  return (error as ShopifyAdminError).code === 'HTTP_5XX' ? 'server_error' : 'network';
}

function readCost(reply: Record<string, ShopifyJson>): QueryCost | null {
  const extensions = reply.extensions;
  if (
    !isJsonObject(extensions ?? null) ||
    !isJsonObject((extensions as Record<string, ShopifyJson>).cost ?? null)
  )
    return null;
  const cost = (extensions as Record<string, Record<string, ShopifyJson>>).cost;
  const status = cost.throttleStatus;
  if (!isJsonObject(status ?? null) || typeof cost.requestedQueryCost !== 'number') return null;
  const s = status as Record<string, ShopifyJson>;
  return {
    requestedQueryCost: cost.requestedQueryCost,
    actualQueryCost: typeof cost.actualQueryCost === 'number' ? cost.actualQueryCost : null,
    throttleStatus: {
      maximumAvailable: Number(s.maximumAvailable),
      currentlyAvailable: Number(s.currentlyAvailable),
      restoreRate: Number(s.restoreRate),
    },
  };
}

function messageOf(errors: ShopifyJson[]): string {
  const first = errors[0];
  const message =
    isJsonObject(first) && typeof first.message === 'string' ? first.message : 'GraphQL error';
  return errors.length > 1 ? `${message} (and ${errors.length - 1} more)` : message;
}

/** Shopify's `errors` of a 4xx body, for the caller; the body itself is not kept (it may be large). */
function safeErrors(text: string): unknown {
  try {
    const body = parseShopifyJson(text);
    return isJsonObject(body) ? body.errors : undefined;
  } catch {
    return undefined;
  }
}
