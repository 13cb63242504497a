import { decodeCursor, encodeCursor } from './cross-cursor';

describe('the cross-service dead-letter cursor', () => {
  it('round-trips the services that have more, and ends when none has', () => {
    const cursor = encodeCursor({ order: 'abc', sync: 'def' });
    expect(cursor).not.toBeNull();
    expect(decodeCursor(cursor!)).toEqual({ order: 'abc', sync: 'def' });
    expect(encodeCursor({})).toBeNull();
  });

  it('drops what is not a service cursor, and reads garbage as "nothing more"', () => {
    const forged = Buffer.from(JSON.stringify({ order: 'x', evil: 'y', sync: 3 })).toString(
      'base64url',
    );
    expect(decodeCursor(forged)).toEqual({ order: 'x' });
    expect(decodeCursor('%%%')).toEqual({});
    expect(decodeCursor(undefined)).toBeNull();
  });
});
