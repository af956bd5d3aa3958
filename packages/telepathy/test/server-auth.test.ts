/**
 * The ServerAuthentication channel's SASL state machine (spec 0.27 SASL_Status) and the tombstones of
 * gone connections, on a fake bus that records what is exported and sent (the e2e test,
 * test/e2e/telepathy-auth.test.ts, runs them against telepathy-glib).
 */
import dbus from 'dbus-next';
import { SASL, SASL_IFACE, ServerAuthChannel } from '../src/channels/server-auth-channel';
import { Tombstones } from '../src/connections/tombstones';
import { loadContract } from '../src/dbus/contract';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } } as never;
const ctx = { redact: (t: string) => t, log: silent };
const TP = 'org.freedesktop.Telepathy';

type Iface = Record<string, (...a: unknown[]) => unknown> & { $name: string };

async function channel() {
  const exported: Iface[] = [];
  const bus = { export: (_p: string, i: unknown) => void exported.push(i as Iface), unexport: jest.fn() };
  const events = { password: jest.fn(), aborted: jest.fn(), closed: jest.fn() };
  const ch = new ServerAuthChannel({ bus: bus as never, contract: await loadContract(), ctx, path: '/c/ServerAuthentication1', username: 'alice' }, events);
  ch.export();
  const sasl = exported.find((i) => i.$name === SASL_IFACE)!;
  const status = () => sasl.SASLStatus as unknown as number;
  const errorOf = (f: () => unknown): string | undefined => {
    try {
      f();
      return undefined;
    } catch (err) {
      return (err as { type: string }).type;
    }
  };
  return { ch, sasl, status, events, bus, errorOf };
}

describe('ServerAuthChannel (X-TELEPATHY-PASSWORD)', () => {
  it('In_Progress with the password, then Server_Succeeded and AcceptSASL → Succeeded', async () => {
    const { ch, sasl, status, events } = await channel();
    expect(status()).toBe(SASL.NOT_STARTED);
    sasl.StartMechanismWithData('X-TELEPATHY-PASSWORD', Buffer.from('sésame'));
    expect(events.password).toHaveBeenCalledWith('sésame');
    expect(status()).toBe(SASL.IN_PROGRESS);
    expect(ch.answered).toBe(true);
    ch.serverSucceeded();
    expect(status()).toBe(SASL.SERVER_SUCCEEDED);
    sasl.AcceptSASL();
    expect(status()).toBe(SASL.SUCCEEDED);
    expect(JSON.stringify(ch.immutable())).not.toContain('sésame');
  });

  it('an AcceptSASL while the server tries is Client_Accepted, and the success is Succeeded', async () => {
    const { ch, sasl, status } = await channel();
    sasl.StartMechanismWithData('X-TELEPATHY-PASSWORD', Buffer.from('pw'));
    sasl.AcceptSASL();
    expect(status()).toBe(SASL.CLIENT_ACCEPTED);
    ch.serverSucceeded();
    expect(status()).toBe(SASL.SUCCEEDED);
  });

  it('a refused password is Server_Failed with the error, and AcceptSASL is NotAvailable then', async () => {
    const { ch, sasl, status, errorOf } = await channel();
    sasl.StartMechanismWithData('X-TELEPATHY-PASSWORD', Buffer.from('pw'));
    ch.serverFailed(`${TP}.Error.AuthenticationFailed`, 'refused (464)');
    expect(status()).toBe(SASL.SERVER_FAILED);
    expect(sasl.SASLError).toBe(`${TP}.Error.AuthenticationFailed`);
    expect(errorOf(() => sasl.AcceptSASL())).toBe(`${TP}.Error.NotAvailable`);
    expect(errorOf(() => sasl.StartMechanismWithData('X-TELEPATHY-PASSWORD', Buffer.from('again')))).toBe(`${TP}.Error.NotAvailable`);
  });

  it('AbortSASL or Close before a password: Client_Failed (Cancelled), the abort told once', async () => {
    const a = await channel();
    a.sasl.AbortSASL(1, 'no password');
    expect(a.status()).toBe(SASL.CLIENT_FAILED);
    expect(a.sasl.SASLError).toBe(`${TP}.Error.Cancelled`);
    expect(a.events.aborted).toHaveBeenCalledTimes(1);
    const b = await channel();
    b.ch.close(true);
    expect(b.status()).toBe(SASL.CLIENT_FAILED);
    expect(b.events.aborted).toHaveBeenCalledTimes(1);
    expect(b.events.closed).toHaveBeenCalledWith('/c/ServerAuthentication1');
    expect(b.ch.isClosed).toBe(true);
    b.ch.close(true);
    expect(b.events.closed).toHaveBeenCalledTimes(1);
  });

  it('refuses other mechanisms, missing data, line breaks, NULs and overlong passwords, without taking any', async () => {
    const { sasl, status, events, errorOf } = await channel();
    expect(errorOf(() => sasl.StartMechanismWithData('PLAIN', Buffer.from('x')))).toBe(`${TP}.Error.NotImplemented`);
    expect(errorOf(() => sasl.StartMechanism('X-TELEPATHY-PASSWORD'))).toBe(`${TP}.Error.InvalidArgument`);
    for (const bad of ['', 'a\r\nQUIT', 'a\nb', 'a\0b', 'x'.repeat(401)]) {
      expect(errorOf(() => sasl.StartMechanismWithData('X-TELEPATHY-PASSWORD', Buffer.from(bad)))).toBe(`${TP}.Error.InvalidArgument`);
    }
    expect(errorOf(() => sasl.Respond(Buffer.from('x')))).toBe(`${TP}.Error.NotAvailable`);
    expect(errorOf(() => sasl.AcceptSASL())).toBe(`${TP}.Error.NotAvailable`);
    expect(status()).toBe(SASL.NOT_STARTED);
    expect(events.password).not.toHaveBeenCalled();
  });
});

describe('Tombstones', () => {
  const CONN = '/org/freedesktop/Telepathy/Connection/idle/irc/a_1';
  function setup() {
    let handler: ((m: unknown) => boolean) | undefined;
    const sent: Array<{ errorName?: string; body: unknown[] }> = [];
    let now = 1000;
    const bus = {
      addMethodHandler: (h: (m: unknown) => boolean) => { handler = h; },
      removeMethodHandler: () => { handler = undefined; },
      send: (m: { errorName?: string; body: unknown[] }) => void sent.push(m),
    };
    const t = new Tombstones(bus as never, () => now);
    const call = (path: string, iface = `${TP}.Connection`, flags = 0) =>
      handler?.(new dbus.Message({ type: dbus.MessageType.METHOD_CALL, serial: 7, sender: ':1.9', path, interface: iface, member: 'GetStatus', flags })) ?? false;
    return { t, sent, call, tick: (ms: number) => { now += ms; }, installed: () => handler !== undefined };
  }

  it('answers calls on a buried connection and its channels with Disconnected, leaves others and introspection', () => {
    const { t, sent, call } = setup();
    t.bury(CONN);
    expect(call(CONN)).toBe(true);
    expect(call(`${CONN}/Channel3`, `${TP}.Channel`)).toBe(true);
    expect(sent.map((m) => m.errorName)).toEqual([`${TP}.Error.Disconnected`, `${TP}.Error.Disconnected`]);
    expect(call(`${CONN}0`)).toBe(false); // another connection's path that merely starts alike
    expect(call('/org/freedesktop/Telepathy/AccountManager')).toBe(false);
    expect(call(CONN, 'org.freedesktop.DBus.Introspectable')).toBe(false);
    expect(call(CONN, `${TP}.Connection`, 1)).toBe(true); // NO_REPLY_EXPECTED: handled, nothing sent
    expect(sent).toHaveLength(2);
  });

  it('is bounded: gone after 10 minutes, and only the last 64 kept; dispose removes the handler', () => {
    const { t, call, tick, installed } = setup();
    t.bury(CONN);
    tick(10 * 60 * 1000);
    expect(call(CONN)).toBe(false);
    for (let i = 0; i < 65; i++) t.bury(`${CONN}_${i}`);
    expect(t.has(`${CONN}_0`)).toBe(false);
    expect(t.has(`${CONN}_64`)).toBe(true);
    t.dispose();
    expect(installed()).toBe(false);
  });
});
