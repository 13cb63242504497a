import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One sample of a metric: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Metric name → samples, from a Prometheus text exposition. */
export type Samples = Map<string, Sample[]>;

export function parseMetrics(text: string): Samples {
  const out: Samples = new Map();
  for (const family of parsePrometheusTextFormat(text)) {
    out.set(
      family.name,
      family.metrics
        .filter((metric) => metric.value !== undefined)
        .map((metric) => ({ labels: metric.labels ?? {}, value: Number(metric.value) })),
    );
  }
  return out;
}

export interface ServiceReadout {
  ready: 'up' | 'down' | 'unreachable';
  /** /health/ready's checks (terminus' `info`/`error`): name → status and details. */
  checks: Record<string, Record<string, unknown>>;
  metrics: Samples | null;
}

/**
 * Reads a service's readiness and metrics. Both are cluster-internal, unauthenticated endpoints
 * (the ingress never routes them); the console reads them server-side and shows only the
 * platform figures below, none of them per shop except where a page has checked the shop.
 */
export async function probeService(baseUrl: string, timeoutMs: number): Promise<ServiceReadout> {
  const get = (path: string) =>
    fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  const [ready, metrics] = await Promise.allSettled([get('/health/ready'), get('/metrics')]);
  const readout: ServiceReadout = { ready: 'unreachable', checks: {}, metrics: null };
  if (ready.status === 'fulfilled') {
    readout.ready = ready.value.ok ? 'up' : 'down';
    try {
      const body = (await ready.value.json()) as {
        details?: Record<string, Record<string, unknown>>;
      };
      readout.checks = body.details ?? {};
    } catch {
      // a body that is not terminus' JSON: the status is what we have
    }
  }
  if (metrics.status === 'fulfilled' && metrics.value.ok) {
    readout.metrics = parseMetrics(await metrics.value.text());
  }
  return readout;
}

/** Sum of a metric's samples grouped by the given labels. */
export function sumBy(
  samples: Samples | null,
  name: string,
  labels: string[],
): Map<string, number> {
  const out = new Map<string, number>();
  for (const sample of samples?.get(name) ?? []) {
    const key = labels.map((label) => sample.labels[label] ?? '').join(' · ');
    out.set(key, (out.get(key) ?? 0) + sample.value);
  }
  return out;
}
