import type { DataSource, QueryRunner } from 'typeorm';

const LOCK = 'SELECT pg_advisory_lock(hashtextextended($1, 0))';
const TRY_LOCK = 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked';
const UNLOCK = 'SELECT pg_advisory_unlock(hashtextextended($1, 0))';

// Session locks on a connection of their own: whatever `work` does with the pool, the lock stays
// with this session, and goes with it if the process dies.
async function onOwnConnection<T>(
  dataSource: DataSource,
  use: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    return await use(runner);
  } finally {
    await runner.release();
  }
}

/** Runs `work` holding the advisory lock `key`, waiting for its holder (any replica) first. */
export function withAdvisoryLock<T>(
  dataSource: DataSource,
  key: string,
  work: () => Promise<T>,
): Promise<T> {
  return onOwnConnection(dataSource, async (runner) => {
    await runner.query(LOCK, [key]);
    try {
      return await work();
    } finally {
      await runner.query(UNLOCK, [key]);
    }
  });
}

/** Runs `work` holding the advisory lock `key`, or answers null at once if it is held. */
export function tryAdvisoryLock<T>(
  dataSource: DataSource,
  key: string,
  work: () => Promise<T>,
): Promise<T | null> {
  return onOwnConnection(dataSource, async (runner) => {
    const [row] = (await runner.query(TRY_LOCK, [key])) as { locked: boolean }[];
    if (!row?.locked) return null;
    try {
      return await work();
    } finally {
      await runner.query(UNLOCK, [key]);
    }
  });
}
