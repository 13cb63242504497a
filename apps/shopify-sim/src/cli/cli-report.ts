import type { DeliveryStatsSnapshot } from '../webhooks/delivery/delivery-stats';

const ms = (value: number | null) => (value === null ? '-' : `${value}ms`);

/** One progress line per second: enough to watch a run without drowning the terminal. */
export function progressLine(elapsedMs: number, stats: DeliveryStatsSnapshot): string {
  return [
    `[${(elapsedMs / 1000).toFixed(0).padStart(4)}s]`,
    `generated=${stats.generated}`,
    `delivered=${stats.delivered}`,
    `failed=${stats.failed}`,
    `retried=${stats.retried}`,
    `dups=${stats.duplicatesSent}`,
    `inflight=${stats.inFlight}`,
    `queued=${stats.queued}`,
    `waiting_retry=${stats.waitingRetry}`,
    `p50=${ms(stats.latencyMs.p50)}`,
    `p99=${ms(stats.latencyMs.p99)}`,
  ].join(' ');
}

export function summaryText(
  elapsedMs: number,
  stats: DeliveryStatsSnapshot,
  stopped: boolean,
): string {
  const seconds = elapsedMs / 1000;
  const failures = Object.entries(stats.failuresByReason)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${reason}=${count}`)
    .join(' ');
  return [
    stopped ? 'shopify-sim: stopped before the end' : 'shopify-sim: done',
    `  elapsed            ${seconds.toFixed(1)} s`,
    `  webhooks generated ${stats.generated}`,
    `  deliveries sent    ${stats.submitted} (duplicates ${stats.duplicatesSent})`,
    `  delivered          ${stats.delivered} (${(stats.delivered / Math.max(seconds, 0.001)).toFixed(1)}/s)`,
    `  failed (gave up)   ${stats.failed}`,
    `  cancelled          ${stats.cancelled}`,
    `  attempts           ${stats.attempts} (retries ${stats.retried})`,
    `  failed attempts    ${failures || 'none'}`,
    `  latency            p50 ${ms(stats.latencyMs.p50)}  p99 ${ms(stats.latencyMs.p99)}  max ${ms(stats.latencyMs.max)}`,
  ].join('\n');
}
