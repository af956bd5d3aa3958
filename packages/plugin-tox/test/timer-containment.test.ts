/**
 * Timer containment (issue 6: "never a crash"): a layer's periodic work that throws is counted and
 * reported through `onError`, never thrown into the timer that ran it, and the timer keeps going.
 */
import { ContainedScheduler, contained, ManualTime, type TimerError } from '../src/dht/clock';
import { Dht } from '../src/dht/dht';
import { newKeyPair } from '../src/crypto/keys';
import { ToxNode, type ToxNodeError } from '../src/tox-node';
import { MemoryEndpoint } from './helpers/memory-endpoint';

describe('ContainedScheduler', () => {
  test('a throwing callback is reported with its timer name and the timer runs on', () => {
    const time = new ManualTime();
    const s = new ContainedScheduler(time);
    const errors: TimerError[] = [];
    s.onError((e) => errors.push(e));
    let calls = 0;
    s.every(1000, () => { calls++; if (calls === 1) throw new Error('boom'); }, 'dht');
    s.after(500, () => { throw new RangeError('once'); });
    expect(() => time.advance(3000)).not.toThrow();
    expect(calls).toBe(3);
    expect(errors.map((e) => [e.timer, (e.error as Error).message])).toEqual([['timer', 'once'], ['dht', 'boom']]);
    expect(s.errors).toEqual({ timer: 1, dht: 1 });
    expect(contained(s)).toBe(s);
  });

  test('with nobody listening, the error becomes a process warning, never silence', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const time = new ManualTime();
    contained(time).every(10, () => { throw new Error('unheard'); }, 'messenger');
    expect(() => time.advance(10)).not.toThrow();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('messenger timer threw: unheard'));
    warn.mockRestore();
  });

  test("a layer's tick that throws is contained by the scheduler the owner gave it", () => {
    const time = new ManualTime();
    const s = new ContainedScheduler(time);
    const errors: TimerError[] = [];
    s.onError((e) => errors.push(e));
    const dht = new Dht({ endpoint: new MemoryEndpoint({ host: '127.0.0.1', port: 1 }), clock: time, scheduler: s });
    jest.spyOn(dht, 'tick').mockImplementation(() => { throw new Error('tick bug'); });
    dht.start();
    expect(() => time.advance(2500)).not.toThrow();
    expect(errors.map((e) => e.timer)).toEqual(['dht', 'dht']);
    dht.dispose();
  });
});

test('ToxNode reports what its layers threw through onError, and counts it', async () => {
  const time = new ManualTime();
  const node = await ToxNode.start({
    keyPair: newKeyPair(), nospam: 1, bind: { host: '127.0.0.1', port: 0 }, clock: time, scheduler: time,
  });
  try {
    const errors: ToxNodeError[] = [];
    node.onError((e) => errors.push(e));
    jest.spyOn(node.friendConnections, 'tick').mockImplementation(() => { throw new Error('fc bug'); });
    expect(() => time.advance(1000)).not.toThrow();
    expect(errors).toEqual([{ source: 'timer', name: 'friend-connections', error: new Error('fc bug') }]);

    // a packet handler's bug: dropped as handler-error and reported the same way
    node.dht.router.register(0xfe, () => { throw new TypeError('handler bug'); });
    expect(node.dht.router.dispatch(Uint8Array.of(0xfe), { from: { host: '127.0.0.1', port: 9 }, via: node.endpoint })).toBe('handler-error');
    expect(errors[1]).toEqual({ source: 'packet', name: 'router', error: new TypeError('handler bug') });
    expect(node.errors).toEqual({ timers: { 'friend-connections': 1 }, packets: 1 });
  } finally {
    await node.dispose();
  }
});
