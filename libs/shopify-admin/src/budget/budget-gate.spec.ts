import { BudgetGate } from './budget-gate';
import type { Priority, RedisBudget, Reservation } from './redis-budget';

/** A budget that grants whenever `points` suffice; tests add points by hand. */
function fakeBudget(start: number) {
  const state = { points: start, calls: 0 };
  const budget = {
    async reserve(_shop: string, cost: number): Promise<Reservation> {
      state.calls++;
      if (state.points >= cost) {
        state.points -= cost;
        return {
          granted: true,
          waitMs: 0,
          available: state.points,
          reserved: cost,
          mode: 'shared',
        };
      }
      return {
        granted: false,
        waitMs: 50,
        available: state.points,
        reserved: cost,
        mode: 'shared',
      };
    },
  } as unknown as RedisBudget;
  return { budget, state };
}

describe('BudgetGate', () => {
  it('admits at once while points last', async () => {
    const { budget } = fakeBudget(100);
    const gate = new BudgetGate(budget);
    await expect(gate.admit('s', 30, 'default')).resolves.toMatchObject({
      reserved: 30,
      available: 70,
    });
  });

  it('serves waiting calls by class, then in arrival order, polling Redis only from the head', async () => {
    const { budget, state } = fakeBudget(0);
    const sleeps: (() => void)[] = [];
    const gate = new BudgetGate(budget, { sleep: () => new Promise<void>((r) => sleeps.push(r)) });
    const order: string[] = [];
    const admit = (name: string, priority: Priority) =>
      gate.admit('s', 10, priority).then(() => void order.push(name));
    const all = [admit('report', 'reporting'), admit('d1', 'default'), admit('d2', 'default')];
    await new Promise((r) => setImmediate(r));
    all.push(admit('crit', 'critical'));
    expect(gate.waiting('s')).toBe(4);
    const callsBefore = state.calls;
    // each wake-up gives points for one call
    for (let i = 0; i < 4; i++) {
      state.points += 10;
      while (sleeps.length === 0) await new Promise((r) => setImmediate(r));
      sleeps.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    expect(order).toEqual(['crit', 'd1', 'd2', 'report']);
    // per wake-up: the head's grant and the next head's refusal — not one call per waiter
    expect(state.calls - callsBefore).toBeLessThanOrEqual(2 * 4);
  });

  it('fails a call when its budget fails, and keeps serving the others', async () => {
    let fail = true;
    const budget = {
      async reserve(): Promise<Reservation> {
        if (fail) {
          fail = false;
          throw new Error('script error');
        }
        return { granted: true, waitMs: 0, available: 0, reserved: 1, mode: 'shared' };
      },
    } as unknown as RedisBudget;
    const gate = new BudgetGate(budget);
    const first = gate.admit('s', 1, 'default');
    const second = gate.admit('s', 1, 'default');
    await expect(first).rejects.toThrow('script error');
    await expect(second).resolves.toMatchObject({ reserved: 1 });
  });
});
