import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('shares one pending call per key and forgets it once settled', async () => {
    const flights = new SingleFlight<number>();
    let calls = 0;
    let release!: (n: number) => void;
    const work = () => {
      calls++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const all = Array.from({ length: 100 }, () => flights.do('k', work));
    expect(calls).toBe(1);
    release(7);
    expect(await Promise.all(all)).toEqual(Array(100).fill(7));
    expect(flights.size).toBe(0);
    await flights.do('k', () => Promise.resolve(8));
    expect(flights.size).toBe(0);
  });

  it('does not remember an error', async () => {
    const flights = new SingleFlight<number>();
    await expect(flights.do('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await flights.do('k', () => Promise.resolve(1))).toBe(1);
  });
});
