import { AdminFaultsService, adminFaultsSchema } from './admin-faults.service';

const faults = (input: unknown) => adminFaultsSchema.parse(input);

describe('AdminFaultsService', () => {
  it('answers a burst of errors, then nothing, for the shop it names only', () => {
    const service = new AdminFaultsService();
    service.set(faults({ shop: 'a.myshopify.com', errorBurst: 2 }));
    expect(service.draw('a.myshopify.com')).toEqual({ kind: 'error', status: 503, latencyMs: 0 });
    expect(service.draw('b.myshopify.com')).toEqual({ kind: 'none', latencyMs: 0 });
    expect(service.draw('a.myshopify.com').kind).toBe('error');
    expect(service.draw('a.myshopify.com').kind).toBe('none');
  });

  it('lets a shop’s own faults win over the ones for every shop, and clears both', () => {
    const service = new AdminFaultsService();
    service.set(faults({ latencyMs: 50, dropRate: 1 }));
    service.set(faults({ shop: 'calm.myshopify.com', latencyMs: 5 }));
    expect(service.draw('any.myshopify.com')).toEqual({ kind: 'drop', latencyMs: 50 });
    expect(service.draw('calm.myshopify.com')).toEqual({ kind: 'none', latencyMs: 5 });
    service.clear();
    expect(service.draw('any.myshopify.com')).toEqual({ kind: 'none', latencyMs: 0 });
  });

  it('draws rates from a seeded generator: the same run fails the same way', () => {
    const run = () => {
      const service = new AdminFaultsService();
      service.set(faults({ errorRate: 0.3, errorStatus: 500 }));
      return Array.from({ length: 200 }, () => service.draw('x.myshopify.com').kind);
    };
    const first = run();
    expect(run()).toEqual(first);
    const errors = first.filter((kind) => kind === 'error').length;
    expect(errors).toBeGreaterThan(30);
    expect(errors).toBeLessThan(90);
  });

  it('rejects what the contract does not allow', () => {
    expect(() => faults({ errorStatus: 504 })).toThrow();
    expect(() => faults({ dropRate: 2 })).toThrow();
    expect(() => faults({ surprise: true })).toThrow();
  });
});
