/** Anything that runs parameterised SQL: a TypeORM DataSource, EntityManager or QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Where a worker's due rows live and how a claim is written. Every string is SQL written by the
 * service (identifiers and predicates, never input); values go in as parameters. The candidate
 * row is aliased `c`, the updated row `t`.
 */
export interface LeasedTable {
  /** Schema-qualified table, e.g. `notification.notifications`. */
  table: string;
  /** Columns that identify a row. */
  key: readonly string[];
  /** When the row is next due. */
  dueColumn: string;
  /**
   * Where the lease is written. Default: the due column itself is pushed a lease ahead, so a
   * claimed row is simply not due until its claimant has marked it or died. A separate column
   * (null or expired = free) keeps the due time readable while a row is claimed.
   */
  leaseColumn?: string;
  /** What else makes a row due (over `c`); its parameters are `$3`, `$4`, … */
  where: string;
  /** Default: the due column, oldest first. */
  orderBy?: string;
  /** More assignments made by the claim, e.g. `updated_at = now()`. */
  set?: string;
  /** The claimed row as the worker needs it (over `t`). */
  returning: string;
}

/** The claim statement: `$1` the batch, `$2` the lease in ms, `$3…` the table's own. */
export function claimDueSql(spec: LeasedTable): string {
  const lease = spec.leaseColumn ?? spec.dueColumn;
  const free = lease === spec.dueColumn ? '' : ` AND (c.${lease} IS NULL OR c.${lease} < now())`;
  const sets = [`${lease} = now() + make_interval(secs => $2::float8 / 1000)`, spec.set]
    .filter(Boolean)
    .join(', ');
  return `WITH due AS (
      SELECT ${spec.key.map((k) => `c.${k}`).join(', ')} FROM ${spec.table} c
       WHERE c.${spec.dueColumn} <= now()${free} AND (${spec.where})
       ORDER BY ${spec.orderBy ?? `c.${spec.dueColumn}`} LIMIT $1
       FOR UPDATE SKIP LOCKED),
    u AS (
      UPDATE ${spec.table} t SET ${sets}
        FROM due WHERE ${spec.key.map((k) => `t.${k} = due.${k}`).join(' AND ')}
      RETURNING ${spec.returning})
    SELECT * FROM u`;
}

/**
 * Claims up to `limit` due rows for `leaseMs` in one statement that commits before anything is
 * delivered: SKIP LOCKED so replicas take different rows and never wait on each other, and no
 * transaction open during the delivery. A claimant that dies leaves its rows to fall due again
 * when the lease runs out — the hand-over, and why delivery is at least once.
 */
export async function claimDue<Row>(
  db: Queryable,
  spec: LeasedTable,
  limit: number,
  leaseMs: number,
  parameters: readonly unknown[] = [],
): Promise<Row[]> {
  return (await db.query(claimDueSql(spec), [limit, leaseMs, ...parameters])) as Row[];
}
