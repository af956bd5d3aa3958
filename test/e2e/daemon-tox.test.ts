/**
 * Tox accounts in confabd (issue 6) against c-toxcore 0.2.18 on 127.0.0.1, through the common
 * model on D-Bus: friend requests both ways (a request to us is Manager.SubscriptionRequested,
 * answered with AnswerSubscription), messages and actions both ways with read receipts as
 * `delivered`, names, status messages and user status as presence, typing as chat states, a friend
 * going offline and back with the outbox draining on its return, two Confab accounts finding each
 * other through the onion of a mixed network, profiles imported from and exported to c-toxcore
 * (plain and encrypted), and confabd killed with messages queued.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toxAccount } from '../fixtures/accounts';
import { variants, type PlainParams } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { forbid, tempDir, until } from '../fixtures/processes';
import { startToxNetwork, startToxcore, type ToxNetwork, type ToxNode } from '../fixtures/tox/toxcore';

const PASSWORD = 'correct horse battery staple';

describe('confabd with Tox accounts and c-toxcore', () => {
  const { d, received, use } = withDaemon();
  let net: ToxNetwork;
  let ctox: ToxNode; // the c-toxcore peer the accounts befriend
  const requests: Array<[string, string, string]> = [];
  const accounts: Record<string, string> = {};
  const idOf = (path: string) => path.split('/').pop()!;

  const bootstrapNodes = () => net.nodes.filter((n) => n.proc.child.exitCode === null).map((n) => `127.0.0.1:${n.udpPort}:${n.ready.dht_id}`);
  const create = async (name: string, extra: PlainParams = {}) => d.createAccount('tox', name, await toxAccount(name, PASSWORD, bootstrapNodes(), extra));
  const toxId = async (account: string) => String(await d.accountProp(account, 'Identity'));
  const publicKey = async (account: string) => (await toxId(account)).slice(0, 64);
  const send = (account: string, to: string, text: string) => d.send(account, to, text);
  const channelOf = (account: string, target: string) => d.channelOf(account, target);
  const contact = async (account: string, id: string) =>
    ((await d.accountProp(account, 'Contacts')) as Array<[string, string, string, string]>).find((c) => c[0] === id);

  beforeAll(async () => {
    net = use(await startToxNetwork(3)); // the third stays up throughout: a bootstrap node across restarts
    ctox = net.nodes[0];
    (await d.manager()).on('SubscriptionRequested', (acc: string, c: string, message: string) => requests.push([acc, c, message]));
    await net.waitOnline(30000);
  });

  it('connects to the network with a new identity kept encrypted, and shows its Tox ID', async () => {
    accounts.alice = await create('alice');
    await d.waitForStatus(accounts.alice, 'connected', undefined, 40000);
    expect(await toxId(accounts.alice)).toMatch(/^[0-9A-F]{76}$/);
    await expect((await d.account(accounts.alice)).AddContact(await toxId(accounts.alice), '')).rejects.toMatchObject({ type: 'im.confab.Error.InvalidArgument' });
    const profile = join(d.dataDir, 'accounts', idOf(accounts.alice), 'profile.tox');
    expect(existsSync(profile)).toBe(true);
    expect(readFileSync(profile).subarray(0, 8).toString()).toBe('toxEsave'); // tox_pass_encrypt's magic
    expect(JSON.stringify(await d.accountProp(accounts.alice, 'Parameters'), (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x))).not.toContain(PASSWORD);
  });

  it('takes a friend request from c-toxcore as a subscription request, and accepting connects', async () => {
    const before = ctox.events().length;
    await ctox.add(await toxId(accounts.alice), 'hi alice, from c-toxcore');
    const req = await until(() => requests.find((r) => r[0] === idOf(accounts.alice) || r[0] === accounts.alice), 30000, 'the SubscriptionRequested signal');
    expect(req[1]).toBe(ctox.ready.public_key);
    expect(req[2]).toBe('hi alice, from c-toxcore');
    await (await d.account(accounts.alice)).AnswerSubscription(ctox.ready.public_key, true);
    await ctox.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', 30000, before);
    await until(async () => (await contact(accounts.alice, ctox.ready.public_key))?.[2] === 'available', 15000, 'c-toxcore to be available');
  });

  it('exchanges messages and actions both ways; read receipts make ours delivered', async () => {
    const before = ctox.events().length;
    await send(accounts.alice, ctox.ready.public_key, 'hello c-toxcore');
    await send(accounts.alice, ctox.ready.public_key, '/me waves');
    const got = await ctox.waitFor((e) => e.event === 'friend_message' && e.text === 'hello c-toxcore', 15000, before);
    expect(got).toMatchObject({ type: 'normal' });
    await ctox.waitFor((e) => e.event === 'friend_message' && e.text === 'waves' && e.type === 'action', 15000, before);
    const dm = await channelOf(accounts.alice, ctox.ready.public_key);
    await until(async () => (await d.history(dm)).filter((h) => h.outgoing && h.state === 'delivered').length === 2, 15000, 'both to be delivered');

    const alicePk = await publicKey(accounts.alice);
    await ctox.send(alicePk, 'hello confab ✓');
    await ctox.send(alicePk, 'jumps', 'action');
    const m = await until(() => received.find((r) => r.body === 'hello confab ✓'), 15000, 'the message from c-toxcore');
    expect(m.sender).toBe(ctox.ready.public_key);
    await until(() => received.find((r) => r.body === 'jumps' && r.kind === 'action'), 15000, 'the action');
    await ctox.waitFor((e) => e.event === 'friend_read_receipt', 15000, before);
  });

  it('sees names, status messages and user status, and typing, both ways', async () => {
    const before = ctox.events().length;
    const friend = await publicKey(accounts.alice);
    await ctox.setName('Reference');
    await ctox.setStatusMessage('compiled in C');
    await ctox.setStatus('busy');
    await until(async () => {
      const c = await contact(accounts.alice, ctox.ready.public_key);
      return c?.[1] === 'Reference' && c[2] === 'busy' && c[3] === 'compiled in C';
    }, 15000, 'the new name, busy, with the status message');
    await ctox.setStatus('none');
    await (await d.manager()).SetPresence('away', 'out for lunch');
    await ctox.waitFor((e) => e.event === 'friend_status' && e.status === 'away', 15000, before);
    await ctox.waitFor((e) => e.event === 'friend_status_message' && e.status_message === 'out for lunch', 15000, before);
    await ctox.waitFor((e) => e.event === 'friend_name' && e.name === 'alice', 15000, 0);
    await (await d.manager()).SetPresence('available', '');
    const states: string[] = [];
    (await d.manager()).on('ChatStateChanged', (_ch: string, _c: string, s: string) => states.push(s));
    await ctox.setTyping(friend, true);
    await until(() => states.includes('composing'), 10000, 'the typing notification');
    const dm = await channelOf(accounts.alice, ctox.ready.public_key);
    await (await d.channel(dm)).SetChatState('composing');
    await ctox.waitFor((e) => e.event === 'friend_typing' && e.typing === true, 10000, before);
  });

  it('sends a friend request to a c-toxcore Tox ID; messages wait while it is offline and go once when it is back', async () => {
    const other = net.nodes[1];
    const before = other.events().length;
    await (await d.account(accounts.alice)).AddContact(other.ready.address, '');
    const req = await other.waitFor((e) => e.event === 'friend_request', 30000, before);
    expect(req).toMatchObject({ public_key: await publicKey(accounts.alice), message: expect.stringContaining('Tox') });
    await other.addNoRequest(await publicKey(accounts.alice));
    await other.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', 30000, before);

    // the friend goes away; messages to it wait in the outbox
    const saved = join(tempDir('ctox-').path, 'other.tox');
    await other.save(saved);
    await other.stop();
    await until(async () => (await contact(accounts.alice, other.ready.public_key))?.[2] === 'offline', 45000, 'the friend to be seen offline');
    for (const i of [1, 2, 3]) await send(accounts.alice, other.ready.public_key, `while you were away ${i}`);
    const dm = await channelOf(accounts.alice, other.ready.public_key);
    expect((await d.history(dm)).filter((h) => h.body.startsWith('while you were away')).map((h) => h.state)).toEqual(['queued', 'queued', 'queued']);

    const back = await startToxcore({ label: 'back', savedata: saved });
    await net.join(back);
    await back.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', 60000);
    await until(() => back.events().filter((e) => e.event === 'friend_message').length >= 3, 20000, 'the queued messages to arrive');
    await until(async () => (await d.history(dm)).filter((h) => h.body.startsWith('while you were away') && h.state === 'delivered').length === 3, 15000, 'them to be delivered');
    await forbid(() => back.events().filter((e) => e.event === 'friend_message').length > 3, 1000, 'a queued message sent twice');
    const texts = back.events().filter((e) => e.event === 'friend_message').map((e) => (e as { text: string }).text);
    expect(texts).toEqual(['while you were away 1', 'while you were away 2', 'while you were away 3']);
    await back.stop();
  });

  it('finds another Confab account through the onion of the network, and they talk', async () => {
    accounts.bob = await create('bob');
    await d.waitForStatus(accounts.bob, 'connected', undefined, 40000);
    await (await d.account(accounts.bob)).AddContact(await toxId(accounts.alice), 'alice');
    const alicePk = await publicKey(accounts.alice);
    const bobPk = await publicKey(accounts.bob);
    await until(() => requests.find((r) => r[1] === bobPk), 40000, "bob's friend request to reach alice");
    await (await d.account(accounts.alice)).AnswerSubscription(bobPk, true);
    await until(async () => (await contact(accounts.bob, alicePk))?.[2] === 'available', 40000, 'alice to be online for bob');
    await send(accounts.bob, alicePk, 'hello alice, from bob');
    const m = await until(() => received.find((r) => r.body === 'hello alice, from bob'), 15000, "bob's message");
    expect(m.sender).toBe(bobPk);
  });

  it("imports c-toxcore's profiles, plain and encrypted, with the same Tox ID and friends; its own profile loads in c-toxcore", async () => {
    const dir = tempDir('tox-profiles-').path;
    const source = await startToxcore({ label: 'source' });
    await source.addNoRequest(ctox.ready.public_key);
    await source.setName('migrating');
    const info = await source.info();
    await source.save(join(dir, 'plain.tox'));
    await source.saveEncrypted(join(dir, 'encrypted.tox'), PASSWORD);
    await source.stop();
    for (const file of ['plain.tox', 'encrypted.tox']) {
      const acc = await create(`imported-${file}`, { import: join(dir, file) });
      await d.waitForStatus(acc, 'connected', undefined, 40000);
      expect(await toxId(acc)).toBe(info.address);
      expect(await contact(acc, ctox.ready.public_key)).toBeDefined();
      await (await d.account(acc)).SetEnabled(false);
      await d.waitForStatus(acc, 'disconnected');
      // the account's own profile is the export: c-toxcore loads it with the same passphrase
      const exported = join(d.dataDir, 'accounts', idOf(acc), 'profile.tox');
      const loaded = await startToxcore({ label: 'exported', savedata: exported, passphrase: PASSWORD });
      expect((await loaded.info()).address).toBe(info.address);
      expect((await loaded.friends()).map((f) => f.public_key)).toContain(ctox.ready.public_key);
      await loaded.stop();
      await (await d.account(acc)).Remove();
    }
  });

  it('a wrong profile-password for an encrypted import is auth-failed, and names no secret', async () => {
    const dir = tempDir('tox-wrong-').path;
    const source = await startToxcore({ label: 'wrong' });
    await source.saveEncrypted(join(dir, 'e.tox'), 'another passphrase');
    await source.stop();
    const acc = await create('wrong', { import: join(dir, 'e.tox') });
    await d.waitForStatus(acc, 'disconnected', 'auth-failed', 20000);
    expect(String(await d.accountProp(acc, 'StatusDetail'))).not.toContain('another passphrase');
    await (await d.account(acc)).Remove();
  });

  it('changes nospam on the live session (as tox_self_set_nospam): a new Tox ID, the same key, and requests to the new one arrive', async () => {
    const old = await toxId(accounts.bob);
    const statuses = await d.statusLog(accounts.bob);
    await (await d.account(accounts.bob)).Update(variants({ nospam: '0badc0de' }), []);
    const now = await toxId(accounts.bob); // Update returns once the node has it
    expect(statuses).toEqual([]); // no reconnect: the DHT key and the onion announcements stay
    expect(now.slice(0, 64)).toBe(old.slice(0, 64));
    expect(now.slice(64, 72)).toBe('0BADC0DE');
    const asker = net.nodes[2];
    await asker.add(now, 'to the new nospam');
    await until(() => requests.find((r) => r[1] === asker.ready.public_key && r[2] === 'to the new nospam'), 40000, 'the request to the new Tox ID');
  });

  it('loses nothing when confabd is killed with messages queued: they go once, after both are back', async () => {
    const saved = join(tempDir('ctox-crash-').path, 'ctox.tox');
    await ctox.save(saved);
    await ctox.stop();
    await until(async () => (await contact(accounts.alice, ctox.ready.public_key))?.[2] === 'offline', 45000, 'c-toxcore to be seen offline');
    for (const i of [1, 2]) await send(accounts.alice, ctox.ready.public_key, `across a crash ${i}`);
    await d.kill();
    const back = await startToxcore({ label: 'ctox-back', savedata: saved });
    await net.join(back);
    await d.restart();
    await d.waitForStatus(accounts.alice, 'connected', undefined, 40000);
    await back.waitFor((e) => e.event === 'friend_connection_status' && e.connection !== 'none', 60000);
    await until(() => back.events().filter((e) => e.event === 'friend_message').length >= 2, 20000, 'the queued messages');
    const dm = await channelOf(accounts.alice, ctox.ready.public_key);
    await until(async () => (await d.history(dm)).filter((h) => h.body.startsWith('across a crash') && h.state === 'delivered').length === 2, 15000, 'them to be delivered');
    await forbid(() => back.events().filter((e) => e.event === 'friend_message').length > 2, 1000, 'a message queued across the crash sent twice');
    expect(back.events().filter((e) => e.event === 'friend_message').map((e) => (e as { text: string }).text)).toEqual(['across a crash 1', 'across a crash 2']);
    await back.stop();
  });
});
