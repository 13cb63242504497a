import type { TickPlan } from '@shopwire/scheduler';
import type { ScheduleSettings } from './schedule-config';

export const ORDER_BACKFILL_SCHEDULE = 'sync.order-backfill';
export const INVENTORY_RECONCILE_SCHEDULE = 'sync.inventory-reconcile';

/**
 * Where a scheduled backfill starts: a window before the first slot that had not run, so windows
 * overlap (a late webhook or a clock skew near a boundary is still covered) and a catch-up after
 * an outage covers the whole outage — but never further back than the maximum lookback.
 */
export function backfillSince(
  plan: Pick<TickPlan, 'slot' | 'dueSlot'>,
  settings: ScheduleSettings['orderBackfill'],
): Date {
  return new Date(
    Math.max(
      plan.dueSlot.getTime() - settings.windowMs,
      plan.slot.getTime() - settings.maxLookbackMs,
    ),
  );
}

/**
 * One job per schedule, shop and slot: a tick run again (rolled back and retried, or a replica
 * racing) finds the job instead of adding one. The slot is the key, not the spec, so two
 * configurations landing on the same slot during a rolling deploy also share it.
 */
export function scheduledJobKey(schedule: string, shop: string, slot: Date): string {
  return `schedule:${schedule}:${shop}:${slot.toISOString()}`;
}

/**
 * Where the backfill submitted at an install starts. A new shop gets the window a slot would
 * cover, at once rather than at the next slot (up to an interval later). A shop installed again
 * also gets the time it was uninstalled: the gateway dropped its webhooks meanwhile. Never
 * further back than the maximum lookback.
 */
export function installBackfillSince(
  now: Date,
  uninstalledAt: Date | null,
  settings: ScheduleSettings['orderBackfill'],
): Date {
  const window = now.getTime() - settings.windowMs;
  const from = uninstalledAt ? Math.min(window, uninstalledAt.getTime()) : window;
  return new Date(Math.max(from, now.getTime() - settings.maxLookbackMs));
}

/** One install backfill per shop and generation: a redelivered install event adds none. */
export function installJobKey(shop: string, generation: number): string {
  return `install:${ORDER_BACKFILL_SCHEDULE}:${shop}:${generation}`;
}
