import { decodeDeliveryCursor, DeliveryCursorError, encodeDeliveryCursor } from './delivery-cursor';

describe('delivery cursor', () => {
  it('gives back the position it was made from, microseconds and a bigint id included', () => {
    const position = { processedAt: '2026-12-06T05:01:02.123456Z', id: '9007199254740993' };
    const cursor = encodeDeliveryCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeDeliveryCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64 of a position', 'bm9wZQ'],
    [
      'a time without microseconds',
      encodeDeliveryCursor({ processedAt: '2026-12-06T05:01:02.123Z', id: '1' }),
    ],
    [
      'an id that is not a number',
      encodeDeliveryCursor({ processedAt: '2026-12-06T05:01:02.123456Z', id: '1; drop' }),
    ],
    ['an extra field', Buffer.from('2026-12-06T05:01:02.123456Z|1|2').toString('base64url')],
  ])('refuses %s', (_what, cursor) => {
    expect(() => decodeDeliveryCursor(cursor)).toThrow(DeliveryCursorError);
  });
});
