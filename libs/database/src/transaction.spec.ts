import { assertIdentifier } from './data-source';
import { isDataError } from './transaction';

describe('isDataError', () => {
  it.each([
    ['22003', true], // numeric value out of range
    ['22P02', true], // invalid text representation
    ['23505', true], // unique violation
    ['40P01', false], // deadlock: worth retrying
    ['57P01', false], // admin shutdown
    ['08006', false], // connection failure
  ])('%s → %s', (code, expected) => {
    expect(isDataError({ code })).toBe(expected);
    expect(isDataError({ driverError: { code } })).toBe(expected);
  });

  it('is false for errors without a Postgres code', () => {
    expect(isDataError(new Error('boom'))).toBe(false);
    expect(isDataError(null)).toBe(false);
  });
});

describe('assertIdentifier', () => {
  it('accepts snake_case names and rejects anything that could escape a quote', () => {
    expect(assertIdentifier('orders')).toBe('orders');
    expect(assertIdentifier('order_events_2')).toBe('order_events_2');
    for (const bad of ['', 'Orders', 'a"b', 'a;drop', '1abc', 'x'.repeat(64)]) {
      expect(() => assertIdentifier(bad)).toThrow(/identifier/);
    }
  });
});
