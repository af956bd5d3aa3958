/** The `telepathy` setting (docs/telepathy.md): on by default, `enabled: false` turns the adapter off, anything else is refused. */
import { parseConfig } from '../src/config';

describe('config: telepathy', () => {
  it('is on by default, and can be turned off', () => {
    expect(parseConfig({}).telepathy).toEqual({ enabled: true });
    expect(parseConfig({ telepathy: {} }).telepathy).toEqual({ enabled: true });
    expect(parseConfig({ telepathy: { enabled: false } }).telepathy).toEqual({ enabled: false });
  });

  it.each([
    [{ telepathy: true }, "'telepathy' must be an object"],
    [{ telepathy: null }, "'telepathy' must be an object"],
    [{ telepathy: { enabled: 'no' } }, "'telepathy.enabled' must be true or false"],
    [{ telepathy: { enabled: true, dispatcher: true } }, "unknown key 'telepathy.dispatcher'"],
  ])('refuses %j', (raw, message) => {
    expect(() => parseConfig(raw)).toThrow(message);
  });
});
