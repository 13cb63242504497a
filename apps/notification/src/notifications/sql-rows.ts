/**
 * The rows of an UPDATE/DELETE … RETURNING run through TypeORM's `query`: for those the Postgres
 * driver answers `[rows, affectedCount]` (INSERT and SELECT answer the rows alone).
 */
export function returnedRows<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}
