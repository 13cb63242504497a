import { createHmac } from 'node:crypto';
import { signCallback, verifyCallback } from './callback-signature';
import type { JobRecord } from './job';
import { callbackBody, toJobView } from './job-view';
import { jobsSettings } from './jobs-config';

const SECRET = 'a-callback-secret-of-32-characters!!';

describe('callback signature', () => {
  it('is base64 HMAC-SHA256 of the exact bytes and verifies only those bytes', () => {
    const body = Buffer.from('{"event":"job.finished","job":{"id":"x"}}');
    const signature = signCallback(body, SECRET);
    expect(signature).toBe(createHmac('sha256', SECRET).update(body).digest('base64'));
    expect(verifyCallback(body, signature, SECRET)).toBe(true);
    expect(
      verifyCallback(Buffer.from('{"event":"job.finished","job":{"id":"y"}}'), signature, SECRET),
    ).toBe(false);
    expect(verifyCallback(body, signature, `${SECRET}x`)).toBe(false);
    expect(verifyCallback(body, undefined, SECRET)).toBe(false);
    expect(verifyCallback(body, 'short', SECRET)).toBe(false);
  });
});

const job: JobRecord = {
  id: '5b0c2f8e-3a51-4d7e-9a40-0d6f1c2b3a4e',
  type: 'sales-report',
  params: { shop: 'a.myshopify.com' },
  status: 'succeeded',
  processed: 30,
  total: 30,
  checkpoint: { next: '2026-12-01' },
  outputSeq: 3,
  attempts: 1,
  maxAttempts: 5,
  leaseOwner: null,
  leaseExpiresAt: null,
  cancelRequestedAt: null,
  error: null,
  result: { contentType: 'text/csv', filename: 'r.csv', size: 10, summary: { rows: 2 } },
  submittedBy: 'it',
  createdAt: new Date('2026-11-27T10:00:00Z'),
  startedAt: new Date('2026-11-27T10:00:01Z'),
  updatedAt: new Date('2026-11-27T10:00:05Z'),
  finishedAt: new Date('2026-11-27T10:00:05Z'),
  callbackUrl: 'https://h.example/cb',
  callbackStatus: 'pending',
  callbackAttempts: 0,
  callbackNextAt: new Date('2026-11-27T10:00:05Z'),
  callbackLastError: null,
  callbackDeliveredAt: null,
  idempotencyKey: null,
};

describe('job view', () => {
  it('shows progress, the result link and the callback, never the lease or checkpoint', () => {
    const view = toJobView(job);
    expect(view.result).toEqual({
      url: `/jobs/${job.id}/result`,
      content_type: 'text/csv',
      filename: 'r.csv',
      size: 10,
      summary: { rows: 2 },
    });
    expect(view.progress).toEqual({ processed: 30, total: 30 });
    expect(JSON.stringify(view)).not.toMatch(/lease|checkpoint/);
    expect(toJobView({ ...job, status: 'running' }).result).toBeNull();
  });

  it('callback body is the job view without the callback state', () => {
    const body = JSON.parse(callbackBody(job).toString()) as {
      event: string;
      job: Record<string, unknown>;
    };
    expect(body.event).toBe('job.finished');
    expect(body.job.id).toBe(job.id);
    expect(body.job).not.toHaveProperty('callback');
  });
});

describe('jobsSettings', () => {
  it('has defaults and refuses a tick that is not well inside the lease', () => {
    expect(jobsSettings({})).toMatchObject({
      concurrency: 2,
      leaseMs: 15_000,
      callbackSecret: null,
    });
    expect(() => jobsSettings({ JOBS_LEASE_MS: 1000, JOBS_TICK_MS: 600 })).toThrow(/JOBS_TICK_MS/);
    expect(() => jobsSettings({ JOBS_CALLBACK_SECRET: 'short' })).toThrow();
  });
});
