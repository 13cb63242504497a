import { z } from '@shopwire/config';
import type { JobHandler } from './job';
import { CallbackDestinationGuard } from './callback-destination';
import { checkCallbackDestination, validateSubmission } from './submission';

const handler: JobHandler<{ shop: string; days: number }> = {
  type: 'report',
  params: z
    .object({ shop: z.string().min(1), days: z.number().int().positive().default(7) })
    .strict(),
  run: () => Promise.resolve({ contentType: 'text/plain' }),
};
const handlers = new Map<string, JobHandler<unknown, unknown>>([
  ['report', handler as JobHandler<unknown, unknown>],
]);

describe('validateSubmission', () => {
  it('accepts a known type with valid params, applying the type defaults', () => {
    expect(validateSubmission({ type: 'report', params: { shop: 'a' } }, handlers, false)).toEqual({
      ok: true,
      type: 'report',
      params: { shop: 'a', days: 7 },
      callbackUrl: null,
    });
  });

  it('refuses an unknown type, naming the known ones', () => {
    const result = validateSubmission({ type: 'nope' }, handlers, true);
    expect(result).toEqual({
      ok: false,
      errors: [expect.stringMatching(/unknown job type.*report/)],
    });
  });

  it('names every bad param and a bad callback URL together', () => {
    const result = validateSubmission(
      { type: 'report', params: { shop: '', days: -1 }, callbackUrl: 'ftp://x' },
      handlers,
      true,
    );
    expect(result.ok).toBe(false);
    const errors = (result as { errors: string[] }).errors;
    expect(errors.some((e) => e.startsWith('params.shop'))).toBe(true);
    expect(errors.some((e) => e.startsWith('params.days'))).toBe(true);
    expect(errors.some((e) => e.startsWith('callbackUrl'))).toBe(true);
  });

  it('takes callback_url as a spelling of callbackUrl, and needs callbacks configured', () => {
    const body = { type: 'report', params: { shop: 'a' }, callback_url: 'https://h.example/cb' };
    expect(validateSubmission(body, handlers, true)).toMatchObject({
      ok: true,
      callbackUrl: 'https://h.example/cb',
    });
    expect(validateSubmission(body, handlers, false)).toEqual({
      ok: false,
      errors: [expect.stringMatching(/not configured/)],
    });
  });

  it('refuses credentials in the callback URL, unknown fields and a missing type', () => {
    expect(
      validateSubmission(
        { type: 'report', params: { shop: 'a' }, callbackUrl: 'https://u:p@h/cb' },
        handlers,
        true,
      ).ok,
    ).toBe(false);
    expect(validateSubmission({ type: 'report', extra: 1 }, handlers, true).ok).toBe(false);
    expect(validateSubmission({}, handlers, true).ok).toBe(false);
    expect(validateSubmission(null, handlers, true).ok).toBe(false);
  });
});

describe('checkCallbackDestination (at submission)', () => {
  const guard = new CallbackDestinationGuard(
    { httpsOnly: true, allowLoopback: false, allowedHosts: null },
    async (host) =>
      host === 'hooks.example.com'
        ? [{ address: '151.101.1.69', family: 4 }]
        : [{ address: '10.0.0.8', family: 4 }],
  );

  it('accepts no callback and a public https receiver', async () => {
    expect(await checkCallbackDestination(guard, null)).toBeNull();
    expect(await checkCallbackDestination(guard, 'https://hooks.example.com/cb')).toBeNull();
  });

  it('answers an internal destination or plain http (production) with the reason for a 400', async () => {
    expect(await checkCallbackDestination(guard, 'https://internal.example.com/cb')).toBe(
      'callbackUrl: callbackUrl host internal.example.com resolves to a private address (10.0.0.8)',
    );
    expect(await checkCallbackDestination(guard, 'https://169.254.169.254/')).toMatch(/metadata/);
    expect(await checkCallbackDestination(guard, 'http://hooks.example.com/cb')).toMatch(/https/);
  });
});
