import { booleanFlag, positiveInt, z } from '@shopwire/config';

/**
 * Scheduled reconciliation (spread into sync's config schema). Slots sit on the UTC epoch grid
 * (libs/scheduler): every 900 s fires at :00, :15, :30, :45; every 86400 s with offset 10800 s
 * fires at 03:00 UTC.
 */
export const scheduleEnv = {
  /** false: this replica never schedules (the others still do; set it on all to stop it). */
  SCHEDULE_ENABLED: booleanFlag(true),
  /** How often a replica looks for a due schedule: a slot runs at most about this late. */
  SCHEDULE_POLL_MS: positiveInt(5000),
  SCHEDULE_ORDER_BACKFILL_INTERVAL_SECONDS: positiveInt(900),
  /** Orders updated within this window before the slot are fetched; ≥ the interval (overlap). */
  SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS: positiveInt(1800),
  /** After an outage the window widens back to the first missed slot, but never past this. */
  SCHEDULE_ORDER_BACKFILL_MAX_LOOKBACK_SECONDS: positiveInt(7 * 86_400),
  SCHEDULE_INVENTORY_RECONCILE_INTERVAL_SECONDS: positiveInt(86_400),
  /** Where in the interval the reconcile runs: 10800 = 03:00 UTC for a daily interval. */
  SCHEDULE_INVENTORY_RECONCILE_OFFSET_SECONDS: z.coerce.number().int().min(0).default(10_800),
};

export type ScheduleEnv = z.infer<z.ZodObject<typeof scheduleEnv>>;

export interface ScheduleSettings {
  enabled: boolean;
  pollMs: number;
  orderBackfill: { everyMs: number; windowMs: number; maxLookbackMs: number };
  inventoryReconcile: { everyMs: number; offsetMs: number };
}

/** The cross-field rules, as messages naming the variable (empty: valid). */
export function scheduleConfigIssues(env: ScheduleEnv): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (env.SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS < env.SCHEDULE_ORDER_BACKFILL_INTERVAL_SECONDS)
    issues.push({
      path: 'SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS',
      message:
        'SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS must be at least SCHEDULE_ORDER_BACKFILL_INTERVAL_SECONDS, or orders between two windows are never backfilled',
    });
  if (env.SCHEDULE_ORDER_BACKFILL_MAX_LOOKBACK_SECONDS < env.SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS)
    issues.push({
      path: 'SCHEDULE_ORDER_BACKFILL_MAX_LOOKBACK_SECONDS',
      message:
        'SCHEDULE_ORDER_BACKFILL_MAX_LOOKBACK_SECONDS must be at least SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS',
    });
  if (
    env.SCHEDULE_INVENTORY_RECONCILE_OFFSET_SECONDS >=
    env.SCHEDULE_INVENTORY_RECONCILE_INTERVAL_SECONDS
  )
    issues.push({
      path: 'SCHEDULE_INVENTORY_RECONCILE_OFFSET_SECONDS',
      message:
        'SCHEDULE_INVENTORY_RECONCILE_OFFSET_SECONDS must be less than SCHEDULE_INVENTORY_RECONCILE_INTERVAL_SECONDS',
    });
  return issues;
}

export function scheduleSettings(env: ScheduleEnv): ScheduleSettings {
  return {
    enabled: env.SCHEDULE_ENABLED,
    pollMs: env.SCHEDULE_POLL_MS,
    orderBackfill: {
      everyMs: env.SCHEDULE_ORDER_BACKFILL_INTERVAL_SECONDS * 1000,
      windowMs: env.SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS * 1000,
      maxLookbackMs: env.SCHEDULE_ORDER_BACKFILL_MAX_LOOKBACK_SECONDS * 1000,
    },
    inventoryReconcile: {
      everyMs: env.SCHEDULE_INVENTORY_RECONCILE_INTERVAL_SECONDS * 1000,
      offsetMs: env.SCHEDULE_INVENTORY_RECONCILE_OFFSET_SECONDS * 1000,
    },
  };
}
