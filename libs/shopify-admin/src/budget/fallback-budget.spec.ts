import { FallbackBudget, isRedisUnreachable } from './fallback-budget';
import { LocalBudget } from './local-budget';
import type { BudgetMode, RedisBudget, Reservation, Settlement } from './redis-budget';

/** A reply error as ioredis raises it for a script's own error (redis-errors names it so). */
class ReplyError extends Error {
  override readonly name = 'ReplyError';
}

/** The switching logic only; the real Redis path is test/budget-fallback.integration-spec.ts. */
function setup() {
  const clock = { now: 0 };
  const shared = {
    failure: null as Error | null,
    reserves: 0,
    settles: [] as Settlement[],
    async reserve(): Promise<Reservation> {
      this.reserves++;
      if (this.failure) throw this.failure;
      return { granted: true, waitMs: 0, available: 1000, reserved: 10, mode: 'shared' };
    },
    async settle(_shop: string, settlement: Settlement): Promise<number> {
      if (this.failure) throw this.failure;
      this.settles.push(settlement);
      return 0;
    },
  };
  const changes: BudgetMode[] = [];
  const local = new LocalBudget(
    { max: 2000, restorePerSecond: 100 },
    2,
    undefined,
    () => clock.now,
  );
  const budget = new FallbackBudget(shared as unknown as RedisBudget, local, {
    redisTimeoutMs: 100,
    probeIntervalMs: 5000,
    onModeChange: (mode) => changes.push(mode),
    now: () => clock.now,
  });
  return { budget, shared, local, clock, changes };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

describe('FallbackBudget', () => {
  it('spends the local share from the first unreachable error, asking Redis once per interval', async () => {
    const { budget, shared, clock, changes } = setup();
    await expect(budget.reserve('s', 10, 'default')).resolves.toMatchObject({ mode: 'shared' });
    shared.failure = refused();
    await expect(budget.reserve('s', 10, 'default')).resolves.toMatchObject({ mode: 'fallback' });
    expect(budget.mode).toBe('fallback');
    const asked = shared.reserves;
    for (let i = 0; i < 20; i++) await budget.reserve('s', 10, 'default');
    expect(shared.reserves).toBe(asked); // Redis left alone until the probe is due
    clock.now += 5000;
    await budget.reserve('s', 10, 'default'); // the probe: still down
    await budget.reserve('s', 10, 'default');
    expect(shared.reserves).toBe(asked + 1);
    shared.failure = null;
    clock.now += 5000;
    await expect(budget.reserve('s', 10, 'default')).resolves.toMatchObject({ mode: 'shared' });
    expect(changes).toEqual(['fallback', 'shared']);
  });

  it('treats a hung Redis like a refused one', async () => {
    const { budget, shared } = setup();
    shared.reserve = () => new Promise<Reservation>(() => undefined);
    await expect(budget.reserve('s', 10, 'default')).resolves.toMatchObject({ mode: 'fallback' });
  });

  it('fails the call on a script error rather than hide it behind the local share', async () => {
    const { budget, shared } = setup();
    shared.failure = new ReplyError(
      'ERR user_script:1: Script attempted to access nonexistent global',
    );
    await expect(budget.reserve('s', 10, 'default')).rejects.toThrow('user_script');
    expect(budget.mode).toBe('shared');
  });

  it('settles each reservation where it was made, and keeps the local share trued up', async () => {
    const { budget, shared, local } = setup();
    const report = { reserved: 10, actual: 10, reportedAvailable: 400 };
    await budget.settle('s', 'shared', report);
    expect(shared.settles).toEqual([report]);
    expect(local.peek('s').available).toBe(200); // half of what Shopify said is left
    await budget.settle('s', 'fallback', { reserved: 50, actual: 0 });
    expect(shared.settles).toHaveLength(1);
    expect(local.peek('s').available).toBe(250);
  });

  it('a settle that finds Redis gone switches to fallback without failing the call', async () => {
    const { budget, shared, changes } = setup();
    shared.failure = refused();
    await expect(
      budget.settle('s', 'shared', { reserved: 10, actual: 5 }),
    ).resolves.toBeUndefined();
    expect(changes).toEqual(['fallback']);
  });
});

describe('isRedisUnreachable', () => {
  it('is true for connection failures and timeouts, false for script errors and our own bugs', () => {
    expect(isRedisUnreachable(refused())).toBe(true);
    expect(isRedisUnreachable(new Error('Connection is closed.'))).toBe(true);
    expect(isRedisUnreachable(new ReplyError('LOADING Redis is loading the dataset'))).toBe(true);
    expect(isRedisUnreachable(new ReplyError('ERR Error running script'))).toBe(false);
    expect(isRedisUnreachable(new TypeError('x is undefined'))).toBe(false);
  });
});
