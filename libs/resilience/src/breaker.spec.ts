import { Registry } from 'prom-client';
import { breakerHealth, breakerState, createBreaker, isBreakerOpenError } from './breaker';
import { TimeoutError, withTimeout } from './timeout';

async function gaugeValue(registry: Registry, breaker: string): Promise<number | undefined> {
  const metric = await registry.getSingleMetric('shopwire_circuit_breaker_state')!.get();
  return metric.values.find((v) => v.labels.breaker === breaker)?.value;
}

describe('createBreaker', () => {
  it('reports closed → open → half-open → closed in state, health and the gauge', async () => {
    const registry = new Registry();
    let failing = true;
    const breaker = createBreaker(
      async () => {
        if (failing) throw new Error('down');
        return 'ok';
      },
      { name: 'smtp', timeoutMs: 1000, volumeThreshold: 2, resetTimeoutMs: 100, registry },
    );
    expect(breakerState(breaker)).toBe('closed');
    expect(await gaugeValue(registry, 'smtp')).toBe(0);

    for (let i = 0; i < 3; i++) await breaker.fire().catch(() => undefined);
    expect(breakerState(breaker)).toBe('open');
    expect(breakerHealth(breaker)).toMatchObject({ state: 'open', failures: expect.any(Number) });
    expect(await gaugeValue(registry, 'smtp')).toBe(2);
    const refused = await breaker.fire().catch((e: unknown) => e);
    expect(isBreakerOpenError(refused)).toBe(true);

    await new Promise((r) => setTimeout(r, 150));
    expect(breakerState(breaker)).toBe('half-open');
    expect(await gaugeValue(registry, 'smtp')).toBe(1);

    failing = false;
    await expect(breaker.fire()).resolves.toBe('ok');
    expect(breakerState(breaker)).toBe('closed');
    expect(await gaugeValue(registry, 'smtp')).toBe(0);
    breaker.shutdown();
  });

  it('does not open on errors that are not the other side’s fault', async () => {
    const breaker = createBreaker(
      async () => {
        throw Object.assign(new Error('recipient refused'), { permanent: true });
      },
      {
        name: 'x',
        timeoutMs: 1000,
        volumeThreshold: 1,
        isNotAFault: (e) => !!(e as { permanent?: boolean }).permanent,
      },
    );
    for (let i = 0; i < 5; i++) await expect(breaker.fire()).rejects.toThrow('recipient refused');
    expect(breakerState(breaker)).toBe('closed');
    breaker.shutdown();
  });

  it('fails a call that outlives its timeout', async () => {
    const breaker = createBreaker(() => new Promise((r) => setTimeout(r, 500)), {
      name: 'slow',
      timeoutMs: 20,
    });
    await expect(breaker.fire()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    breaker.shutdown();
  });
});

describe('withTimeout', () => {
  it('aborts the signal and rejects after the budget', async () => {
    let aborted = false;
    const error = await withTimeout(20, 'erp', (signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      return new Promise(() => undefined);
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(aborted).toBe(true);
  });

  it('passes a result through', async () => {
    await expect(withTimeout(1000, 'x', async () => 42)).resolves.toBe(42);
  });
});
