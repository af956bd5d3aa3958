/**
 * SIP accounts on registrars that do not take our presence (issue 14): most SIP services and a stock
 * kamailio.cfg answer PUBLISH 404/489/501, and some proxies route a PUBLISH like any request — to
 * the registered contact of its To, which is ourselves. Confab used to loop `connected` → "the
 * connection crashed: Invalid state transition from Terminated to Unpublished" → re-REGISTER every
 * ~0.7 s. Expected: the account stays `connected`, presence publishing is off for that registration
 * with one log line, and messages work both ways.
 */
import { sipAccount } from '../fixtures/accounts';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startKamailio, type Kamailio } from '../fixtures/sip/kamailio-server';
import { until } from '../fixtures/processes';

const USERS = { amy: 'amy-pw', ben: 'ben-pw', cid: 'cid-pw', dee: 'dee-pw' };
const REFUSED = 'the server does not take our presence';

describe.each([
  ['a registrar without presence (PUBLISH and SUBSCRIBE answered 404)', 'none', ['amy', 'ben']],
  ['a proxy that routes PUBLISH back to our own contact', 'relay', ['cid', 'dee']],
] as const)('confabd on %s', (_name, presence, [one, two]) => {
  const { d, received, use } = withDaemon();
  let k: Kamailio;
  /** Every Status an account took, in order, from PropertiesChanged. */
  const statuses = new Map<string, string[]>();
  const accounts: string[] = [];

  const create = async (user: string, transport: 'udp' | 'tcp') => {
    const path = await d.createAccount('sip', user, sipAccount(user, (USERS as Record<string, string>)[user], transport === 'udp' ? k.udpPort : k.tcpPort, transport));
    statuses.set(path, await d.statusLog(path));
    return path;
  };
  const publishesSeen = () => (k.output().match(/PUBLISH seen: /g) ?? []).length;
  const refusals = () => (d.proc.output().match(new RegExp(REFUSED, 'g')) ?? []).length;

  beforeAll(async () => {
    k = use(await startKamailio({ users: USERS, presence }));
  });

  it('stays connected, switches presence publishing off with one log line, and messages go both ways', async () => {
    accounts.push(await create(one, 'udp'), await create(two, 'tcp'));
    for (const a of accounts) await d.waitForStatus(a, 'connected');
    // the first PUBLISH of each registration is refused: publishing is off, said once per account
    await until(() => refusals() >= 2, 10000, 'both accounts to give up publishing');

    // a presence change now sends nothing more (the bug: every change overlapped a PUBLISH in flight)
    const before = publishesSeen();
    await (await d.manager()).SetPresence('away', 'not published');
    await (await d.manager()).SetPresence('available', '');

    await d.send(accounts[0], `${two}@127.0.0.1`, 'one to two');
    await d.send(accounts[1], `${one}@127.0.0.1`, 'two to one');
    for (const [body, account] of [['one to two', accounts[1]], ['two to one', accounts[0]]]) {
      expect(await until(() => received.find((r) => r.body === body), 10000, `'${body}'`)).toMatchObject({ account, outgoing: false });
    }
    const outbox = await d.channelOf(accounts[0], `${two}@127.0.0.1`);
    await until(async () => (await d.history(outbox)).find((h) => h.body === 'one to two')?.state === 'sent', 10000, 'the 200 to confirm it');

    expect(publishesSeen()).toBe(before);
    expect(refusals()).toBe(2);
    for (const a of accounts) {
      expect(await d.accountProp(a, 'Status')).toBe('connected');
      expect(statuses.get(a)).not.toContain('disconnected'); // never dropped on the way
    }
    expect(d.proc.output()).not.toContain('the connection crashed');
  });

  it('publishes again after a reconnect, once, and gives up again', async () => {
    const before = refusals();
    await (await d.account(accounts[0])).Reconnect();
    await d.waitForStatus(accounts[0], 'connected');
    await until(() => refusals() > before, 10000, 'the new registration to give up publishing');
    await d.send(accounts[0], `${two}@127.0.0.1`, 'after the reconnect');
    await until(() => received.find((r) => r.body === 'after the reconnect'), 10000, 'the message after the reconnect');
    expect(refusals()).toBe(before + 1);
    expect(await d.accountProp(accounts[0], 'Status')).toBe('connected');
  });
});
