/**
 * When a schedule fires: slots at `offsetMs + k × everyMs` after the Unix epoch (UTC), for every
 * integer k. Anchoring on the epoch instead of on "when the process started" makes every replica
 * compute the same slots without talking to each other, and gives wall-clock alignment for free:
 * every 15 min with offset 0 fires at :00, :15, :30, :45; every 24 h with offset 3 h fires at
 * 03:00 UTC.
 */
export interface ScheduleSpec {
  /** Distance between two slots, in milliseconds (at least 1 s). */
  everyMs: number;
  /** Where the slots sit within `everyMs`, in milliseconds from the epoch grid (0 ≤ offset < every). */
  offsetMs?: number;
}

/** What a claim decides, from the stored row and the database's clock. */
export interface TickPlan {
  /** The slot this run stands for: the latest slot at or before now. */
  slot: Date;
  /** The first slot that was due and had not run (≤ slot). After an outage, far behind `slot`. */
  dueSlot: Date;
  /** Slots between `dueSlot` and `slot` that are folded into this one run (0 when on time). */
  missed: number;
  /** The next slot after `slot`: when the schedule is due again. */
  nextDueAt: Date;
}

export function assertSpec(spec: ScheduleSpec): void {
  const offset = spec.offsetMs ?? 0;
  if (!Number.isSafeInteger(spec.everyMs) || spec.everyMs < 1000)
    throw new Error(`everyMs must be a whole number of milliseconds ≥ 1000, got ${spec.everyMs}`);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= spec.everyMs)
    throw new Error(`offsetMs must be in [0, everyMs), got ${offset}`);
}

/** The latest slot at or before `now`. */
export function slotAtOrBefore(now: Date, spec: ScheduleSpec): Date {
  const offset = spec.offsetMs ?? 0;
  const k = Math.floor((now.getTime() - offset) / spec.everyMs);
  return new Date(offset + k * spec.everyMs);
}

/** The first slot strictly after `now`. */
export function slotAfter(now: Date, spec: ScheduleSpec): Date {
  return new Date(slotAtOrBefore(now, spec).getTime() + spec.everyMs);
}

/**
 * Decides one run of a schedule whose first unrun slot is `nextDueAt`, at `now` (the database's
 * clock, the one every replica shares). null: not due yet. Otherwise exactly one run, for the
 * latest passed slot, however many slots passed unrun — a schedule that was down for hours
 * catches up once, not once per missed slot — and the schedule is next due at the slot after
 * `now`, never in the past.
 */
export function planTick(nextDueAt: Date, now: Date, spec: ScheduleSpec): TickPlan | null {
  if (nextDueAt.getTime() > now.getTime()) return null;
  const slot = slotAtOrBefore(now, spec);
  // A due time off the grid (the spec changed under a stored row) counts as the slot before it.
  const dueSlot = new Date(Math.min(slotAtOrBefore(nextDueAt, spec).getTime(), slot.getTime()));
  const missed = Math.round((slot.getTime() - dueSlot.getTime()) / spec.everyMs);
  return { slot, dueSlot, missed, nextDueAt: new Date(slot.getTime() + spec.everyMs) };
}

/** A stable, readable identifier of a spec: `900s` or `86400s+10800s`. */
export function specLabel(spec: ScheduleSpec): string {
  const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
  const offset = spec.offsetMs ?? 0;
  return offset === 0 ? seconds(spec.everyMs) : `${seconds(spec.everyMs)}+${seconds(offset)}`;
}
