import { applyCommitmentEvent, type CommitmentEvent, type CommitmentState } from './commitment';

const lines = [
  { variantId: '1', sku: 'A', quantity: 2 },
  { variantId: '2', sku: 'B', quantity: 1 },
  { variantId: '3', sku: null, quantity: 5 },
  { variantId: '4', sku: 'A', quantity: 1 },
];
const accepted: CommitmentEvent = { kind: 'accepted', version: '2026-11-27T10:00:00.000Z', lines };
const cancelled: CommitmentEvent = {
  kind: 'cancelled',
  version: '2026-11-27T10:05:00.000Z',
  lines,
};

/** Runs a delivery sequence and sums the deltas, as the SKU totals would. */
function run(events: CommitmentEvent[]): {
  state: CommitmentState | null;
  totals: Record<string, number>;
} {
  let state: CommitmentState | null = null;
  const totals: Record<string, number> = {};
  for (const event of events) {
    const change = applyCommitmentEvent(state, event);
    state = change.state;
    for (const [sku, delta] of change.deltas) totals[sku] = (totals[sku] ?? 0) + delta;
  }
  for (const sku of Object.keys(totals)) if (totals[sku] === 0) delete totals[sku];
  return { state, totals };
}

describe('applyCommitmentEvent', () => {
  it('accepted reserves each SKU once, summing lines of one SKU and skipping lines without one', () => {
    expect(run([accepted]).totals).toEqual({ A: 3, B: 1 });
  });

  it('accepted delivered three times reserves once', () => {
    expect(run([accepted, accepted, accepted]).totals).toEqual({ A: 3, B: 1 });
  });

  it.each([
    ['accept, cancel', [accepted, cancelled]],
    ['cancel, accept', [cancelled, accepted]],
    ['accept ×3, cancel ×3', [accepted, accepted, accepted, cancelled, cancelled, cancelled]],
    ['cancel ×3, accept ×3', [cancelled, cancelled, cancelled, accepted, accepted, accepted]],
    ['interleaved', [accepted, cancelled, accepted, cancelled, accepted, cancelled]],
    ['cancel, accept, cancel, accept', [cancelled, accepted, cancelled, accepted]],
  ])('%s leaves nothing committed', (_name, events) => {
    const { state, totals } = run(events);
    expect(totals).toEqual({});
    expect(state).toMatchObject({ accepted: true, cancelled: true, reserved: [] });
  });

  it('keeps the newest version seen whatever the order', () => {
    expect(run([cancelled, accepted]).state?.lastVersion).toBe(cancelled.version);
    expect(run([accepted, cancelled]).state?.lastVersion).toBe(cancelled.version);
  });

  it('reports a repeat as unchanged', () => {
    const first = applyCommitmentEvent(null, accepted);
    expect(first.changed).toBe(true);
    const again = applyCommitmentEvent(first.state, accepted);
    expect(again.changed).toBe(false);
    expect(again.deltas.size).toBe(0);
  });
});
