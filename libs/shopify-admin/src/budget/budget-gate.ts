import { PRIORITY_RANK, type BudgetMode, type Priority, type Reservation } from './redis-budget';

/** What the gate asks for points: the shared budget, or the client's budget with its fallback. */
export interface ReservingBudget {
  reserve(shop: string, cost: number, priority: Priority): Promise<Reservation>;
}

export interface Admission {
  /** What was reserved (settle it when the reply comes, where `mode` says it was made). */
  reserved: number;
  mode: BudgetMode;
  /** How long the call waited for points (ms). */
  waitedMs: number;
  /** The model's points left after the reservation. */
  available: number;
}

interface Waiter {
  cost: number;
  priority: Priority;
  enqueuedAt: number;
  resolve(admission: Admission): void;
  reject(error: unknown): void;
}

export interface BudgetGateOptions {
  /** Longest single sleep before asking Redis again (other replicas may have refunded points). */
  maxPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * In-process admission to the shared budget, one queue per shop. Only the head of a shop's queue
 * asks Redis, so fifty calls waiting in one replica cost one Redis round trip per wake-up rather
 * than fifty; within the replica a higher class always goes first, and across replicas the
 * script's wait markers make lower classes yield.
 */
export class BudgetGate {
  private readonly queues = new Map<string, Waiter[]>();
  private readonly pumping = new Set<string>();
  private readonly maxPollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly budget: ReservingBudget,
    options: BudgetGateOptions = {},
  ) {
    this.maxPollMs = options.maxPollMs ?? 1000;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Resolves once `cost` points are reserved for `shop`. */
  admit(shop: string, cost: number, priority: Priority): Promise<Admission> {
    return new Promise<Admission>((resolve, reject) => {
      let queue = this.queues.get(shop);
      if (!queue) this.queues.set(shop, (queue = []));
      const waiter: Waiter = { cost, priority, enqueuedAt: this.now(), resolve, reject };
      // stable insert: after every waiter of the same or a higher class
      const at = queue.findIndex((w) => PRIORITY_RANK[w.priority] > PRIORITY_RANK[priority]);
      if (at === -1) queue.push(waiter);
      else queue.splice(at, 0, waiter);
      void this.pump(shop);
    });
  }

  waiting(shop: string): number {
    return this.queues.get(shop)?.length ?? 0;
  }

  private async pump(shop: string): Promise<void> {
    if (this.pumping.has(shop)) return;
    this.pumping.add(shop);
    try {
      const queue = this.queues.get(shop)!;
      while (queue.length > 0) {
        const head = queue[0];
        let reservation;
        try {
          reservation = await this.budget.reserve(shop, head.cost, head.priority);
        } catch (error) {
          // The budget itself failed (a script error; an unreachable Redis is the budget's own
          // fallback): fail this call, serve the others.
          queue.shift();
          head.reject(error);
          continue;
        }
        if (reservation.granted) {
          queue.shift();
          head.resolve({
            reserved: reservation.reserved,
            mode: reservation.mode,
            waitedMs: this.now() - head.enqueuedAt,
            available: reservation.available,
          });
        } else {
          await this.sleep(Math.max(1, Math.min(reservation.waitMs, this.maxPollMs)));
        }
      }
      this.queues.delete(shop);
    } finally {
      this.pumping.delete(shop);
    }
  }
}
