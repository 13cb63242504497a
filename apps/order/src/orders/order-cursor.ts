/**
 * Opaque list cursors. Today a cursor carries the last id of a page; clients must not rely on
 * that, so the format can change (e.g. to sort by `updated_at`) without breaking them.
 */
const PREFIX = 'o1:';

export function encodeCursor(lastId: string): string {
  return Buffer.from(`${PREFIX}${lastId}`, 'utf8').toString('base64url');
}

/** The id a cursor points after, or null when it is not one of ours. */
export function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX)) return null;
  const id = text.slice(PREFIX.length);
  return /^\d{1,19}$/.test(id) ? id : null;
}
