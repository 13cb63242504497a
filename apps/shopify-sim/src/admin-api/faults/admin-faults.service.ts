import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { SeededRandom } from '../../random/seeded-random';

const rate = z.number().min(0).max(1);

/** `PUT /sim/admin/faults`: for one shop, or every shop when `shop` is absent. */
export const adminFaultsSchema = z
  .object({
    shop: z.string().min(1).max(255).optional(),
    /** The next n Admin requests answer `errorStatus`. */
    errorBurst: z.number().int().min(0).max(1_000_000).default(0),
    errorStatus: z.union([z.literal(500), z.literal(502), z.literal(503)]).default(503),
    /** Share of Admin requests answered `errorStatus`. */
    errorRate: rate.default(0),
    /** Added before every Admin answer. */
    latencyMs: z.number().int().min(0).max(60_000).default(0),
    /** Share of Admin requests whose connection is destroyed without an answer. */
    dropRate: rate.default(0),
  })
  .strict();
export type AdminFaultsInput = z.infer<typeof adminFaultsSchema>;
export type AdminFaults = Omit<AdminFaultsInput, 'shop'>;

export type FaultDecision =
  | { kind: 'none'; latencyMs: number }
  | { kind: 'error'; latencyMs: number; status: 500 | 502 | 503 }
  | { kind: 'drop'; latencyMs: number };

const ALL_SHOPS = '*';

/**
 * Injected failures of the Admin API. Rates draw from a seeded generator so a run with the same
 * requests fails the same way; a burst counts down one per request of the shops it covers.
 */
@Injectable()
export class AdminFaultsService {
  private readonly faults = new Map<string, AdminFaults>();
  private readonly rng = new SeededRandom('admin-api-faults');

  set(input: AdminFaultsInput): AdminFaults {
    const { shop, ...faults } = input;
    this.faults.set(shop ?? ALL_SHOPS, faults);
    return faults;
  }

  clear(): void {
    this.faults.clear();
  }

  list(): Record<string, AdminFaults> {
    return Object.fromEntries(this.faults);
  }

  /** The fault for one Admin request of `shop` (a shop's own faults win over the global ones). */
  draw(shop: string): FaultDecision {
    const faults = this.faults.get(shop) ?? this.faults.get(ALL_SHOPS);
    if (!faults) return { kind: 'none', latencyMs: 0 };
    const { latencyMs } = faults;
    if (faults.errorBurst > 0) {
      faults.errorBurst -= 1;
      return { kind: 'error', latencyMs, status: faults.errorStatus };
    }
    if (this.rng.chance(faults.dropRate)) return { kind: 'drop', latencyMs };
    if (this.rng.chance(faults.errorRate))
      return { kind: 'error', latencyMs, status: faults.errorStatus };
    return { kind: 'none', latencyMs };
  }
}
