import { isFreshTimestamp } from './timestamp';

const now = new Date('2026-12-05T10:00:00.000Z');
const seconds = (offset: number) => String(Math.floor(now.getTime() / 1000) + offset);

describe('isFreshTimestamp', () => {
  it.each([0, -299, 299, -300, 300])('accepts a timestamp %i s away within 300 s', (offset) => {
    expect(isFreshTimestamp(seconds(offset), now, 300)).toBe(true);
  });

  it.each([-301, 301, -86_400, 86_400])('refuses a timestamp %i s away', (offset) => {
    expect(isFreshTimestamp(seconds(offset), now, 300)).toBe(false);
  });

  it('honours a configured window', () => {
    expect(isFreshTimestamp(seconds(-50), now, 60)).toBe(true);
    expect(isFreshTimestamp(seconds(-61), now, 60)).toBe(false);
  });

  it.each([undefined, '', 'abc', '1.5', '-5', '1e9', ' 1764928800', '0x10', '9'.repeat(13)])(
    'refuses %j',
    (value) => {
      expect(isFreshTimestamp(value, now, 300)).toBe(false);
    },
  );

  it('refuses milliseconds mistaken for seconds', () => {
    expect(isFreshTimestamp(String(now.getTime()), now, 300)).toBe(false);
  });
});
