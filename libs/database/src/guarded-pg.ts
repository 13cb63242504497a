import pg from 'pg';

/**
 * node-postgres emits 'error' on a connected client when its server goes away between queries
 * (Postgres restarting sends `57P01 terminating connection due to administrator command`). A
 * client idle in the pool has the pool's listener and a client held by a TypeORM query runner
 * has the runner's — but the runner removes its listener at the first error and hands the client
 * back, and a client can see that error in the gap between owners. An 'error' event with no
 * listener throws and ends the process: a Postgres restart killed a service (seen in the
 * pipeline fault test) instead of the service pausing and resuming.
 *
 * This pool gives every client it creates one listener of its own, for the client's whole life.
 * It only keeps the event from being fatal: the failure itself still reaches whoever uses the
 * client (the query in flight rejects; pg-pool and TypeORM drop the broken client).
 */
class GuardedPool extends pg.Pool {
  constructor(options?: pg.PoolConfig) {
    super(options);
    this.on('connect', (client) => {
      client.on('error', () => undefined);
    });
  }
}

/** The `pg` module TypeORM should load (its `driver` option), with the guarded pool. */
export const guardedPg: typeof pg = Object.create(pg, {
  Pool: { value: GuardedPool, enumerable: true },
}) as typeof pg;
