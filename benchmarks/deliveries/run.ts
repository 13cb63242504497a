// npm run bench:deliveries — the delivery journal (docs/adr/0011) at a large shop's size.
//
//   1. A throwaway schema with an inbox and the journal as the migrations create it, filled with
//      BENCH_ROWS deliveries of one shop (default 1,000,000; ~3 per order, over 14 days) and
//      BENCH_OTHER_ROWS of BENCH_OTHER_SHOPS other shops; 0.5 % stale, 0.05 % retrying, 0.05 %
//      dead-lettered, 1 % with duplicates. Then ANALYZE.
//   2. EXPLAIN (ANALYZE, BUFFERS) of the exact statement `GET /deliveries` runs
//      (`deliveriesQuery`) for each filter the console uses, first page and a page deep in the
//      shop's history: the index used, rows read, buffers and execution time.
//   3. The write side: BENCH_CHUNKS chunks of BENCH_CHUNK claims through `claimInboxBatch`,
//      alternately without the journal (the claim as it was) and with it (the same statement
//      writing the journal rows): time per chunk, so the journal's share of a claim is measured.
//
// Needs Postgres (`npm run infra -- up`); DATABASE_URL picks the database. The schema is dropped
// at the end.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DeliveryRecord } from '@shopwire/contracts';
import {
  claimInboxBatch,
  createSchemaDataSource,
  deliveryJournalTableSql,
  withDeliveryRecords,
  withTransaction,
} from '@shopwire/database';
import { deliveriesQuery, type DeliveryFilter } from '@shopwire/deliveries';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const OTHER_ROWS = Number(process.env.BENCH_OTHER_ROWS ?? 200_000);
const OTHER_SHOPS = Number(process.env.BENCH_OTHER_SHOPS ?? 50);
const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 200);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 100);
const RUN = randomUUID().slice(0, 8);
const SCHEMA = `bench_deliveries_${RUN}`;
const SHOP = 'big-shop.myshopify.com';
const BATCH = 100_000;

const dataSource = createSchemaDataSource({ url: DATABASE_URL, schema: SCHEMA, poolSize: 2 });

/** Rows `from`..`to` of one shop (or of the other shops, spread by row number). */
async function fill(from: number, to: number, shop: string | null): Promise<void> {
  await dataSource.query(
    `INSERT INTO "${SCHEMA}".delivery_journal (consumer_group, kafka_topic, event_id,
       kafka_partition, kafka_offset, accepted_at, processed_at, webhook_id, shop, topic,
       resource_id, outcome, attempts, error, trace_id, duplicate_count, last_duplicate_at)
     SELECT 'order', 'shopify.orders.v1', 'wh-' || $3 || '-' || n, n % 12, n,
            t - interval '40 milliseconds', t, 'wh-' || $3 || '-' || n,
            COALESCE($4, 'shop-' || (n % $5) || '.myshopify.com'),
            (ARRAY['orders/create', 'orders/updated', 'orders/paid'])[1 + n % 3],
            (5000000000000000000 + n / 3)::text,
            CASE WHEN n % 2000 = 7 THEN 'dead-lettered' WHEN n % 2000 = 9 THEN 'retrying'
                 WHEN n % 200 = 3 THEN 'stale' ELSE 'applied' END,
            CASE WHEN n % 2000 IN (7, 9) THEN 5 ELSE 1 END,
            CASE WHEN n % 2000 IN (7, 9) THEN 'QueryFailedError' END,
            md5(n::text),
            CASE WHEN n % 100 = 5 THEN 1 ELSE 0 END,
            CASE WHEN n % 100 = 5 THEN t END
       FROM generate_series($1::int, $2::int) AS n,
            LATERAL (SELECT timestamptz '2026-11-20 00:00:00Z'
                            + (n::float8 / $6) * interval '14 days' AS t) AS at`,
    [from, to, shop === null ? 'o' : 'b', shop, OTHER_SHOPS, shop === null ? OTHER_ROWS : ROWS],
  );
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

function indexesOf(node: PlanNode): string[] {
  const own = node['Index Name'] ? [`${node['Node Type']} ${node['Index Name']}`] : [];
  const scans = node['Node Type'] === 'Seq Scan' ? ['Seq Scan'] : [];
  return [...own, ...scans, ...(node.Plans ?? []).flatMap(indexesOf)];
}

async function explain(name: string, filter: DeliveryFilter, deep = false): Promise<void> {
  let after = null;
  if (deep) {
    // A cursor 90 % of the way into the shop's history, as a page reached by paging would hold.
    const [row] = (await dataSource.query(
      `SELECT id::text AS id,
              to_char(processed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
         FROM "${SCHEMA}".delivery_journal WHERE shop = $1
        ORDER BY processed_at DESC, id DESC OFFSET $2 LIMIT 1`,
      [filter.shop, Math.floor(ROWS * 0.9)],
    )) as { id: string; at: string }[];
    after = { processedAt: row.at, id: row.id };
  }
  const { sql, params } = deliveriesQuery(SCHEMA, filter, 51, after);
  const [
    {
      'QUERY PLAN': [plan],
    },
  ] = (await dataSource.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params)) as [
    { 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] },
  ];
  console.log(
    [
      name.padEnd(44),
      `${plan['Execution Time'].toFixed(2).padStart(8)} ms`,
      `rows ${String(plan.Plan['Actual Rows']).padStart(3)}`,
      `buffers ${plan.Plan['Shared Hit Blocks']} hit / ${plan.Plan['Shared Read Blocks']} read`,
      indexesOf(plan.Plan).join(', '),
    ].join('  '),
  );
}

function record(n: number): DeliveryRecord {
  return {
    eventId: `claim-${RUN}-${n}`,
    webhookId: `claim-${RUN}-${n}`,
    shop: SHOP,
    topic: 'orders/updated',
    resourceId: String(6000000000000000000n + BigInt(n)),
    group: 'order',
    kafka: { topic: 'shopify.orders.v1', partition: n % 12, offset: String(n) },
    acceptedAt: new Date(),
    attempts: 1,
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  };
}

async function claims(): Promise<void> {
  const timings = { plain: [] as number[], journaled: [] as number[] };
  let n = 0;
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    for (const kind of chunk % 2 === 0
      ? (['plain', 'journaled'] as const)
      : (['journaled', 'plain'] as const)) {
      const records = Array.from({ length: CHUNK }, () => record(n++));
      const batch = records.map((r) => ({ consumer: 'order.shopify-orders', eventId: r.eventId }));
      const started = performance.now();
      await withTransaction(dataSource, (manager) =>
        kind === 'plain'
          ? claimInboxBatch(manager, batch)
          : withDeliveryRecords(records, () => claimInboxBatch(manager, batch)),
      );
      timings[kind].push(performance.now() - started);
    }
  }
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const kind of ['plain', 'journaled'] as const) {
    const ms = median(timings[kind]);
    console.log(
      `claim, ${kind.padEnd(9)}  ${CHUNKS} chunks of ${CHUNK}: median ${ms.toFixed(2)} ms a chunk ` +
        `(${((ms * 1000) / CHUNK).toFixed(1)} µs a message, transaction and commit included)`,
    );
  }
}

async function main(): Promise<void> {
  await dataSource.initialize();
  try {
    await dataSource.query(`CREATE SCHEMA "${SCHEMA}"`);
    await dataSource.query(
      `CREATE TABLE "${SCHEMA}".inbox (consumer text, event_id text, processed_at timestamptz,
         PRIMARY KEY (consumer, event_id))`,
    );
    for (const sql of deliveryJournalTableSql(SCHEMA).up) await dataSource.query(sql);
    const filling = performance.now();
    for (let from = 1; from <= ROWS; from += BATCH) {
      await fill(from, Math.min(ROWS, from + BATCH - 1), SHOP);
    }
    for (let from = 1; from <= OTHER_ROWS; from += BATCH) {
      await fill(from, Math.min(OTHER_ROWS, from + BATCH - 1), null);
    }
    await dataSource.query(`ANALYZE "${SCHEMA}".delivery_journal`);
    const [{ size }] = (await dataSource.query(
      `SELECT pg_size_pretty(pg_total_relation_size($1)) AS size`,
      [`"${SCHEMA}".delivery_journal`],
    )) as [{ size: string }];
    console.log(
      `${ROWS + OTHER_ROWS} journal rows (${ROWS} of ${SHOP}) in ${((performance.now() - filling) / 1000).toFixed(0)} s, ` +
        `table and indexes ${size}; Postgres ${(await dataSource.query('SHOW server_version'))[0].server_version}`,
    );
    const day = (d: number) => new Date(Date.UTC(2026, 10, 20 + d));
    await explain('shop, first page', { shop: SHOP });
    await explain('shop, a page 900,000 rows deep', { shop: SHOP }, true);
    await explain('every shop, first page', {});
    await explain('shop + webhookId', { shop: SHOP, webhookId: 'wh-b-777777' });
    await explain('shop + resourceId (an order)', {
      shop: SHOP,
      resourceId: '5000000000000259259',
    });
    await explain('shop + outcome dead-lettered', { shop: SHOP, outcome: 'dead-lettered' });
    await explain('shop + outcome duplicate', { shop: SHOP, outcome: 'duplicate' });
    await explain('shop + topic orders/paid', { shop: SHOP, topic: 'orders/paid' });
    await explain('shop + one hour (from, to)', {
      shop: SHOP,
      from: new Date(day(7).getTime() + 3_600_000 * 5),
      to: new Date(day(7).getTime() + 3_600_000 * 6),
    });
    await explain('shop + outcome applied, a page deep', { shop: SHOP, outcome: 'applied' }, true);
    await claims();
  } finally {
    await dataSource.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
