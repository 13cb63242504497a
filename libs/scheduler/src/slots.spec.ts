import {
  assertSpec,
  planTick,
  slotAfter,
  slotAtOrBefore,
  specLabel,
  type ScheduleSpec,
} from './slots';

const at = (iso: string) => new Date(iso);
const MIN = 60_000;
const quarterHour: ScheduleSpec = { everyMs: 15 * MIN };
const nightly: ScheduleSpec = { everyMs: 24 * 60 * MIN, offsetMs: 3 * 60 * MIN };

/** A fake clock and an in-memory row: what the database does for one schedule, minus the lock. */
function simulate(spec: ScheduleSpec, start: Date) {
  let nextDueAt = slotAfter(start, spec);
  const runs: { slot: string; missed: number; dueSlot: string }[] = [];
  return {
    runs,
    /** Every replica polling at `now` (the lock lets the first one run; the others find it not due). */
    poll(now: Date, replicas = 3) {
      for (let i = 0; i < replicas; i++) {
        const plan = planTick(nextDueAt, now, spec);
        if (!plan) continue;
        runs.push({
          slot: plan.slot.toISOString(),
          missed: plan.missed,
          dueSlot: plan.dueSlot.toISOString(),
        });
        nextDueAt = plan.nextDueAt;
      }
    },
  };
}

describe('slots', () => {
  it('sit on the epoch grid, shifted by the offset', () => {
    expect(slotAtOrBefore(at('2026-12-05T09:22:10Z'), quarterHour)).toEqual(
      at('2026-12-05T09:15:00Z'),
    );
    expect(slotAtOrBefore(at('2026-12-05T09:15:00Z'), quarterHour)).toEqual(
      at('2026-12-05T09:15:00Z'),
    );
    expect(slotAfter(at('2026-12-05T09:15:00Z'), quarterHour)).toEqual(at('2026-12-05T09:30:00Z'));
    expect(slotAtOrBefore(at('2026-12-05T02:59:59Z'), nightly)).toEqual(at('2026-12-04T03:00:00Z'));
    expect(slotAfter(at('2026-12-05T02:59:59Z'), nightly)).toEqual(at('2026-12-05T03:00:00Z'));
    expect(slotAfter(at('2026-12-05T03:00:00Z'), nightly)).toEqual(at('2026-12-06T03:00:00Z'));
  });

  it('refuses specs that cannot tick', () => {
    expect(() => assertSpec({ everyMs: 999 })).toThrow(/everyMs/);
    expect(() => assertSpec({ everyMs: 1500.5 })).toThrow(/everyMs/);
    expect(() => assertSpec({ everyMs: 60_000, offsetMs: 60_000 })).toThrow(/offsetMs/);
    expect(() => assertSpec({ everyMs: 60_000, offsetMs: -1 })).toThrow(/offsetMs/);
    expect(() => assertSpec(nightly)).not.toThrow();
  });

  it('labels a spec readably', () => {
    expect(specLabel(quarterHour)).toBe('900s');
    expect(specLabel(nightly)).toBe('86400s+10800s');
    expect(specLabel({ everyMs: 1500 })).toBe('1500ms');
  });
});

describe('planTick', () => {
  it('is not due before the due time', () => {
    expect(planTick(at('2026-12-05T09:30:00Z'), at('2026-12-05T09:29:59.999Z'), quarterHour)).toBe(
      null,
    );
  });

  it('runs an on-time slot and is next due one interval later', () => {
    expect(planTick(at('2026-12-05T09:30:00Z'), at('2026-12-05T09:30:02Z'), quarterHour)).toEqual({
      slot: at('2026-12-05T09:30:00Z'),
      dueSlot: at('2026-12-05T09:30:00Z'),
      missed: 0,
      nextDueAt: at('2026-12-05T09:45:00Z'),
    });
  });

  it('folds slots missed during an outage into one run for the latest slot', () => {
    // Every replica was down from 09:31 to 13:07: fourteen slots passed, one run happens.
    expect(planTick(at('2026-12-05T09:45:00Z'), at('2026-12-05T13:07:00Z'), quarterHour)).toEqual({
      slot: at('2026-12-05T13:00:00Z'),
      dueSlot: at('2026-12-05T09:45:00Z'),
      missed: 13,
      nextDueAt: at('2026-12-05T13:15:00Z'),
    });
  });

  it('treats a due time off the grid (a changed spec) as the slot before it', () => {
    const plan = planTick(at('2026-12-05T09:40:00Z'), at('2026-12-05T10:01:00Z'), quarterHour);
    expect(plan?.dueSlot).toEqual(at('2026-12-05T09:30:00Z'));
    expect(plan?.slot).toEqual(at('2026-12-05T10:00:00Z'));
    expect(plan?.missed).toBe(2);
  });
});

describe('a fake clock over a day with three replicas', () => {
  it('runs each slot once while replicas poll, and once after a long pause', () => {
    const start = at('2026-12-05T00:00:30Z');
    const sim = simulate(quarterHour, start);
    // Poll every 20 s for two hours.
    for (let t = start.getTime(); t < start.getTime() + 2 * 60 * MIN; t += 20_000)
      sim.poll(new Date(t));
    expect(sim.runs.map((r) => r.slot)).toEqual(
      Array.from({ length: 8 }, (_, i) =>
        new Date(at('2026-12-05T00:15:00Z').getTime() + i * 15 * MIN).toISOString(),
      ),
    );
    expect(sim.runs.every((r) => r.missed === 0)).toBe(true);

    // All replicas down for five hours, then polling again for twenty minutes.
    const resume = at('2026-12-05T07:01:10Z');
    for (let t = resume.getTime(); t < resume.getTime() + 20 * MIN; t += 20_000)
      sim.poll(new Date(t));
    expect(sim.runs.slice(8)).toEqual([
      { slot: '2026-12-05T07:00:00.000Z', missed: 19, dueSlot: '2026-12-05T02:15:00.000Z' },
      { slot: '2026-12-05T07:15:00.000Z', missed: 0, dueSlot: '2026-12-05T07:15:00.000Z' },
    ]);
  });

  it('runs a nightly schedule at its hour only', () => {
    const sim = simulate(nightly, at('2026-12-05T12:00:00Z'));
    for (let h = 0; h < 72; h++)
      sim.poll(new Date(at('2026-12-05T12:00:00Z').getTime() + h * 60 * MIN + 5_000));
    expect(sim.runs.map((r) => r.slot)).toEqual([
      '2026-12-06T03:00:00.000Z',
      '2026-12-07T03:00:00.000Z',
      '2026-12-08T03:00:00.000Z',
    ]);
  });
});
