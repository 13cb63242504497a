import type { Admin } from 'kafkajs';
import { fetchTopicOffsetsSettled, isLeadershipSettling } from './topic-offsets';

// The error kafkajs (pinned 2.2.4) builds from a broker's error code, by its own table: 6 is
// NOT_LEADER_OR_FOLLOWER (kafkajs: NOT_LEADER_FOR_PARTITION), 5 LEADER_NOT_AVAILABLE,
// 29 TOPIC_AUTHORIZATION_FAILED.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode(code: number): Error & { type: string };
};
const brokerError = (code: number) => createErrorFromCode(code);

function adminFailing(errors: Error[]): { admin: Admin; calls: () => number } {
  let calls = 0;
  const admin = {
    fetchTopicOffsets: async () => {
      calls++;
      const error = errors.shift();
      if (error) throw error;
      return [{ partition: 0, offset: '7', high: '7', low: '0' }];
    },
  } as unknown as Admin;
  return { admin, calls: () => calls };
}

describe('fetchTopicOffsetsSettled', () => {
  it('knows the settling errors by their kafkajs type', () => {
    expect(brokerError(6).type).toBe('NOT_LEADER_FOR_PARTITION');
    expect(isLeadershipSettling(brokerError(6))).toBe(true);
    expect(isLeadershipSettling(brokerError(5))).toBe(true); // LEADER_NOT_AVAILABLE
    expect(isLeadershipSettling(brokerError(29))).toBe(false);
    expect(isLeadershipSettling(new Error('NOT_LEADER_FOR_PARTITION'))).toBe(false);
    expect(isLeadershipSettling(undefined)).toBe(false);
  });

  it('asks again while the new leader refuses, then returns its answer', async () => {
    const { admin, calls } = adminFailing([brokerError(6), brokerError(6)]);
    await expect(fetchTopicOffsetsSettled(admin, 't')).resolves.toEqual([
      { partition: 0, offset: '7', high: '7', low: '0' },
    ]);
    expect(calls()).toBe(3);
  });

  it("gives up with the broker's error once the settle time is over", async () => {
    const { admin, calls } = adminFailing(Array.from({ length: 50 }, () => brokerError(6)));
    await expect(fetchTopicOffsetsSettled(admin, 't', { settleMs: 300 })).rejects.toMatchObject({
      type: 'NOT_LEADER_FOR_PARTITION',
    });
    expect(calls()).toBeGreaterThan(1);
    expect(calls()).toBeLessThan(50);
  });

  it('throws any other error at once', async () => {
    const { admin, calls } = adminFailing([brokerError(29)]);
    await expect(fetchTopicOffsetsSettled(admin, 't')).rejects.toMatchObject({
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
    expect(calls()).toBe(1);
  });
});
