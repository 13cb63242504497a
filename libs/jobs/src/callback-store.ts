import { schemaOf } from '@shopwire/database';
import { claimDue, type LeasedTable } from '@shopwire/outbound-delivery';
import type { DataSource } from 'typeorm';
import type { JobRecord } from './job';
import { toRecord, type JobRow } from './job-row';

/**
 * The callback columns of the `jobs` table: what the callback sender claims, records and
 * postpones. Apart from `JobStore` because it is a different worker's state machine.
 */
export class CallbackStore {
  private readonly jobs: string;
  /** Pending callbacks by due time; the lease has its own column, so the due time stays readable. */
  private readonly due: LeasedTable;

  constructor(readonly dataSource: DataSource) {
    this.jobs = `"${schemaOf(dataSource)}".jobs`;
    this.due = {
      table: this.jobs,
      key: ['id'],
      dueColumn: 'callback_next_at',
      leaseColumn: 'callback_lease_until',
      where: `c.callback_status = 'pending'`,
      returning: 't.*',
    };
  }

  /**
   * Takes up to `limit` due callbacks for `leaseMs` (`claimDue`), so replicas do not send the
   * same one at once. A sender that dies holding some lets them fall due again when the lease ends.
   */
  async claimCallbacks(limit: number, leaseMs: number): Promise<JobRecord[]> {
    const rows = await claimDue<JobRow>(this.dataSource, this.due, limit, leaseMs);
    return rows.map(toRecord);
  }

  /** Records one delivery attempt: delivered, retry after `retryInMs`, or given up (null). */
  async recordCallback(
    id: string,
    outcome: { delivered: true } | { delivered: false; error: string; retryInMs: number | null },
  ): Promise<void> {
    if (outcome.delivered) {
      await this.dataSource.query(
        `UPDATE ${this.jobs} SET callback_status = 'delivered', callback_delivered_at = now(),
           callback_attempts = callback_attempts + 1, callback_last_error = NULL,
           callback_lease_until = NULL, callback_next_at = NULL
         WHERE id = $1`,
        [id],
      );
      return;
    }
    await this.dataSource.query(
      `UPDATE ${this.jobs} SET callback_attempts = callback_attempts + 1,
         callback_last_error = $2, callback_lease_until = NULL,
         callback_status = CASE WHEN $3::float8 IS NULL THEN 'failed' ELSE 'pending' END,
         callback_next_at = CASE WHEN $3::float8 IS NULL THEN NULL
                            ELSE now() + make_interval(secs => $3::float8 / 1000) END
       WHERE id = $1`,
      [id, outcome.error.slice(0, 300), outcome.retryInMs],
    );
  }

  /** Lets a callback be tried again later without counting an attempt (e.g. breaker open). */
  async postponeCallback(id: string, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.jobs} SET callback_lease_until = NULL,
         callback_next_at = now() + make_interval(secs => $2::float8 / 1000)
       WHERE id = $1 AND callback_status = 'pending'`,
      [id, delayMs],
    );
  }
}
