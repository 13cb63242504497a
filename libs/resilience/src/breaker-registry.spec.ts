import { Registry } from 'prom-client';
import { BreakerRegistry } from './breaker-registry';
import { breakerState, isBreakerOpenError } from './breaker';

async function gaugeLabels(registry: Registry): Promise<string[]> {
  const metric = await registry.getSingleMetric('shopwire_circuit_breaker_state')!.get();
  return metric.values.map((v) => String(v.labels.breaker)).sort();
}

describe('BreakerRegistry', () => {
  function failingRegistry(max: number, registry?: Registry) {
    return new BreakerRegistry<[string], string>({
      max,
      action: (host) => Promise.reject(new Error(`${host} down`)),
      optionsFor: (key) => ({
        name: `cb:${key}`,
        timeoutMs: 1000,
        volumeThreshold: 1,
        resetTimeoutMs: 60_000,
        registry,
      }),
    });
  }

  it('keeps one breaker per key: one key open does not stop another', async () => {
    const breakers = failingRegistry(10);
    await breakers
      .get('a')
      .fire('a')
      .catch(() => undefined);
    expect(breakerState(breakers.get('a'))).toBe('open');
    expect(
      isBreakerOpenError(
        await breakers
          .get('a')
          .fire('a')
          .catch((e: unknown) => e),
      ),
    ).toBe(true);
    expect(breakerState(breakers.get('b'))).toBe('closed');
    expect(breakers.get('a')).toBe(breakers.get('a'));
    breakers.clear();
  });

  it('never holds more than max: a flood of new keys evicts the least recently used and shuts it down', async () => {
    const registry = new Registry();
    const breakers = failingRegistry(3, registry);
    const first = breakers.get('h0');
    for (let i = 1; i < 1000; i++) {
      breakers.get(`h${i}`);
      // h0 stays in use for the first two rounds, then falls out of use
      if (i < 2) breakers.get('h0');
    }
    expect(breakers.size).toBe(3);
    expect(breakers.has('h0')).toBe(false);
    expect(breakers.has('h999')).toBe(true);
    // the evicted breaker is shut down, and its gauge series is gone with it
    await expect(first.fire('h0')).rejects.toMatchObject({ code: 'ESHUTDOWN' });
    expect(await gaugeLabels(registry)).toEqual(['cb:h997', 'cb:h998', 'cb:h999']);
    expect(Object.keys(breakers.health()).sort()).toEqual(['h997', 'h998', 'h999']);
    breakers.clear();
    expect(breakers.size).toBe(0);
  });

  it('refuses a cap that is not a positive integer', () => {
    expect(() => failingRegistry(0)).toThrow(/positive integer/);
  });
});
