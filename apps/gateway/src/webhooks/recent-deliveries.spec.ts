import { RecentDeliveries } from './recent-deliveries';

describe('RecentDeliveries', () => {
  it('remembers a pending write, then the fact that it was acked', async () => {
    const recent = new RecentDeliveries(10);
    let ack!: () => void;
    const write = new Promise<void>((resolve) => (ack = resolve));
    void recent.track('w1', write);
    expect(recent.get('w1')).toBe(write);
    ack();
    await write;
    await Promise.resolve();
    expect(recent.get('w1')).toBe(true);
  });

  it('forgets a failed write so that the retry writes again', async () => {
    const recent = new RecentDeliveries(10);
    const write = Promise.reject(new Error('kafka down'));
    await recent.track('w1', write).catch(() => undefined);
    await Promise.resolve();
    expect(recent.get('w1')).toBeUndefined();
  });

  it('evicts the oldest beyond its capacity', async () => {
    const recent = new RecentDeliveries(2);
    for (const id of ['a', 'b', 'c']) await recent.track(id, Promise.resolve());
    expect(recent.get('a')).toBeUndefined();
    expect(recent.get('c')).toBeDefined();
    expect(recent.size).toBe(2);
  });
});
