import { isConsumerService, type ConsumerService } from './upstream';

/**
 * A page across services (dead letters, jobs, deliveries): each service pages with its own cursor, so the
 * console's cursor is the set of cursors of the services that have more (base64url JSON).
 * A service not in the set has been read to its end; the first page asks every service.
 */
export type CrossCursor = Partial<Record<ConsumerService, string>>;

export function encodeCursor(cursor: CrossCursor): string | null {
  return Object.keys(cursor).length === 0
    ? null
    : Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(value: string | undefined): CrossCursor | null {
  if (!value) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!parsed || typeof parsed !== 'object') return {};
    const cursor: CrossCursor = {};
    for (const [service, next] of Object.entries(parsed)) {
      if (isConsumerService(service) && typeof next === 'string') cursor[service] = next;
    }
    return cursor;
  } catch {
    return {};
  }
}
