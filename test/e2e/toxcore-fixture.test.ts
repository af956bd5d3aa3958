/**
 * The c-toxcore fixture itself (issue 6): two c-toxcore 0.2.18 nodes on 127.0.0.1 bootstrap to each
 * other, a friend request with a message is accepted, a message crosses with a read receipt, name
 * and status message changes are seen, and an encrypted save loads back with the same Tox ID and
 * friend. The times measured are logged (tests never assert on them).
 *
 * A third node (net.nodes[2]) only keeps the network up while bob restarts: with two nodes, a node
 * restarted from its save (same key, new DHT key) usually finds its friend again ~10 s after it
 * starts, sometimes only after another 20 or 40 s (c-toxcore re-sends its DHT key to friends every
 * 20 s, DHT_DHTPK_SEND_INTERVAL), and in 1 run of 8 not within 60 s. With the helper it was ~10 s,
 * or ~30 s.
 */
import { join } from 'node:path';
import { stopAll, tempDir } from '../fixtures/processes';
import { startToxcore, startToxNetwork, ToxDriverError, type ToxEventAt, type ToxNetwork, type ToxNode } from '../fixtures/tox/toxcore';

type Of<K extends ToxEventAt['event']> = Extract<ToxEventAt, { event: K }>;

describe('c-toxcore fixture', () => {
  let net: ToxNetwork;
  let alice: ToxNode;
  let bob: ToxNode;
  let aliceNumberAtBob: number;
  const times: Record<string, number | string> = {};

  beforeAll(async () => {
    const t0 = Date.now();
    net = await startToxNetwork(3);
    [alice, bob] = net.nodes; // and the helper
    await net.waitOnline(25000);
    times['online (all 3)'] = Date.now() - t0;
    times['own connection'] = alice.events().filter((e) => e.event === 'self_connection_status').map((e) => (e as Of<'self_connection_status'>).connection).join(',');
  });
  afterAll(async () => {
    console.log(`c-toxcore timings (ms): ${JSON.stringify(times)}`);
    await net?.stop();
    await stopAll();
  });

  it('refuses bad input with an error reply and keeps running', async () => {
    expect(await alice.command('bootstrap 127.0.0.1 notaport ZZ')).toMatchObject({ error: 'bad port', command: 'bootstrap' });
    expect(await alice.command('add 1234 hi')).toMatchObject({ error: expect.stringContaining('Tox ID'), command: 'add' });
    expect(await alice.command('send 99 normal hi')).toMatchObject({ error: 'no such friend' });
    expect(await alice.command('name "unterminated')).toMatchObject({ error: 'bad JSON string' });
    expect(await alice.command('frobnicate')).toMatchObject({ error: 'unknown command', command: 'frobnicate' });
    await expect(alice.add(bob.ready.address, '')).rejects.toThrow(ToxDriverError); // c-toxcore: NO_MESSAGE
    const info = await alice.info();
    expect(info.address.slice(0, 64)).toBe(info.public_key);
    expect(info.address.slice(64, 72)).toBe(info.nospam);
    expect(info.udp_port).toBe(alice.udpPort);
  });

  it('a friend request with a message is accepted and the friends connect', async () => {
    const t0 = Date.now();
    const bobNumberAtAlice = await alice.add(bob.ready.address, 'hi bob, "it\'s" alice \\ ✓');
    const req = await bob.waitFor<Of<'friend_request'>>((e) => e.event === 'friend_request', 10000);
    times['friend request arrives'] = req.at - t0;
    expect(req.public_key).toBe(alice.ready.public_key);
    expect(req.message).toBe('hi bob, "it\'s" alice \\ ✓');
    aliceNumberAtBob = await bob.addNoRequest(req.public_key);
    const [up] = await Promise.all([
      alice.waitFor<Of<'friend_connection_status'>>((e) => e.event === 'friend_connection_status' && e.friend === bobNumberAtAlice && e.connection !== 'none', 15000),
      bob.waitFor((e) => e.event === 'friend_connection_status' && e.friend === aliceNumberAtBob && e.connection !== 'none', 15000),
    ]);
    times['request sent → friends connected'] = Date.now() - t0;
    times['friend connection'] = up.connection;
    expect((await bob.friends()).map((f) => f.public_key)).toEqual([alice.ready.public_key]);
  });

  it('a message crosses with a read receipt', async () => {
    const t0 = Date.now();
    const text = 'line one\nline "two" \u0001 😀';
    const id = await bob.send(alice.ready.public_key, text);
    const got = await alice.waitFor<Of<'friend_message'>>((e) => e.event === 'friend_message' && e.public_key === bob.ready.public_key, 10000);
    expect(got).toMatchObject({ type: 'normal', text });
    const receipt = await bob.waitFor<Of<'friend_read_receipt'>>((e) => e.event === 'friend_read_receipt' && e.message_id === id, 10000);
    times['message → read receipt'] = receipt.at - t0;
    await alice.send(bob.ready.public_key, 'waves', 'action');
    await bob.waitFor((e) => e.event === 'friend_message' && e.type === 'action' && e.text === 'waves', 10000);
  });

  it('name, status message, status and typing are seen by the friend', async () => {
    await alice.setName('Alice "A" \\ Ωmega');
    await alice.setStatusMessage('out to lunch');
    await alice.setStatus('away');
    await alice.setTyping(bob.ready.public_key, true);
    const from = (e: ToxEventAt) => 'public_key' in e && e.public_key === alice.ready.public_key;
    await bob.waitFor((e) => from(e) && e.event === 'friend_name' && e.name === 'Alice "A" \\ Ωmega', 10000);
    await bob.waitFor((e) => from(e) && e.event === 'friend_status_message' && e.status_message === 'out to lunch', 10000);
    await bob.waitFor((e) => from(e) && e.event === 'friend_status' && e.status === 'away', 10000);
    await bob.waitFor((e) => from(e) && e.event === 'friend_typing' && e.typing, 10000);
    expect((await bob.friends())[0]).toMatchObject({ name: 'Alice "A" \\ Ωmega', status_message: 'out to lunch', status: 'away', typing: true });
  });

  it('an encrypted save loads back with the same Tox ID and friend', async () => {
    const dir = tempDir('toxsave-');
    const file = join(dir.path, 'bob.tox');
    await bob.setNospam(0x0badf00d);
    const before = await bob.info();
    expect(before.nospam).toBe('0BADF00D');
    await bob.saveEncrypted(file, 'correct horse 🐎');
    await bob.stop();

    const wrong = startToxcore({ savedata: file, passphrase: 'wrong' });
    await expect(wrong).rejects.toThrow(/TOX_ERR_DECRYPTION_FAILED/);
    const again = await startToxcore({ label: 'bob again', savedata: file, passphrase: 'correct horse 🐎' });
    try {
      expect(again.ready).toMatchObject({ address: before.address, public_key: before.public_key, nospam: '0BADF00D' });
      expect(await again.friends()).toEqual([expect.objectContaining({ public_key: alice.ready.public_key, name: 'Alice "A" \\ Ωmega' })]);
      // the save also lists the DHT nodes bob knew; joining does not depend on that
      const t0 = Date.now();
      await net.join(again);
      const back = await again.waitFor((e) => e.event === 'friend_connection_status' && e.public_key === alice.ready.public_key && e.connection !== 'none', 45000);
      times['reloaded → friend connected'] = back.at - t0;
      const id = await again.send(alice.ready.public_key, 'back');
      await alice.waitFor((e) => e.event === 'friend_message' && e.text === 'back', 10000);
      await again.waitFor((e) => e.event === 'friend_read_receipt' && e.message_id === id, 10000);
    } finally {
      await again.stop();
    }
  }, 90000);
});
