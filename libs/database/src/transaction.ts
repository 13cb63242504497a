import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

/**
 * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Every
 * effect of a Kafka message and its inbox row go through the same manager, so they commit or
 * vanish together.
 */
export function withTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  isolation: IsolationLevel = 'READ COMMITTED',
): Promise<T> {
  return dataSource.transaction(isolation, work);
}

/**
 * Runs `work` inside a savepoint of the current transaction. When it throws, only its own
 * statements are undone and the transaction stays usable (Postgres otherwise aborts the whole
 * transaction on the first failed statement); the error is rethrown for the caller to judge.
 */
export async function withSavepoint<T>(
  manager: EntityManager,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a safe savepoint name: ${name}`);
  await manager.query(`SAVEPOINT ${name}`);
  try {
    const result = await work();
    await manager.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await manager.query(`ROLLBACK TO SAVEPOINT ${name}`);
    throw error;
  }
}

/**
 * Postgres errors caused by the data itself (class 22: data exception, e.g. a value out of
 * range; class 23: integrity constraint violation). Retrying such a statement fails the same way
 * forever, unlike a lost connection or a deadlock.
 */
export function isDataError(error: unknown): boolean {
  const code =
    (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.driverError?.code ??
    (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
