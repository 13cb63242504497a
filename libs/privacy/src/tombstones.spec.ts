import {
  normalizeEmail,
  RedactionTombstones,
  TombstoneHasher,
  tombstoneTableSql,
} from './tombstones';
import { privacyEnv } from './env';
import { z } from '@shopwire/config';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);
const SHOP = 'erasure.myshopify.com';

describe('TombstoneHasher', () => {
  it('hashes id and normalized email per shop, under the newest key', () => {
    const hasher = new TombstoneHasher([KEY_A, KEY_B]);
    const hashes = hasher.hashes(SHOP, {
      customerId: '820982911946154508',
      email: ' Jon@Example.COM ',
    });
    expect(hashes.map((h) => h.kind)).toEqual(['customer_id', 'email']);
    expect(hashes[1].hash).toBe(
      hasher.hashes(SHOP, { customerId: null, email: 'jon@example.com' })[0].hash,
    );
    expect(hashes[0].hash).toMatch(/^[0-9a-f]{64}$/);
    // never the value itself
    expect(JSON.stringify(hashes)).not.toContain('jon');
  });

  it('differs by shop and by key, so tombstones neither link shops nor confirm a guess', () => {
    const a = new TombstoneHasher([KEY_A]);
    const b = new TombstoneHasher([KEY_B]);
    const id = { customerId: '1', email: null };
    expect(a.hashes(SHOP, id)[0].hash).not.toBe(a.hashes('other.myshopify.com', id)[0].hash);
    expect(a.hashes(SHOP, id)[0].hash).not.toBe(b.hashes(SHOP, id)[0].hash);
  });

  it('checks every listed key, so a rotated-out key still matches', () => {
    const old = new TombstoneHasher([KEY_B]).hashes(SHOP, { customerId: '7', email: null })[0].hash;
    expect(
      new TombstoneHasher([KEY_A, KEY_B]).candidates(SHOP, [{ customerId: '7', email: null }]),
    ).toContain(old);
  });

  it('ignores what is not an identifier', () => {
    const hasher = new TombstoneHasher([KEY_A]);
    expect(hasher.hashes(SHOP, { customerId: null, email: '  ' })).toEqual([]);
    expect(hasher.hashes(SHOP, { customerId: 'x1', email: null })).toEqual([]);
    expect(hasher.candidates(SHOP, [])).toEqual([]);
    expect(normalizeEmail(undefined)).toBeNull();
  });
});

describe('RedactionTombstones', () => {
  it('records and finds through parameterised SQL only', async () => {
    const calls: { sql: string; params: unknown[] }[] = [];
    const stored = new Set<string>();
    const db = {
      query: (sql: string, params: unknown[] = []) => {
        calls.push({ sql, params });
        if (sql.startsWith('INSERT')) for (const h of params[1] as string[]) stored.add(h);
        return Promise.resolve(
          sql.startsWith('SELECT') && (params[1] as string[]).some((h) => stored.has(h))
            ? [{}]
            : [],
        );
      },
    };
    const tombstones = new RedactionTombstones('orders', new TombstoneHasher([KEY_A]));
    expect(
      await tombstones.isRedacted(db, SHOP, [{ customerId: null, email: 'jon@example.com' }]),
    ).toBe(false);
    expect(
      await tombstones.record(db, SHOP, { customerId: null, email: 'Jon@example.com' }, 'w1'),
    ).toBe(1);
    expect(
      await tombstones.isRedacted(db, SHOP, [{ customerId: '5', email: 'JON@example.com' }]),
    ).toBe(true);
    expect(calls.every((c) => !c.sql.includes('jon'))).toBe(true);
  });

  it('refuses a schema that is not an identifier', () => {
    expect(() => tombstoneTableSql('x"; drop')).toThrow(/identifier/);
    expect(tombstoneTableSql('sync').up[0]).toMatch(/CREATE TABLE "sync"\.redaction_tombstones/);
  });
});

describe('privacyEnv', () => {
  const schema = z.object(privacyEnv);
  it('splits keys, newest first, and refuses short ones', () => {
    expect(
      schema.parse({ PRIVACY_TOMBSTONE_KEYS: `${KEY_A}, ${KEY_B}` }).PRIVACY_TOMBSTONE_KEYS,
    ).toEqual([KEY_A, KEY_B]);
    expect(schema.safeParse({ PRIVACY_TOMBSTONE_KEYS: 'short' }).success).toBe(false);
    expect(schema.parse({}).PRIVACY_TOMBSTONE_KEYS).toHaveLength(1);
  });
});
