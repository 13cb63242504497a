/**
 * Low stock as a latch per level: a level is low when its sellable quantity (available −
 * committed) is below the threshold. Falling below publishes one event and sets the latch; while
 * it stays below nothing more is published; reaching the threshold again clears the latch, so
 * the next fall publishes again.
 */
export type LowStockTransition = 'crossed_down' | 'recovered' | 'unchanged';

export function lowStockTransition(
  wasLow: boolean,
  sellable: number,
  threshold: number,
): LowStockTransition {
  const low = sellable < threshold;
  if (low && !wasLow) return 'crossed_down';
  if (!low && wasLow) return 'recovered';
  return 'unchanged';
}
