import { booleanFlag, positiveInt, z } from '@shopwire/config';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { schemaOf } from './data-source';
import { hasDeliveryJournal } from './delivery-journal';

const HOUR_MS = 3_600_000;

/**
 * How long Shopify may deliver a webhook again: 48 h (its retry schedule was 19 tries over 48 h
 * until 2024-09, 8 over 4 h since, and a delivery can arrive up to a day late — the old window is
 * the safe bound). An inbox row younger than this plus the margin still stops a duplicate.
 */
export const SHOPIFY_REDELIVERY_WINDOW_MS = 48 * HOUR_MS;
export const INBOX_RETENTION_MARGIN_MS = 24 * HOUR_MS;
/** No configuration can make the pruner delete a row younger than this. */
export const MIN_INBOX_RETENTION_MS = SHOPIFY_REDELIVERY_WINDOW_MS + INBOX_RETENTION_MARGIN_MS;

/** Every service reads the same variables (the pruner runs in `ServiceCoreModule`). */
export const inboxPruningEnv = {
  INBOX_PRUNE_ENABLED: booleanFlag(true),
  /**
   * Inbox rows older than this are deleted. At least 72 h (Shopify's 48 h window plus a day);
   * keep it above the raw topics' Kafka retention too, so a consumer re-reading a topic from its
   * start still finds its rows (default 14 days; Kafka's default is 7).
   */
  INBOX_RETENTION_HOURS: positiveInt(14 * 24),
  /** Rows per DELETE: short statements, short locks. */
  INBOX_PRUNE_BATCH_SIZE: positiveInt(5000),
  /** Batches per run at most; the rest waits for the next run. */
  INBOX_PRUNE_MAX_BATCHES: positiveInt(200),
  INBOX_PRUNE_INTERVAL_MS: positiveInt(HOUR_MS),
};

export interface InboxPruningSettings {
  enabled: boolean;
  retentionMs: number;
  batchSize: number;
  maxBatches: number;
  intervalMs: number;
}

/** A retention inside Shopify's redelivery window (plus margin): refused, never clamped. */
export class InboxRetentionTooShortError extends Error {
  override readonly name = 'InboxRetentionTooShortError';
  constructor(retentionMs: number) {
    super(
      `INBOX_RETENTION_HOURS ${retentionMs / HOUR_MS} h is inside Shopify's redelivery window: ` +
        `inbox rows must be kept at least ${MIN_INBOX_RETENTION_MS / HOUR_MS} h (48 h + 24 h margin), ` +
        'or a late duplicate webhook would be applied twice',
    );
  }
}

function assertRetention(retentionMs: number): void {
  if (!Number.isFinite(retentionMs) || retentionMs < MIN_INBOX_RETENTION_MS) {
    throw new InboxRetentionTooShortError(retentionMs);
  }
}

export function inboxPruningSettings(
  env: Record<string, string | number | boolean | undefined> = process.env,
): InboxPruningSettings {
  const parsed = z.object(inboxPruningEnv).safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid inbox pruning settings: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  const retentionMs = parsed.data.INBOX_RETENTION_HOURS * HOUR_MS;
  assertRetention(retentionMs);
  return {
    enabled: parsed.data.INBOX_PRUNE_ENABLED,
    retentionMs,
    batchSize: parsed.data.INBOX_PRUNE_BATCH_SIZE,
    maxBatches: parsed.data.INBOX_PRUNE_MAX_BATCHES,
    intervalMs: parsed.data.INBOX_PRUNE_INTERVAL_MS,
  };
}

export interface PruneResult {
  /** Inbox rows deleted. */
  deleted: number;
  batches: number;
  /** Delivery journal rows deleted, when the schema has a journal. */
  journalDeleted?: number;
}

/**
 * Deletes inbox rows older than `retentionMs` from the data source's schema, `batchSize` rows
 * per statement (each its own short transaction, rows another pruner holds skipped), until a
 * batch comes back short or `maxBatches` ran. The floor is enforced twice: a retention inside the
 * window is refused before any SQL, and the statement itself never deletes a row younger than
 * `MIN_INBOX_RETENTION_MS`, whatever it was asked. Then the same for the schema's delivery
 * journal (docs/adr/0011), when it has one, under the same retention.
 */
export async function pruneInbox(
  dataSource: DataSource,
  options: { retentionMs: number; batchSize: number; maxBatches: number },
): Promise<PruneResult> {
  assertRetention(options.retentionMs);
  const schema = schemaOf(dataSource);
  const inbox = await pruneBatches(dataSource, options, (limit) =>
    // (a SELECT around the DELETE: TypeORM answers a bare DELETE with [rows, count])
    dataSource.query(
      `WITH doomed AS (
         SELECT consumer, event_id FROM "${schema}".inbox
          WHERE processed_at < now() - make_interval(secs => $1::float8 / 1000)
            AND processed_at < now() - make_interval(secs => $2::float8 / 1000)
          ORDER BY processed_at
          LIMIT $3
          FOR UPDATE SKIP LOCKED),
       gone AS (
         DELETE FROM "${schema}".inbox AS inbox USING doomed
          WHERE inbox.consumer = doomed.consumer AND inbox.event_id = doomed.event_id
         RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      [options.retentionMs, MIN_INBOX_RETENTION_MS, limit],
    ),
  );
  if (!(await hasDeliveryJournal(dataSource))) return inbox;
  // The journal keeps what the inbox keeps: a row outlives neither its claim nor the retention.
  const journal = await pruneBatches(dataSource, options, (limit) =>
    dataSource.query(
      `WITH doomed AS (
         SELECT consumer_group, kafka_topic, event_id FROM "${schema}".delivery_journal
          WHERE processed_at < now() - make_interval(secs => $1::float8 / 1000)
            AND processed_at < now() - make_interval(secs => $2::float8 / 1000)
          ORDER BY processed_at
          LIMIT $3
          FOR UPDATE SKIP LOCKED),
       gone AS (
         DELETE FROM "${schema}".delivery_journal AS j USING doomed
          WHERE j.consumer_group = doomed.consumer_group AND j.kafka_topic = doomed.kafka_topic
            AND j.event_id = doomed.event_id
         RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      [options.retentionMs, MIN_INBOX_RETENTION_MS, limit],
    ),
  );
  return { ...inbox, journalDeleted: journal.deleted };
}

/** Runs one pruning statement batch after batch, until one comes back short or the cap. */
async function pruneBatches(
  dataSource: DataSource,
  options: { batchSize: number; maxBatches: number },
  batch: (limit: number) => Promise<unknown>,
): Promise<PruneResult> {
  const result: PruneResult = { deleted: 0, batches: 0 };
  while (result.batches < options.maxBatches) {
    const [{ deleted }] = (await batch(options.batchSize)) as [{ deleted: number }];
    result.batches += 1;
    result.deleted += deleted;
    if (deleted < options.batchSize) break;
  }
  return result;
}

export interface InboxPrunerOptions {
  dataSource: DataSource;
  settings: InboxPruningSettings;
  logger: Logger;
  registry?: Registry;
  /** First run after this long (default: a random point in the first interval, so replicas spread). */
  firstRunInMs?: number;
}

/** Runs `pruneInbox` every interval; one failed run is logged and the next one tries again. */
export class InboxPruner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly pruned: Counter<'schema'>;

  constructor(private readonly options: InboxPrunerOptions) {
    const name = 'shopwire_inbox_pruned_total';
    this.pruned =
      (options.registry?.getSingleMetric(name) as Counter<'schema'> | undefined) ??
      new Counter({
        name,
        help: 'Inbox rows deleted after INBOX_RETENTION_HOURS',
        labelNames: ['schema'],
        registers: options.registry ? [options.registry] : [],
      });
  }

  start(): void {
    if (!this.options.settings.enabled || this.timer) return;
    const { intervalMs } = this.options.settings;
    const schedule = (delayMs: number) => {
      this.timer = setTimeout(() => {
        this.running = this.runOnce()
          .then(() => undefined)
          .catch((error: unknown) =>
            this.options.logger.warn(
              { err: { type: (error as Error)?.name, message: (error as Error)?.message } },
              'inbox pruning failed; next run will retry',
            ),
          )
          .finally(() => {
            this.running = null;
            if (this.timer) schedule(intervalMs);
          });
      }, delayMs);
      this.timer.unref();
    };
    schedule(this.options.firstRunInMs ?? Math.floor(Math.random() * intervalMs));
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  async runOnce(): Promise<PruneResult> {
    const { dataSource, settings, logger } = this.options;
    const result = await pruneInbox(dataSource, settings);
    const schema = schemaOf(dataSource);
    this.pruned.inc({ schema }, result.deleted);
    if (result.deleted > 0) logger.info({ schema, ...result }, 'inbox pruned');
    return result;
  }
}
