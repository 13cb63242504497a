import {
  backfillSince,
  installBackfillSince,
  installJobKey,
  scheduledJobKey,
} from './schedule-plan';
import { scheduleConfigIssues, scheduleSettings, type ScheduleEnv } from './schedule-config';

const env: ScheduleEnv = {
  SCHEDULE_ENABLED: true,
  SCHEDULE_POLL_MS: 5000,
  SCHEDULE_ORDER_BACKFILL_INTERVAL_SECONDS: 900,
  SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS: 1800,
  SCHEDULE_ORDER_BACKFILL_MAX_LOOKBACK_SECONDS: 86_400,
  SCHEDULE_INVENTORY_RECONCILE_INTERVAL_SECONDS: 86_400,
  SCHEDULE_INVENTORY_RECONCILE_OFFSET_SECONDS: 10_800,
};
const settings = scheduleSettings(env);
const at = (iso: string) => new Date(iso);

describe('scheduled order backfill window', () => {
  it('reaches a window back from the slot, overlapping the previous one', () => {
    const slot = at('2026-12-05T10:15:00Z');
    expect(backfillSince({ slot, dueSlot: slot }, settings.orderBackfill)).toEqual(
      at('2026-12-05T09:45:00Z'),
    );
    // The previous slot's window was 09:30–10:00: 15 min of overlap.
  });

  it('after missed slots, covers back to a window before the first one missed', () => {
    expect(
      backfillSince(
        { slot: at('2026-12-05T14:00:00Z'), dueSlot: at('2026-12-05T10:30:00Z') },
        settings.orderBackfill,
      ),
    ).toEqual(at('2026-12-05T10:00:00Z'));
  });

  it('never further back than the maximum lookback', () => {
    expect(
      backfillSince(
        { slot: at('2026-12-05T14:00:00Z'), dueSlot: at('2026-11-01T00:00:00Z') },
        settings.orderBackfill,
      ),
    ).toEqual(at('2026-12-04T14:00:00Z'));
  });
});

describe('schedule config', () => {
  it('turns seconds into the scheduler specs', () => {
    expect(settings).toEqual({
      enabled: true,
      pollMs: 5000,
      orderBackfill: { everyMs: 900_000, windowMs: 1_800_000, maxLookbackMs: 86_400_000 },
      inventoryReconcile: { everyMs: 86_400_000, offsetMs: 10_800_000 },
    });
    expect(scheduleConfigIssues(env)).toEqual([]);
  });

  it('refuses windows that would leave gaps and offsets outside the interval', () => {
    const issues = scheduleConfigIssues({
      ...env,
      SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS: 600,
      SCHEDULE_ORDER_BACKFILL_MAX_LOOKBACK_SECONDS: 300,
      SCHEDULE_INVENTORY_RECONCILE_OFFSET_SECONDS: 86_400,
    });
    expect(issues.map((i) => i.path)).toEqual([
      'SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS',
      'SCHEDULE_ORDER_BACKFILL_MAX_LOOKBACK_SECONDS',
      'SCHEDULE_INVENTORY_RECONCILE_OFFSET_SECONDS',
    ]);
  });
});

describe('scheduled job key', () => {
  it('names the schedule, the shop and the slot', () => {
    expect(
      scheduledJobKey('sync.order-backfill', 'a.myshopify.com', at('2026-12-05T10:15:00Z')),
    ).toBe('schedule:sync.order-backfill:a.myshopify.com:2026-12-05T10:15:00.000Z');
  });
});

describe('the backfill at an install', () => {
  const now = at('2026-12-05T10:07:00Z');

  it('covers a slot’s window at once for a new shop', () => {
    expect(installBackfillSince(now, null, settings.orderBackfill)).toEqual(
      at('2026-12-05T09:37:00Z'),
    );
  });

  it('reaches back to the uninstall for a shop installed again, within the lookback', () => {
    expect(installBackfillSince(now, at('2026-12-05T06:00:00Z'), settings.orderBackfill)).toEqual(
      at('2026-12-05T06:00:00Z'),
    );
    // Uninstalled a moment ago: the window still applies.
    expect(installBackfillSince(now, at('2026-12-05T10:06:00Z'), settings.orderBackfill)).toEqual(
      at('2026-12-05T09:37:00Z'),
    );
    expect(installBackfillSince(now, at('2026-11-01T00:00:00Z'), settings.orderBackfill)).toEqual(
      at('2026-12-04T10:07:00Z'),
    );
  });

  it('is keyed by shop and generation, apart from the slots’ keys', () => {
    expect(installJobKey('a.myshopify.com', 2)).toBe(
      'install:sync.order-backfill:a.myshopify.com:2',
    );
    expect(installJobKey('a.myshopify.com', 2)).not.toBe(installJobKey('a.myshopify.com', 3));
  });
});
