import { NotImplementedError, OfflineError } from '@confab/sdk';
import { fakeCore, settle } from './fakes';

const AUDIO = { audio: true, video: false };

describe('calls', () => {
  it('stores a call before the protocol places it, and follows what the protocol says', async () => {
    const { core, conn, store, account } = fakeCore();
    const id = await account();
    const seen: string[] = [];
    core.calls.onChanged((c) => seen.push(`${c.id} ${c.change}`));
    const callId = await core.calls.start(id, 'Bob', AUDIO);
    expect(conn().requests).toContain('call bob'); // as the protocol normalizes contacts
    expect(store.calls.get(callId)).toMatchObject({ state: 'dialing', direction: 'outgoing', peer: 'bob' });
    conn().callE.fire({ id: 'c1', state: 'ringing' });
    conn().callE.fire({ id: 'c1', state: 'active' });
    expect(store.calls.get(callId)!.answeredAt).toBeGreaterThan(0);
    conn().callE.fire({ id: 'c1', state: 'ended', reason: 'remote-hangup', detail: 'BYE' });
    conn().callE.fire({ id: 'c1', state: 'active' }); // a late word about an ended call changes nothing
    expect(store.calls.get(callId)).toMatchObject({ state: 'ended', endReason: 'remote-hangup', endDetail: 'BYE' });
    expect(seen).toEqual([`${callId} added`, `${callId} changed`, `${callId} changed`, `${callId} changed`]);
    await core.stop();
  });

  it('ends every call of an account whose connection is lost, network-error', async () => {
    const { core, conn, account } = fakeCore();
    const id = await account();
    conn().incomingCallE.fire({ id: 'in-1', peer: 'Carol', audio: true, video: false });
    const [callId] = core.calls.ids();
    expect(core.calls.get(callId)).toMatchObject({ state: 'ringing', direction: 'incoming', peer: 'carol' });
    conn().drop();
    await settle();
    expect(core.calls.get(callId)).toMatchObject({ state: 'ended', endReason: 'network-error' });
    expect(core.accounts.runner(id).status).not.toBe('connected');
    await core.stop();
  });

  it('a protocol without calls is NotImplemented, an account not connected Offline; nothing is stored', async () => {
    const { core, store, account } = fakeCore({ without: ['calls'] });
    const id = await account();
    await expect(core.calls.start(id, 'bob', AUDIO)).rejects.toThrow(NotImplementedError);
    core.accounts.setEnabled(id, false);
    await settle();
    await expect(core.calls.start(id, 'bob', AUDIO)).rejects.toThrow(OfflineError);
    expect(store.calls.unfinished()).toEqual([]);
    await core.stop();
  });

  it('a call left going by a process that died is ended network-error when the next one loads', async () => {
    const { core, store, account } = fakeCore();
    const id = await account();
    const callId = await core.calls.start(id, 'bob', AUDIO);
    core.calls.load(); // what the next process does at start-up
    expect(store.calls.get(callId)).toMatchObject({ state: 'ended', endReason: 'network-error' });
    await core.stop();
  });
});
