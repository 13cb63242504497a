import { Client } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { schemaOf } from './data-source';
import { outboxChannel } from './outbox';
import { OutboxMetrics } from './outbox-metrics';
import {
  clientConfig,
  dbQuery,
  errorText,
  RelayDatabaseError,
  RelayPublishError,
} from './outbox-relay-support';

/** Where the relay sends rows. Resolves only once Kafka acknowledged every message (acks=-1). */
export interface OutboxPublisher {
  publish(
    messages: { topic: string; key: string; value: Buffer; headers: Record<string, string> }[],
  ): Promise<void>;
}

export interface OutboxRelayOptions {
  /** The service's data source: gives the schema and the connection settings. */
  dataSource: DataSource;
  publisher: OutboxPublisher;
  logger: Logger;
  /** Wait between looks at the table after a cycle that published less than a batch. */
  pollIntervalMs?: number;
  /**
   * Longest wait while idle: after each cycle that found nothing the wait doubles, from
   * `pollIntervalMs` up to this (default 10 × `pollIntervalMs`). Only a backstop: every
   * `enqueueOutbox` NOTIFYs on commit, which wakes the relay at once whatever the wait.
   */
  idlePollMaxMs?: number;
  /** Most rows published (and marked sent) together. */
  batchSize?: number;
  registry?: Registry;
  /** Sent rows older than this are deleted. Default one day. */
  retentionMs?: number;
  cleanupIntervalMs?: number;
  /** How often a standby replica tries to become the relay. */
  standbyRetryMs?: number;
  /** Backoff after a failed cycle: full jitter in [0, min(cap, base·2^(n-1))]. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
}

export interface OutboxRelayStatus {
  running: boolean;
  /** Holds the schema's relay lock: the one process that publishes. */
  leader: boolean;
  /** Failed cycles since the last success (Kafka or Postgres unavailable). */
  consecutiveFailures: number;
  lastError: string | null;
  lastPublishedAt: string | null;
  /** Unsent rows at the leader's last count; null on a standby. */
  pending: number | null;
  /** Not failing repeatedly: for readiness. A standby is healthy. */
  healthy: boolean;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  created_at: Date;
}

/** Failed cycles in a row before readiness reports the relay as unhealthy. */
export const UNHEALTHY_AFTER_FAILURES = 3;

/** Exponential backoff with full jitter (see ConsumerRunner): spreads replicas that failed together. */
export function relayBackoff(
  failures: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.floor(random() * ceiling);
}

/** Where a 64-bit advisory lock key comes from: one lock per schema's outbox. */
export function relayLockName(schema: string): string {
  return `shopwire:outbox-relay:${schema}`;
}

/**
 * Publishes `<schema>.outbox` to Kafka: reads unsent rows in id order, publishes them as one
 * batch, and marks the whole batch sent in one UPDATE only after Kafka acknowledged it. A crash
 * between the ack and the UPDATE publishes the batch again (at least once; the event ids inside
 * the stored values are the same, so consumers' inboxes drop the copies).
 *
 * One relay per schema publishes at a time, across replicas: the one holding a Postgres
 * session advisory lock on its own connection. `FOR UPDATE SKIP LOCKED` would let replicas share
 * the work, but then two rows of one aggregate could be in flight on two replicas at once and
 * reach Kafka in either order; a single reader in id order keeps each key's order. Throughput
 * is still ample (one batch per Kafka round trip), and if the leader's connection dies Postgres
 * frees the lock and a standby takes over within `standbyRetryMs`.
 *
 * When Kafka is down the batch stays unsent and the relay backs off and retries the same rows
 * from the same place, so nothing is lost and nothing overtakes. Latency stays in the tens of
 * milliseconds: `enqueueOutbox` NOTIFYs on commit and the relay LISTENs. The poll is only a
 * backstop, so while idle it backs off (`idlePollMaxMs`): an idle service's relay looks at its
 * table every few seconds instead of twice a second.
 */
export class OutboxRelay {
  private readonly schema: string;
  private readonly metrics: OutboxMetrics;
  private readonly log: Logger;
  private client: Client | null = null;
  private loop: Promise<void> | null = null;
  private running = false;
  private leader = false;
  private consecutiveFailures = 0;
  private lastError: string | null = null;
  private lastPublishedAt: Date | null = null;
  private pending: number | null = null;
  private lastCleanupAt = 0;
  private lastCountAt = 0;
  private wake: (() => void) | null = null;
  private notified = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.schema = schemaOf(options.dataSource);
    this.metrics = new OutboxMetrics(options.registry);
    this.log = options.logger.child({ component: 'outbox-relay', schema: this.schema });
  }

  get status(): OutboxRelayStatus {
    return {
      running: this.running,
      leader: this.leader,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      lastPublishedAt: this.lastPublishedAt?.toISOString() ?? null,
      pending: this.leader ? this.pending : null,
      healthy: this.running && this.consecutiveFailures < UNHEALTHY_AFTER_FAILURES,
    };
  }

  /** Starts in the background; Postgres or Kafka being down is retried, never thrown. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the batch in flight (publish and mark sent), then releases the lock and closes. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeUp();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    let emptyCycles = 0;
    while (this.running) {
      try {
        const client = this.client ?? (await this.connect());
        if (!this.leader && !(await this.tryLead(client))) {
          // Not woken by commits: a standby would otherwise retry the lock on every one.
          await this.idle(this.options.standbyRetryMs ?? 2000, false);
          continue;
        }
        const published = await this.publishBatch(client);
        this.succeeded();
        await this.housekeeping(client); // rate-limited inside, so also runs under steady load
        // A full batch means more may be waiting: go again without sleeping.
        if (published >= this.batchSize) continue;
        emptyCycles = published > 0 ? 0 : emptyCycles + 1;
        await this.idle(this.idleWait(emptyCycles));
      } catch (error) {
        await this.failed(error);
      }
    }
    await this.disconnect();
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 500;
  }

  /** `pollIntervalMs`, doubled per empty cycle in a row up to `idlePollMaxMs`. */
  private idleWait(emptyCycles: number): number {
    const poll = this.options.pollIntervalMs ?? 500;
    const max = Math.max(poll, this.options.idlePollMaxMs ?? 10 * poll);
    return Math.min(max, poll * 2 ** Math.max(0, emptyCycles - 1));
  }

  private async connect(): Promise<Client> {
    const client = new Client(clientConfig(this.options.dataSource, this.schema));
    // An error on an idle connection (Postgres restarted) must not crash the process; the next
    // query fails and the cycle reconnects.
    client.on('error', (error) => {
      this.log.warn({ err: { type: error.name, message: error.message } }, 'relay connection lost');
      if (this.client === client) this.dropConnection();
    });
    client.on('notification', () => {
      this.notified = true;
      this.wakeUp();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${outboxChannel(this.schema)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw new RelayDatabaseError(error);
    }
    this.client = client;
    return client;
  }

  private async tryLead(client: Client): Promise<boolean> {
    const { rows } = await dbQuery<{ locked: boolean }>(
      client,
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [relayLockName(this.schema)],
    );
    this.leader = rows[0]?.locked === true;
    this.metrics.leader.set({ schema: this.schema }, this.leader ? 1 : 0);
    if (this.leader) this.log.info('became the outbox relay for this schema');
    return this.leader;
  }

  /** Publishes the oldest unsent rows; returns how many. */
  private async publishBatch(client: Client): Promise<number> {
    this.notified = false;
    const { rows } = await dbQuery<OutboxRow>(
      client,
      `SELECT id, topic, key, value, headers, created_at
       FROM "${this.schema}".outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1`,
      [this.batchSize],
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((row) => row.id);
    const started = performance.now();
    try {
      await this.options.publisher.publish(
        rows.map(({ topic, key, value, headers }) => ({ topic, key, value, headers })),
      );
    } catch (error) {
      // Recorded on the rows for whoever looks at a stuck outbox; best effort, as the database
      // may be what is failing.
      await dbQuery(
        client,
        `UPDATE "${this.schema}".outbox SET attempts = attempts + 1, last_error = $2
         WHERE id = ANY($1::bigint[])`,
        [ids, errorText(error)],
      ).catch(() => undefined);
      throw new RelayPublishError(error);
    }
    this.metrics.publishSeconds.observe(
      { schema: this.schema },
      (performance.now() - started) / 1000,
    );
    await dbQuery(
      client,
      `UPDATE "${this.schema}".outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL
       WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    const now = Date.now();
    for (const row of rows) {
      this.metrics.deliveryLagSeconds.observe(
        { schema: this.schema },
        Math.max(0, now - row.created_at.getTime()) / 1000,
      );
    }
    this.metrics.published.inc({ schema: this.schema }, rows.length);
    this.lastPublishedAt = new Date(now);
    return rows.length;
  }

  /** Counts what is pending (at most once a second) and deletes old sent rows (per interval). */
  private async housekeeping(client: Client): Promise<void> {
    const now = Date.now();
    if (now - this.lastCountAt >= 1000) {
      this.lastCountAt = now;
      const { rows } = await dbQuery<{ n: number; age: number | null }>(
        client,
        `SELECT count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float8 AS age
         FROM "${this.schema}".outbox WHERE sent_at IS NULL`,
        [],
      );
      this.pending = rows[0].n;
      this.metrics.pending.set({ schema: this.schema }, rows[0].n);
      this.metrics.oldestPendingSeconds.set({ schema: this.schema }, rows[0].age ?? 0);
    }
    if (now - this.lastCleanupAt >= (this.options.cleanupIntervalMs ?? 60_000)) {
      this.lastCleanupAt = now;
      // Bounded, so a large backlog of old rows is removed over several cycles, not one long lock.
      const { rowCount } = await dbQuery(
        client,
        `DELETE FROM "${this.schema}".outbox WHERE id IN (
           SELECT id FROM "${this.schema}".outbox
           WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => $1)
           LIMIT 10000)`,
        [(this.options.retentionMs ?? 86_400_000) / 1000],
      );
      if (rowCount) this.metrics.cleaned.inc({ schema: this.schema }, rowCount);
    }
  }

  private succeeded(): void {
    if (this.consecutiveFailures > 0) this.log.info('outbox relay recovered');
    this.consecutiveFailures = 0;
    this.lastError = null;
  }

  private async failed(error: unknown): Promise<void> {
    this.consecutiveFailures++;
    this.lastError = errorText(error);
    const stage = error instanceof RelayPublishError ? 'publish' : 'database';
    this.metrics.failures.inc({ schema: this.schema, stage });
    // A database failure may have cost the connection, and with it the lock: start over.
    if (stage === 'database') this.dropConnection();
    const delayMs = relayBackoff(
      this.consecutiveFailures,
      this.options.backoffBaseMs ?? 100,
      this.options.backoffCapMs ?? 10_000,
    );
    this.log.warn(
      { stage, err: this.lastError, failures: this.consecutiveFailures, delayMs },
      'outbox relay cycle failed; retrying',
    );
    await this.idle(delayMs, false);
  }

  /** Waits `ms`, or less if stopped or (when `wakeOnNotify`) a commit notified new rows. */
  private idle(ms: number, wakeOnNotify = true): Promise<void> {
    if (!this.running || (wakeOnNotify && this.notified)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => {
        if (!this.running || wakeOnNotify) done();
      };
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = wake;
    }).finally(() => {
      this.wake = null;
    });
  }

  private wakeUp(): void {
    this.wake?.();
  }

  private dropConnection(): void {
    const client = this.client;
    this.client = null;
    if (this.leader) this.log.warn('lost the outbox relay lock with its connection');
    this.leader = false;
    this.pending = null;
    this.metrics.leader.set({ schema: this.schema }, 0);
    if (client) void client.end().catch(() => undefined);
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.leader = false;
    this.metrics.leader.set({ schema: this.schema }, 0);
    // Closing the session releases the advisory lock: a standby takes over at its next try.
    if (client) await client.end().catch(() => undefined);
  }
}
