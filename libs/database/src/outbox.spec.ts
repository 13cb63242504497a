import { groupByTopic } from './outbox-publisher';
import { outboxChannel, outboxTableSql } from './outbox';
import { relayBackoff, relayLockName } from './outbox-relay';

describe('outboxTableSql', () => {
  it('creates the table and its unsent index in the given schema, and drops it', () => {
    const { up, down } = outboxTableSql('inventory');
    expect(up[0]).toMatch(/CREATE TABLE "inventory"\.outbox/);
    for (const column of [
      'id bigserial',
      'topic text',
      'key text',
      'value bytea',
      'headers jsonb',
    ]) {
      expect(up[0]).toContain(column);
    }
    expect(up[0]).toMatch(/sent_at timestamptz,/);
    expect(up.some((sql) => /WHERE sent_at IS NULL/.test(sql))).toBe(true);
    expect(down).toEqual(['DROP TABLE IF EXISTS "inventory".outbox']);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => outboxTableSql('x"; drop schema orders; --')).toThrow(/identifier/);
    expect(() => outboxChannel('Orders')).toThrow(/identifier/);
  });
});

describe('relayBackoff', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    expect(relayBackoff(1, 100, 10_000, () => 0.999)).toBe(99);
    expect(relayBackoff(4, 100, 10_000, () => 0.5)).toBe(400);
    expect(relayBackoff(30, 100, 10_000, () => 0.999)).toBe(9990);
    expect(relayBackoff(5, 100, 10_000, () => 0)).toBe(0);
  });
});

describe('groupByTopic', () => {
  const m = (topic: string, key: string, n: number) => ({
    topic,
    key,
    value: Buffer.from(String(n)),
    headers: { n: String(n) },
  });

  it('keeps the order of messages within each topic', () => {
    const grouped = groupByTopic([
      m('a', 'k1', 1),
      m('b', 'k1', 2),
      m('a', 'k2', 3),
      m('a', 'k1', 4),
    ]);
    expect(grouped.map((t) => t.topic)).toEqual(['a', 'b']);
    expect(grouped[0].messages.map((x) => String(x.value))).toEqual(['1', '3', '4']);
    expect(grouped[1].messages).toEqual([
      { key: 'k1', value: Buffer.from('2'), headers: { n: '2' } },
    ]);
  });
});

describe('relayLockName', () => {
  it('is one lock per schema', () => {
    expect(relayLockName('orders')).not.toBe(relayLockName('inventory'));
  });
});
