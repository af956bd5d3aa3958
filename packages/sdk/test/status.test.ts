/** The one status holder every connection uses (issue 15). */
import { StatusHolder, type StatusChange } from '../src';

function holder() {
  const h = new StatusHolder();
  const fired: StatusChange[] = [];
  h.onChanged((c) => fired.push(c));
  return { h, fired };
}

describe('StatusHolder', () => {
  it('announces changes and skips identical repeats', () => {
    const { h, fired } = holder();
    expect(h.set('connecting', 'requested')).toBe(true);
    expect(h.set('connecting', 'requested')).toBe(false);
    expect(h.set('connecting', 'network-error')).toBe(false); // same status, not disconnected: nothing new to say
    h.set('connected', 'requested');
    h.set('disconnected', 'network-error', 'reset');
    expect(h.set('disconnected', 'network-error', 'reset')).toBe(false); // one disconnect is seen once
    expect(fired.map((c) => c.status)).toEqual(['connecting', 'connected', 'disconnected']);
    expect(h.last).toEqual({ status: 'disconnected', reason: 'network-error', detail: 'reset' });
  });

  it('announces a refusal that comes before connecting: still disconnected, but with a reason', () => {
    const { h, fired } = holder();
    expect(h.status).toBe('disconnected');
    expect(h.set('disconnected', 'config-error', 'no password is set')).toBe(true);
    expect(h.set('disconnected', 'requested')).toBe(true);
    expect(fired.map((c) => c.reason)).toEqual(['config-error', 'requested']);
  });

  it('after dispose, announces nothing and can only go to disconnected', () => {
    const { h, fired } = holder();
    h.set('connected', 'requested');
    h.dispose();
    expect(h.set('connected', 'requested')).toBe(false);
    expect(h.set('connecting', 'requested')).toBe(false);
    expect(h.status).toBe('connected');
    h.set('disconnected', 'requested');
    expect(h.status).toBe('disconnected');
    expect(fired).toHaveLength(1);
  });
});
