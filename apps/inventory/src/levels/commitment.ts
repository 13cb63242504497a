/**
 * Committed quantities per order, as a state machine whose result does not depend on the order or
 * number of deliveries: `accepted` reserves the order's lines once; `cancelled` releases what is
 * reserved and is final, so a cancellation that arrives first means the order never reserves.
 * The caller stores the state per (shop, order) in the same transaction as the SKU totals.
 */
export interface ReservedLine {
  variantId: string | null;
  sku: string | null;
  quantity: number;
}

export interface CommitmentState {
  accepted: boolean;
  cancelled: boolean;
  reserved: ReservedLine[];
  /** Newest aggregateVersion seen (ISO, UTC). */
  lastVersion: string | null;
}

export interface CommitmentEvent {
  kind: 'accepted' | 'cancelled';
  version: string;
  lines: ReservedLine[];
}

export interface CommitmentChange {
  state: CommitmentState;
  /** Change of committed quantity per SKU; empty when the event changes nothing. */
  deltas: Map<string, number>;
  /** Whether the event changed the state at all (false: a repeat, or after the end). */
  changed: boolean;
}

export const EMPTY_COMMITMENT: CommitmentState = {
  accepted: false,
  cancelled: false,
  reserved: [],
  lastVersion: null,
};

function newest(a: string | null, b: string): string {
  return a !== null && Date.parse(a) >= Date.parse(b) ? a : b;
}

function addDelta(deltas: Map<string, number>, sku: string | null, quantity: number): void {
  // A line without a SKU cannot be joined to a level; it is kept in the state for the record.
  if (sku === null || quantity === 0) return;
  const total = (deltas.get(sku) ?? 0) + quantity;
  if (total === 0) deltas.delete(sku);
  else deltas.set(sku, total);
}

export function applyCommitmentEvent(
  previous: CommitmentState | null,
  event: CommitmentEvent,
): CommitmentChange {
  const state = previous ?? EMPTY_COMMITMENT;
  const deltas = new Map<string, number>();
  const lastVersion = newest(state.lastVersion, event.version);
  if (event.kind === 'accepted') {
    if (state.accepted || state.cancelled) {
      return { state: { ...state, accepted: true, lastVersion }, deltas, changed: !state.accepted };
    }
    const reserved = event.lines.filter((line) => line.quantity > 0);
    for (const line of reserved) addDelta(deltas, line.sku, line.quantity);
    return { state: { ...state, accepted: true, reserved, lastVersion }, deltas, changed: true };
  }
  if (state.cancelled) return { state: { ...state, lastVersion }, deltas, changed: false };
  for (const line of state.reserved) addDelta(deltas, line.sku, -line.quantity);
  return { state: { ...state, cancelled: true, reserved: [], lastVersion }, deltas, changed: true };
}
