/**
 * The diff test (issue 17): the same client scripts — mc-tool add, list, show, update, enable, request
 * … available, request … offline, remove, and the telepathy-glib text client polari-text.py (connection, room, members,
 * send, receive, a private message acknowledged) — run against Mission Control + telepathy-idle (on a
 * bus of their own where they are activatable) and against confabd, each bus watched by dbus-monitor.
 * Each log is reduced to the (interface, member) pairs the clients called; every pair called on
 * Mission Control/idle must be answered by Confab without an error (an error Mission Control/idle gave
 * too is no difference), except the known differences listed below with their reasons. Both sets and
 * the raw logs are kept under test/artifacts/ (telepathy-diff.json, telepathy-diff-*.log).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../fixtures/confabd';
import { withDaemon } from '../fixtures/jest/with-daemon';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { start, until } from '../fixtures/processes';
import { clientCalls, startMonitor, type CallOutcome } from '../fixtures/telepathy/bus-monitor';
import { startMissionControlBus } from '../fixtures/telepathy/mission-control';
import { mcToolIn, tpPath, uniqueNameOf, watchAccount } from '../fixtures/telepathy/tp-account';

const ARTIFACTS = join(REPO_ROOT, 'test', 'artifacts');
const TEXT_CLIENT = join(REPO_ROOT, 'test', 'fixtures', 'telepathy', 'polari-text.py');

/**
 * Pairs the clients call on Mission Control/idle that Confab need not answer as they do, and why.
 * Each must be a real difference: one that is no longer different is listed in the artifact as such.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {};

/**
 * Not a pair but a moment: mc-tool prepares the account's connection (GetContactAttributes of itself)
 * while it sends Set(RequestedPresence offline) or Remove, so that call can land after the teardown it
 * asked for. idle is still connected while its QUIT is under way and answers it; Confab drops the
 * connection's objects at once, so such a call gets UnknownMethod. Errors of calls on a Connection
 * sent after the client's own Remove/RequestedPresence are therefore kept apart (errorsInTeardown in
 * the artifact, printed) and not counted as unanswered.
 */
const TEARDOWN_RACE = 'calls on a Connection after the same client asked its account offline or removed it';

type Calls = Map<string, CallOutcome>;
const runs: { missionControl?: Calls; confab?: Calls } = {};
const asObject = (c?: Calls) => (c ? Object.fromEntries([...c].sort(([a], [b]) => a.localeCompare(b))) : null);

describe('the same Telepathy clients against Mission Control + telepathy-idle and against Confab', () => {
  const { d, use } = withDaemon();
  let irc: Ngircd;
  let peer: RawIrcClient;
  const verdict: { notAnswered: Record<string, string>; stillKnown: string[]; noLongerDifferent: string[]; confabOnly: string[] } = {
    notAnswered: {}, stillKnown: [], noLongerDifferent: [], confabOnly: [],
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    irc = use(await startNgircd());
    peer = use(await connectRawClient(irc.host, irc.port, 'peer'));
    peer.join('#room');
    await peer.waitFor((l) => l.command === '366', 5000); // RPL_ENDOFNAMES
  });

  afterAll(() => {
    writeFileSync(join(ARTIFACTS, 'telepathy-diff.json'), JSON.stringify({
      missionControlAndIdle: asObject(runs.missionControl), confab: asObject(runs.confab), knownDifferences: KNOWN_DIFFERENCES, verdict,
    }, null, 2) + '\n');
  });

  /**
   * polari-text.py through its steps, the peer playing its part; resolves when it exited 0. With
   * `undispatchable`, the private message's channel is expected to vanish under the client instead:
   * Mission Control destroys an unrequested channel that no registered Handler can take (this client
   * registers none: with no ChannelDispatcher on Confab yet, it takes channels from the Connection).
   */
  async function textClient(env: NodeJS.ProcessEnv, account: string, nick: string, undispatchable: boolean): Promise<void> {
    const py = start('/usr/bin/python3', [TEXT_CLIENT, account, '#room', 'peer'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const steps = () => py.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const step = async (name: string) => {
      const got = await until(() => steps().find((s) => s.error || s.step === name), 30000, `polari-text.py's step '${name}'`);
      if (got.error) throw new Error(`polari-text.py failed: ${String(got.error)}\n${py.output()}`);
      return got;
    };
    const from = peer.lines.length;
    await step('room');
    await step('sent');
    await peer.waitFor((l) => l.command === 'PRIVMSG' && l.params[0] === '#room' && l.prefix.startsWith(`${nick}!`), 10000, from);
    peer.privmsg('#room', 'hello from the peer');
    await step('room-message');
    peer.privmsg(nick, 'psst, privately');
    if (!undispatchable) {
      await step('acked');
      expect(await py.exited).toBe(0);
      return;
    }
    const err = await until(() => steps().find((s) => s.error || s.step === 'private'), 30000, 'the private channel to vanish');
    expect(String(err.error)).toMatch(/^private_prepared: (.*doesn't exist|Channel was closed)/); // destroyed before or while telepathy-glib prepared it
    await py.exited;
  }

  /** The scripts, on the bus of `env`, watched; resolves with what the clients called. */
  async function scripts(env: NodeJS.ProcessEnv, nick: string, label: string, notClients: string[]): Promise<Calls> {
    const address = env.DBUS_SESSION_BUS_ADDRESS!;
    const monitor = await startMonitor(address, join(ARTIFACTS, `telepathy-diff-${label}.log`));
    const name = (await mcToolIn(env, 'add', 'idle/irc', 'Diff', `string:account=${nick}`, `string:server=${irc.host}`, `uint:port=${irc.port}`, 'string:fullname=Diff')).trim();
    await mcToolIn(env, 'list');
    await mcToolIn(env, 'show', name);
    await mcToolIn(env, 'update', name, 'string:fullname=Diff Again');
    await mcToolIn(env, 'enable', name);
    const watch = await watchAccount(address, tpPath(name));
    await mcToolIn(env, 'request', name, 'available');
    await watch.waitStatus(0);
    watch.close();
    await textClient(env, tpPath(name), nick, label === 'mission-control');
    const offline = await watchAccount(address, tpPath(name));
    await mcToolIn(env, 'request', name, 'offline');
    await offline.waitStatus(2);
    offline.close();
    await mcToolIn(env, 'remove', name);
    return clientCalls(await monitor.stop(), [...notClients, watch.uniqueName, offline.uniqueName]);
  }

  it('Mission Control + telepathy-idle: the reference', async () => {
    const mc = await startMissionControlBus();
    try {
      runs.missionControl = await scripts(mc.env(), 'diffmc', 'mission-control', []);
      const pids = await mc.peerPids();
      expect(pids.missionControl).toBeGreaterThan(0); // Mission Control answered, on its own bus
    } finally {
      await mc.stop();
    }
    expect(runs.missionControl.size).toBeGreaterThan(10);
  }, 120000);

  it('Confab answers every call the clients made on Mission Control/idle, without an error', async () => {
    const reference = runs.missionControl;
    if (!reference) throw new Error('no reference: the Mission Control run failed');
    const confab = await scripts(d.env(), 'diffconfab', 'confab', [uniqueNameOf(d.client)]);
    runs.confab = confab;
    for (const [key, ref] of reference) {
      const got = confab.get(key);
      const newErrors = got ? Object.entries(got.errors).filter(([name]) => !(name in ref.errors)) : [];
      const problem = !got ? (ref.ok > 0 ? 'never called on Confab' : undefined) // no answer from Mission Control/idle either: no difference
        : newErrors.length ? newErrors.map(([n, m]) => `${n}: ${m}`).join('; ')
          : got.ok === 0 && ref.ok > 0 ? 'no answer' : undefined;
      if (problem && KNOWN_DIFFERENCES[key]) verdict.stillKnown.push(key);
      else if (problem) verdict.notAnswered[key] = problem;
      else if (KNOWN_DIFFERENCES[key]) verdict.noLongerDifferent.push(key);
    }
    verdict.confabOnly = [...confab.keys()].filter((k) => !reference.has(k));
    const raced = [...confab].filter(([, o]) => Object.keys(o.errorsInTeardown).length).map(([k, o]) => `${k}: ${JSON.stringify(o.errorsInTeardown)}`);
    if (raced.length) console.log(`${TEARDOWN_RACE} (known, not counted): ${raced.join('; ')}`);
    console.log(`diff: ${reference.size} pairs called on Mission Control/idle, ${confab.size} on Confab; ${JSON.stringify(verdict, null, 1)}`);
    expect(verdict.notAnswered).toEqual({});
  }, 120000);
});
