import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';

/**
 * Who goes first when a shop's points run short.
 *  - critical: draws down to the safety margin; never yields.
 *  - default: draws down to the safety margin; yields while a critical call is waiting.
 *  - reporting: only takes points while the bucket holds more than the reporting reserve above
 *    the margin, and yields while a critical or default call is waiting.
 */
export type Priority = 'critical' | 'default' | 'reporting';
export const PRIORITY_RANK: Record<Priority, number> = { critical: 0, default: 1, reporting: 2 };
export const PRIORITIES: readonly Priority[] = ['critical', 'default', 'reporting'];

export interface BucketDefaults {
  /** Assumed until the first reply says otherwise (Shopify Standard: 2000 and 100/s). */
  max: number;
  restorePerSecond: number;
}

export interface BudgetPolicy {
  /**
   * Kept unspent by every class, as a fraction of the bucket. It absorbs what the shared model
   * cannot see: a cost predicted too low, a reply's true-up not yet written, clock skew between
   * replicas. Shopify charges the requested cost on arrival, so a model that never goes below
   * this floor never gets a THROTTLED.
   */
  marginFraction: number;
  /** Extra, above the margin, that reporting calls leave for the others. */
  reportingReserveFraction: number;
  /** An idle shop's state is forgotten after this long (it is relearned from the next reply). */
  idleTtlSeconds: number;
}

export const DEFAULT_BUDGET_POLICY: BudgetPolicy = {
  marginFraction: 0.02,
  reportingReserveFraction: 0.25,
  idleTtlSeconds: 3600,
};

/**
 * Where a call's points come from: the budget shared through Redis, or (Redis unreachable) this
 * process's local share of the shop's bucket. A reservation is settled where it was made.
 */
export type BudgetMode = 'shared' | 'fallback';

export interface Reservation {
  granted: boolean;
  /** When not granted: how long until enough points will have restored (ms). */
  waitMs: number;
  /** The model's points after this call (whole points, for metrics). */
  available: number;
  /** The cost actually reserved (clamped so one call can never need more than the bucket). */
  reserved: number;
  mode: BudgetMode;
}

export interface Settlement {
  /** What `reserve` took for this call. */
  reserved: number;
  /** Shopify's `actualQueryCost`; null when unknown (a failed call): nothing is refunded. */
  actual: number | null;
  /** From the reply's throttleStatus, when there was one. */
  reportedAvailable?: number;
  reportedMax?: number;
  reportedRestorePerSecond?: number;
  /**
   * Follow `reportedAvailable` exactly (a THROTTLED reply: the model was wrong). Otherwise a
   * report is followed only when it is lower than the model by more than half the margin.
   */
  strict?: boolean;
}

export interface BucketState {
  available: number;
  max: number;
  restorePerSecond: number;
}

/**
 * One leaky bucket per shop, in Redis, shared by every replica: one Lua script does every read
 * and write, so two replicas can never both spend the same points. Time comes from Redis
 * (`TIME`), not from each replica's clock. The model is kept conservative: a reply's
 * `currentlyAvailable` can only lower it (a higher number may simply not yet count calls other
 * replicas have reserved and sent; and only when clearly lower, see `settle`), refunds are added back, and the bucket's size and restore
 * rate are taken from Shopify's reply (a plan change shows up there).
 */
const SCRIPT = `
local key = KEYS[1]
local op = ARGV[1]
local defaultMax = tonumber(ARGV[2])
local defaultRate = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', key, 'available', 'max', 'rate', 'updatedAt', 'waitRank0', 'waitRank1')
local max = tonumber(s[2]) or defaultMax
local rate = tonumber(s[3]) or defaultRate
local available = tonumber(s[1]) or max
local updatedAt = tonumber(s[4]) or now
local waitRank0 = tonumber(s[5]) or 0
local waitRank1 = tonumber(s[6]) or 0
if now > updatedAt then
  available = math.min(max, available + (now - updatedAt) * rate / 1000)
end

local function save()
  redis.call('HSET', key, 'available', tostring(available), 'max', tostring(max), 'rate', tostring(rate),
    'updatedAt', tostring(now), 'waitRank0', tostring(waitRank0), 'waitRank1', tostring(waitRank1))
  redis.call('EXPIRE', key, ttl)
end

if op == 'reserve' then
  local cost = tonumber(ARGV[5])
  local rank = tonumber(ARGV[6])
  local floor = tonumber(ARGV[7]) * max
  if rank == 2 then floor = floor + tonumber(ARGV[8]) * max end
  -- a call dearer than the bucket can ever hold above its floor would wait forever
  if cost > max - floor then cost = math.max(0, max - floor) end
  local yieldUntil = 0
  if rank >= 1 and waitRank0 > now then yieldUntil = waitRank0 end
  if rank >= 2 and waitRank1 > now then yieldUntil = math.max(yieldUntil, waitRank1) end
  if yieldUntil > 0 then
    save()
    return {0, yieldUntil - now, math.floor(available), cost}
  end
  if available - cost >= floor then
    available = available - cost
    save()
    return {1, 0, math.floor(available), cost}
  end
  local wait = math.ceil((cost + floor - available) * 1000 / rate)
  -- lower classes see this and yield until then
  if rank == 0 then waitRank0 = math.max(waitRank0, now + wait) end
  if rank == 1 then waitRank1 = math.max(waitRank1, now + wait) end
  save()
  return {0, wait, math.floor(available), cost}
end

if op == 'settle' then
  local reserved = tonumber(ARGV[5])
  local actual = tonumber(ARGV[6])
  local reported = tonumber(ARGV[7])
  local reportedMax = tonumber(ARGV[8])
  local reportedRate = tonumber(ARGV[9])
  if reportedMax and reportedMax > 0 then max = reportedMax end
  if reportedRate and reportedRate > 0 then rate = reportedRate end
  if actual and actual >= 0 then available = available + reserved - actual end
  -- Shopify's number is a little old when it gets here (points restored since), so a report
  -- only slightly below the model is noise, not a discrepancy; following it every time would
  -- ratchet the model down by the reply's transit on every call. A THROTTLED reply (tolerance
  -- 0) is always followed.
  local tolerance = tonumber(ARGV[10]) * max
  if reported and reported >= 0 and reported < available - tolerance then available = reported end
  available = math.min(max, math.max(available, -max))
  save()
  return {1, 0, math.floor(available), 0}
end

if op == 'peek' then
  return {tostring(available), tostring(max), tostring(rate)}
end
return redis.error_reply('unknown op ' .. op)
`;

type RedisLike = Redis | Cluster;
type ScriptRunner = (key: string, ...args: (string | number)[]) => Promise<unknown>;

function runner(redis: RedisLike): ScriptRunner {
  const name = 'shopwireShopifyBudget';
  const commands = redis as unknown as Record<string, ScriptRunner | undefined>;
  // defineCommand sends EVALSHA and falls back to EVAL once per connection
  if (!commands[name]) redis.defineCommand(name, { numberOfKeys: 1, lua: SCRIPT });
  return (commands[name] as ScriptRunner).bind(redis);
}

/** The shared per-shop budget. `api` separates GraphQL points from the REST call bucket. */
export class RedisBudget {
  private readonly run: ScriptRunner;

  constructor(
    redis: RedisLike,
    private readonly keyPrefix: string,
    private readonly defaults: BucketDefaults,
    private readonly policy: BudgetPolicy = DEFAULT_BUDGET_POLICY,
  ) {
    this.run = runner(redis);
  }

  key(shop: string): string {
    return `${this.keyPrefix}:${shop}`;
  }

  private common(): (string | number)[] {
    return [this.defaults.max, this.defaults.restorePerSecond, this.policy.idleTtlSeconds];
  }

  async reserve(shop: string, cost: number, priority: Priority): Promise<Reservation> {
    const [granted, waitMs, available, reserved] = (await this.run(
      this.key(shop),
      'reserve',
      ...this.common(),
      Math.max(0, cost),
      PRIORITY_RANK[priority],
      this.policy.marginFraction,
      this.policy.reportingReserveFraction,
    )) as number[];
    return { granted: granted === 1, waitMs, available, reserved, mode: 'shared' };
  }

  async settle(shop: string, settlement: Settlement): Promise<number> {
    const result = (await this.run(
      this.key(shop),
      'settle',
      ...this.common(),
      settlement.reserved,
      settlement.actual ?? -1,
      settlement.reportedAvailable ?? -1,
      settlement.reportedMax ?? -1,
      settlement.reportedRestorePerSecond ?? -1,
      settlement.strict ? 0 : this.policy.marginFraction / 2,
    )) as number[];
    return result[2];
  }

  async peek(shop: string): Promise<BucketState> {
    const [available, max, rate] = (await this.run(
      this.key(shop),
      'peek',
      ...this.common(),
    )) as string[];
    return { available: Number(available), max: Number(max), restorePerSecond: Number(rate) };
  }
}
