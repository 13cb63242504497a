import { Registry } from 'prom-client';
import type { DeadLetter } from './dead-letter';
import { DeadLetterMetrics } from './dead-letter.metrics';

const letter = (group: string, deadLetteredAt: string, replayedAt: string | null = null) =>
  ({ group, deadLetteredAt, replayedAt }) as DeadLetter;

async function series(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.group), v.value]));
}

describe('DeadLetterMetrics', () => {
  it('exports the oldest pending letter per group as a timestamp, and drops it once none is pending', async () => {
    const registry = new Registry();
    const metrics = new DeadLetterMetrics(registry);
    metrics.observeDepth([
      letter('order', '2026-12-01T00:00:10Z'),
      letter('order', '2026-11-30T00:00:00Z', '2026-12-01T00:00:00Z'), // replayed: reviewed
      letter('order', '2026-12-02T00:00:00Z'),
      letter('sync', '2026-12-03T00:00:00Z'),
    ]);
    expect(
      await series(registry, 'shopwire_dead_letters_oldest_pending_timestamp_seconds'),
    ).toEqual({
      order: Date.parse('2026-12-01T00:00:10Z') / 1000,
      sync: Date.parse('2026-12-03T00:00:00Z') / 1000,
    });
    expect(await series(registry, 'shopwire_dead_letters_pending')).toEqual({ order: 2, sync: 1 });

    metrics.observeDepth([letter('sync', '2026-12-03T00:00:00Z', '2026-12-04T00:00:00Z')]);
    expect(
      await series(registry, 'shopwire_dead_letters_oldest_pending_timestamp_seconds'),
    ).toEqual({});
    expect(await series(registry, 'shopwire_dead_letters_pending')).toEqual({ order: 0, sync: 0 });
  });
});
