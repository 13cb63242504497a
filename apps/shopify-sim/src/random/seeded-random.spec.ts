import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('replays the same sequence for the same seed and a different one otherwise', () => {
    const draw = (seed: string) => {
      const rng = new SeededRandom(seed);
      return Array.from({ length: 5 }, () => rng.nextUint32());
    };
    expect(draw('a')).toEqual(draw('a'));
    expect(draw('a')).not.toEqual(draw('b'));
  });

  it('keeps ints, picks and bigints inside their bounds', () => {
    const rng = new SeededRandom(7);
    for (let i = 0; i < 2000; i++) {
      const n = rng.int(3, 6);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(6);
      const big = rng.bigint(10n ** 17n, 10n ** 18n - 1n);
      expect(big >= 10n ** 17n && big < 10n ** 18n).toBe(true);
    }
  });

  it('spreads draws evenly enough for fault probabilities to mean something', () => {
    const rng = new SeededRandom('spread');
    let hits = 0;
    for (let i = 0; i < 20_000; i++) if (rng.chance(0.1)) hits++;
    expect(hits / 20_000).toBeGreaterThan(0.09);
    expect(hits / 20_000).toBeLessThan(0.11);
  });

  it('draws weighted picks in proportion and never a zero weight', () => {
    const rng = new SeededRandom('weights');
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 10_000; i++)
      counts[
        rng.weighted([
          ['a', 3],
          ['b', 1],
          ['never', 0],
        ] as const)
      ]++;
    expect(counts.never).toBe(0);
    expect(counts.a / counts.b).toBeGreaterThan(2.6);
    expect(counts.a / counts.b).toBeLessThan(3.4);
  });

  it('formats UUIDs as version 4', () => {
    const rng = new SeededRandom('uuid');
    for (let i = 0; i < 100; i++) {
      expect(rng.uuid()).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });
});
