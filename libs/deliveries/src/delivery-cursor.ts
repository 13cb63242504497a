/**
 * The opaque keyset cursor of `GET /deliveries`: the last row's position in the newest-first
 * order, (processed_at, id). The time is kept as Postgres printed it, to the microsecond — a
 * cursor rounded to JavaScript's milliseconds would skip the rows processed within the same
 * millisecond after the last one shown.
 */
export interface DeliveryPosition {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, as `to_char` wrote it. */
  processedAt: string;
  /** The row's id (a bigint, as text). */
  id: string;
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const ID = /^\d{1,19}$/;

export class DeliveryCursorError extends Error {
  override readonly name = 'DeliveryCursorError';
  constructor() {
    super('cursor is not one this API handed out');
  }
}

export function encodeDeliveryCursor(position: DeliveryPosition): string {
  return Buffer.from(`${position.processedAt}|${position.id}`, 'utf8').toString('base64url');
}

export function decodeDeliveryCursor(cursor: string): DeliveryPosition {
  const [processedAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !TIME.test(processedAt ?? '') || !ID.test(id ?? '')) {
    throw new DeliveryCursorError();
  }
  return { processedAt, id };
}
