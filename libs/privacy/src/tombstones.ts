import { createHmac } from 'node:crypto';
import { assertIdentifier } from '@shopwire/database';

/** Who a customers/redact (or a later message) is about: a customer id, an email, or both. */
export interface CustomerIdentity {
  customerId: string | null;
  email: string | null;
}

export type TombstoneKind = 'customer_id' | 'email';

/** The smallest surface of a TypeORM EntityManager / DataSource these helpers need. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** `  Jon@Example.COM ` → `jon@example.com`; empty or missing → null. */
export function normalizeEmail(email: string | null | undefined): string | null {
  if (typeof email !== 'string') return null;
  const trimmed = email.trim().toLowerCase();
  return trimmed.length > 0 ? trimmed : null;
}

function normalizeCustomerId(id: string | null | undefined): string | null {
  if (typeof id !== 'string') return null;
  const digits = id.trim().replace(/^gid:\/\/shopify\/Customer\//, '');
  return /^\d{1,20}$/.test(digits) ? digits.replace(/^0+(?=\d)/, '') : null;
}

/**
 * Keyed hashes of a redacted customer's identifiers. HMAC-SHA256 under a per-deployment secret
 * (`PRIVACY_TOMBSTONE_KEYS`), over kind, shop and value: without the key a stored hash cannot be
 * confirmed by hashing a guessed email, and one person's hashes differ from shop to shop, so
 * tombstones cannot link a customer across shops. Several keys: the first records, all are
 * checked, so a rotated-out key keeps its tombstones working while it stays listed.
 */
export class TombstoneHasher {
  private readonly keys: readonly string[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('at least one tombstone key is required');
    this.keys = keys;
  }

  /** The hashes to record for a redact, under the newest key. */
  hashes(shopDomain: string, identity: CustomerIdentity): { kind: TombstoneKind; hash: string }[] {
    return subjects(identity).map(({ kind, value }) => ({
      kind,
      hash: hmac(this.keys[0], kind, shopDomain, value),
    }));
  }

  /** Every hash under every key that would mark one of these identities as redacted. */
  candidates(shopDomain: string, identities: readonly CustomerIdentity[]): string[] {
    const out = new Set<string>();
    for (const identity of identities) {
      for (const { kind, value } of subjects(identity)) {
        for (const key of this.keys) out.add(hmac(key, kind, shopDomain, value));
      }
    }
    return [...out];
  }
}

function subjects(identity: CustomerIdentity): { kind: TombstoneKind; value: string }[] {
  const out: { kind: TombstoneKind; value: string }[] = [];
  const id = normalizeCustomerId(identity.customerId);
  if (id !== null) out.push({ kind: 'customer_id', value: id });
  const email = normalizeEmail(identity.email);
  if (email !== null) out.push({ kind: 'email', value: email });
  return out;
}

function hmac(key: string, kind: TombstoneKind, shopDomain: string, value: string): string {
  // NUL separators: no shop/value pair can be read as another.
  return createHmac('sha256', key)
    .update(`${kind}\u0000${shopDomain.toLowerCase()}\u0000${value}`)
    .digest('hex');
}

/** DDL for `<schema>.redaction_tombstones`, for each service's migration. */
export function tombstoneTableSql(schema: string): { up: string[]; down: string[] } {
  const s = assertIdentifier(schema);
  return {
    up: [
      `CREATE TABLE "${s}".redaction_tombstones (
         shop_domain text NOT NULL,
         subject_hash text NOT NULL,
         kind text NOT NULL CHECK (kind IN ('customer_id', 'email')),
         webhook_id text NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (shop_domain, subject_hash)
       )`,
    ],
    down: [`DROP TABLE IF EXISTS "${s}".redaction_tombstones`],
  };
}

/**
 * A service's redaction tombstones: recorded in the transaction that applies a customers/redact,
 * read in the transaction that applies any later message naming a customer, so a retried,
 * replayed or backfilled message stores no personal data and sends nothing.
 */
export class RedactionTombstones {
  private readonly table: string;

  constructor(
    schema: string,
    private readonly hasher: TombstoneHasher,
  ) {
    this.table = `"${assertIdentifier(schema)}".redaction_tombstones`;
  }

  /** Records the customer's tombstones; returns how many identifiers were recorded (0–2). */
  async record(
    db: Queryable,
    shopDomain: string,
    identity: CustomerIdentity,
    webhookId: string,
  ): Promise<number> {
    const hashes = this.hasher.hashes(shopDomain, identity);
    if (hashes.length === 0) return 0;
    await db.query(
      `INSERT INTO ${this.table} (shop_domain, subject_hash, kind, webhook_id)
       SELECT $1, h.hash, h.kind, $4 FROM unnest($2::text[], $3::text[]) AS h(hash, kind)
       ON CONFLICT (shop_domain, subject_hash) DO NOTHING`,
      [shopDomain, hashes.map((h) => h.hash), hashes.map((h) => h.kind), webhookId],
    );
    return hashes.length;
  }

  /** Whether any of the identities (e.g. an order's email and its customer) was redacted. */
  async isRedacted(
    db: Queryable,
    shopDomain: string,
    identities: readonly CustomerIdentity[],
  ): Promise<boolean> {
    const candidates = this.hasher.candidates(shopDomain, identities);
    if (candidates.length === 0) return false;
    const rows = (await db.query(
      `SELECT 1 FROM ${this.table} WHERE shop_domain = $1 AND subject_hash = ANY($2::text[]) LIMIT 1`,
      [shopDomain, candidates],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * `isRedacted` for many messages in one statement: for each entry, whether any of its
   * identities was redacted in its shop.
   */
  async redactedAmong(
    db: Queryable,
    entries: readonly { shopDomain: string; identities: readonly CustomerIdentity[] }[],
  ): Promise<boolean[]> {
    const candidates = entries.map((e) => this.hasher.candidates(e.shopDomain, e.identities));
    const shops: string[] = [];
    const hashes: string[] = [];
    candidates.forEach((list, index) => {
      for (const hash of list) {
        shops.push(entries[index].shopDomain);
        hashes.push(hash);
      }
    });
    if (hashes.length === 0) return entries.map(() => false);
    const rows = (await db.query(
      `SELECT DISTINCT t.shop_domain, t.subject_hash FROM ${this.table} t
       JOIN unnest($1::text[], $2::text[]) AS c(shop_domain, subject_hash)
         ON t.shop_domain = c.shop_domain AND t.subject_hash = c.subject_hash`,
      [shops, hashes],
    )) as { shop_domain: string; subject_hash: string }[];
    const found = new Set(rows.map((r) => `${r.shop_domain}\u0000${r.subject_hash}`));
    return candidates.map((list, index) =>
      list.some((hash) => found.has(`${entries[index].shopDomain}\u0000${hash}`)),
    );
  }
}
