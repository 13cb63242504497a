import { decodeCursor, encodeCursor } from './order-cursor';

describe('order cursors', () => {
  it('round-trip an id above 2^53 exactly', () => {
    const cursor = encodeCursor('820982911946154508');
    expect(cursor).not.toContain('820982911946154508');
    expect(decodeCursor(cursor)).toBe('820982911946154508');
  });

  it.each([
    '',
    'not a cursor',
    'bzE6YWJj',
    Buffer.from('x1:5').toString('base64url'),
    'a'.repeat(100),
  ])('rejects %p', (cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});
