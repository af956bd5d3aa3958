/**
 * `confab send ACCOUNT TARGET` and `confab history ACCOUNT TARGET` as a user meets them (issue 14):
 * the daemon, not the CLI, says what a target is and compares it as the protocol normalizes it.
 *
 * - XMPP on prosody: a room joined with `confab join` and then named to `confab send` gets the
 *   message in that same room channel, where another occupant (a plain @xmpp/client session) sees
 *   it — not in a new direct chat with the room's JID; a room never joined is found out by service
 *   discovery and joined; a person stays a direct chat.
 * - Tox with a c-toxcore friend: `confab history` finds the conversation by the friend's public key
 *   typed in lower case or upper case.
 */
import { join } from 'node:path';
import { toxAccount, xmppAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startXmppPeer } from '../fixtures/xmpp/peer';
import { startProsody, type Prosody } from '../fixtures/xmpp/prosody';
import { until, type Started } from '../fixtures/processes';
import { startToxNetwork, type ToxNetwork } from '../fixtures/tox/toxcore';

describe('targets named on the command line', () => {
  const { d, received } = withDaemon();
  const lastElement = (path: string) => path.split('/').pop()!;
  /** `confab send`, returning the channel id it printed. */
  const send = async (account: string, target: string, text: string): Promise<string> => {
    const r = await d.cli(['send', account, target, text]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    return /^queued message \d+ in channel (\d+)\n$/.exec(r.stdout)![1];
  };
  const channelPath = (id: string) => `/im/confab/Confab1/channels/${id}`;

  describe('XMPP rooms on prosody', () => {
    let xmpp: Prosody;
    let peer: Started;
    const ACCOUNT = 'xmpp_confab_localhost';
    const say = (line: string) => peer.child.stdin!.write(`${line}\n`);
    /** The groupchat messages the peer saw, as room → bodies. */
    const seenByPeer = () => peer.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { from?: string; type?: string; body?: string });

    beforeAll(async () => {
      xmpp = await startProsody();
      for (const [u, p] of [['confab', 'confab-pw'], ['peer', 'peer-pw']]) xmpp.register(u, p);
      peer = await startXmppPeer(xmpp, 'peer', 'peer-pw', 'peer');
      const account = await d.createAccount('xmpp', 'XMPP', xmppAccount('confab@localhost', 'confab-pw', xmpp));
      expect(lastElement(account)).toBe(ACCOUNT);
      await d.waitForStatus(account, 'connected');
    });
    afterAll(async () => {
      await peer?.stop();
      await xmpp?.stop();
    });

    it('sends to a room joined with confab join in that room, where another occupant sees it', async () => {
      say('!join\tlounge@conference.localhost/peerie');
      const joined = await d.cli(['join', ACCOUNT, 'lounge@conference.localhost']);
      expect(joined.code).toBe(0);
      const room = /^channel (\d+): /.exec(joined.stdout)![1];
      await until(async () => (await d.channelProp(channelPath(room), 'Joined')) === true, 10000, 'the room to be joined');

      expect(await send(ACCOUNT, 'lounge@conference.localhost', 'hi')).toBe(room);
      expect(await send(ACCOUNT, 'Lounge@Conference.Localhost', 'hi again')).toBe(room); // compared as normalized
      await until(() => seenByPeer().some((m) => m.body === 'hi again'), 10000, 'the occupant to see it');
      expect(seenByPeer().filter((m) => m.body?.startsWith('hi'))).toEqual([
        expect.objectContaining({ from: 'lounge@conference.localhost/confab', type: 'groupchat', body: 'hi' }),
        expect.objectContaining({ from: 'lounge@conference.localhost/confab', type: 'groupchat', body: 'hi again' }),
      ]);
      const { channels } = await objects();
      expect(channels.filter((c) => c.target === 'lounge@conference.localhost')).toEqual([{ path: channelPath(room), kind: 'room', target: 'lounge@conference.localhost' }]);
    });

    it('finds out by service discovery that a JID never joined is a room, joins it and talks there; a person stays direct', async () => {
      say('!join\tden@conference.localhost/peerie'); // the peer creates the room; we never joined it
      await until(() => peer.output().includes('{"joined":"den@conference.localhost/peerie"}'), 10000, 'the peer to be in the room it created');
      const den = await send(ACCOUNT, 'den@conference.localhost', 'hello den');
      expect(await d.channelProp(channelPath(den), 'Kind')).toBe('room');
      await until(() => seenByPeer().some((m) => m.body === 'hello den'), 15000, 'the occupant to see it in the room');
      expect(seenByPeer().find((m) => m.body === 'hello den')).toMatchObject({ from: 'den@conference.localhost/confab', type: 'groupchat' });
      await until(async () => (await d.history(channelPath(den))).find((h) => h.body === 'hello den')?.state === 'sent', 10000, 'the room to reflect it');

      const direct = await send(ACCOUNT, 'peer@localhost', 'hello peer');
      expect(await d.channelProp(channelPath(direct), 'Kind')).toBe('direct');
      await until(() => seenByPeer().some((m) => m.body === 'hello peer'), 10000, 'the peer to get it');
      expect(seenByPeer().find((m) => m.body === 'hello peer')).toMatchObject({ from: 'confab@localhost/confab', type: 'chat' });
    });
  });

  describe('Tox with a c-toxcore friend', () => {
    let net: ToxNetwork;

    beforeAll(async () => {
      net = await startToxNetwork(3); // the friend and two more: enough nodes for onion paths
    });
    afterAll(async () => {
      await net?.stop();
    });

    it('finds the conversation by the public key in lower case and in upper case', async () => {
      const friend = net.nodes[0];
      const bootstrap = net.nodes.map((n) => `127.0.0.1:${n.udpPort}:${n.ready.dht_id}`);
      const account = await d.createAccount('tox', 'Tox', await toxAccount('alice', 'pw for the test', bootstrap), { connected: true, timeoutMs: 40000 });
      const id = lastElement(account);
      const key = friend.ready.public_key; // upper-case hex, as Tox shows keys
      expect(key).toMatch(/^[0-9A-F]{64}$/);
      // friends both ways without a request: a bare public key adds without one
      await (await d.account(account)).AddContact(key, 'friend');
      await friend.addNoRequest(String(await d.accountProp(account, 'Identity')).slice(0, 64));
      await friend.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', 40000);
      await friend.send(String(await d.accountProp(account, 'Identity')).slice(0, 64), 'hello from c-toxcore');
      const got = await until(() => received.find((r) => r.body === 'hello from c-toxcore'), 15000, 'the message from c-toxcore');

      for (const typed of [key.toLowerCase(), key]) {
        const r = await d.cli(['history', id, typed]);
        expect([typed, r.code, r.stderr]).toEqual([typed, 0, '']);
        expect(r.stdout).toMatch(/<[^>]+> hello from c-toxcore\n$/);
        const json = JSON.parse((await d.cli(['history', id, typed, '--json'])).stdout) as Array<{ body: string; channel: string }>;
        expect(json.map((m) => [m.channel, m.body])).toEqual([[lastElement(got.channel), 'hello from c-toxcore']]);
      }
      // and an answer typed with the lower-case key lands in the same conversation
      expect(await send(id, key.toLowerCase(), 'hello back')).toBe(lastElement(got.channel));
      await friend.waitFor((e) => e.event === 'friend_message' && e.text === 'hello back', 15000);

      const missing = await d.cli(['history', id, '0'.repeat(64)]);
      expect(missing).toMatchObject({ code: 1, stdout: '' });
      expect(missing.stderr).toMatch(/^confab: NotFound: no conversation with '0{64}'/);
    });
  });

  async function objects(): Promise<{ channels: Array<{ path: string; kind: string; target: string }> }> {
    const all = (await (await d.object('/im/confab/Confab1')).getInterface('org.freedesktop.DBus.ObjectManager').GetManagedObjects()) as Record<string, Record<string, Record<string, { value: unknown }>>>;
    const channels = Object.entries(all).filter(([, i]) => i['im.confab.Confab1.Channel']).map(([path, i]) => ({
      path, kind: String(i['im.confab.Confab1.Channel'].Kind.value), target: String(i['im.confab.Confab1.Channel'].Target.value),
    }));
    return { channels };
  }
});
