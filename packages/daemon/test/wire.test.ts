import { InvalidArgumentError } from '@confab/sdk';
import { toNumber } from '../src/dbus/wire';

describe('D-Bus integers as ids', () => {
  it('takes every id a JS number holds exactly', () => {
    expect(toNumber(0n, 'before_id')).toBe(0);
    expect(toNumber(2n ** 53n - 1n, 'before_id')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([2n ** 53n, 2n ** 64n - 1n, -1n])('refuses %p as the caller\'s mistake (InvalidArgument), naming the argument', (v) => {
    expect(() => toNumber(v, 'before_id')).toThrow(InvalidArgumentError);
    expect(() => toNumber(v, 'before_id')).toThrow(/^before_id must be from 0 to 9007199254740991/);
  });
});
