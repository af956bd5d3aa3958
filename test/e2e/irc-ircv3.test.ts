/**
 * The IRC plugin on a modern network: inspircd 3 linked to atheme (real services). SASL PLAIN and
 * EXTERNAL log in (WHOIS shows the account to another client), a wrong SASL password is
 * `auth-failed` and never an unauthenticated login; with echo-message a send is confirmed by its
 * echo and carries the server's time and msgid; incoming messages carry server-time and msgid.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@confab/sdk';
import { disposeIrcConnections, ircConnection } from '../fixtures/irc/irc-connection';
import { makeCert } from '../fixtures/certs';
import { startInspircd, type Inspircd } from '../fixtures/irc/inspircd';
import { connectRawClient, type RawIrcClient } from '../fixtures/irc/raw-irc-client';
import { stopAll } from '../fixtures/processes';

const connection = ircConnection;

/** The services account a nick is logged in to, as another client sees it (RPL_WHOISACCOUNT 330). */
async function accountOf(raw: RawIrcClient, nick: string): Promise<string | undefined> {
  const from = raw.lines.length;
  raw.send(`WHOIS ${nick}`);
  await raw.waitFor((l) => l.command === '318', 10000, from); // RPL_ENDOFWHOIS
  return raw.lines.slice(from).find((l) => l.command === '330')?.params[2];
}

describe('IRC on inspircd + atheme', () => {
  let irc: Inspircd;
  let raw: RawIrcClient;

  beforeAll(async () => {
    irc = await startInspircd();
    await irc.registerAccount('alice', 'alice-pass');
    raw = await connectRawClient(irc.host, irc.port, 'observer');
  });
  afterAll(async () => {
    disposeIrcConnections();
    raw?.close();
    await irc?.stop();
    await stopAll();
  });

  it('SASL PLAIN logs in to the services account', async () => {
    const { conn } = connection({ server: irc.host, port: irc.port, nickname: 'alicephone', 'sasl-username': 'alice', 'sasl-password': 'alice-pass' });
    await conn.connect();
    expect(await accountOf(raw, 'alicephone')).toBe('alice');
    await conn.disconnect();
  });

  it('a wrong SASL password is auth-failed, not an anonymous login', async () => {
    const { conn, statuses } = connection({ server: irc.host, port: irc.port, nickname: 'alicefake', 'sasl-username': 'alice', 'sasl-password': 'not-it' });
    await expect(conn.connect()).rejects.toMatchObject({ code: 'AuthenticationFailed' });
    expect(statuses.at(-1)).toMatchObject({ status: 'disconnected', reason: 'auth-failed' });
    const from = raw.lines.length;
    raw.send('WHOIS alicefake');
    await raw.waitFor((l) => l.command === '318', 10000, from);
    expect(raw.lines.slice(from).some((l) => l.command === '311')).toBe(false); // RPL_WHOISUSER: not on the network
  });

  it('SASL EXTERNAL logs in with a client certificate known to NickServ', async () => {
    await irc.registerAccount('carol', 'carol-pass');
    const { cert, key } = makeCert(irc.dir, 'carol', 'carol');
    const pem = join(irc.dir, 'carol.pem');
    writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
    const fp = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256']).toString().split('=')[1].replace(/:/g, '').trim().toLowerCase();
    const c = await connectRawClient(irc.host, irc.port, 'carolsetup');
    c.send('PRIVMSG NickServ :IDENTIFY carol carol-pass');
    await c.waitFor((l) => l.command === '900', 10000); // RPL_LOGGEDIN
    c.send(`PRIVMSG NickServ :CERT ADD ${fp}`);
    await c.waitFor((l) => l.command === 'NOTICE' && /added/i.test(l.params[1] ?? ''), 10000);
    c.close();

    const { conn } = connection({ server: irc.host, port: irc.tlsPort, nickname: 'carolcert', tls: true, 'tls-ca': irc.caFile, 'tls-client-cert': pem });
    await conn.connect();
    expect(await accountOf(raw, 'carolcert')).toBe('carol');
    await conn.disconnect();
  });

  it('echo-message confirms a send with the server time and msgid; incoming messages carry them too', async () => {
    const { conn, messages } = connection({ server: irc.host, port: irc.port, nickname: 'echoer' });
    await conn.connect();
    const before = Date.now();
    const receipt = await conn.sendMessage({ token: '7', channel: { kind: 'direct', target: 'observer' }, body: 'echo me', kind: 'normal' });
    expect(receipt.protocolId).toBeTruthy(); // the msgid of the echo: the PING fallback gives none
    expect(receipt.serverTime!.getTime()).toBeGreaterThanOrEqual(before - 2000);
    await raw.waitFor((l) => l.command === 'PRIVMSG' && l.params[1] === 'echo me');
    expect(messages.some((m) => m.body === 'echo me')).toBe(false); // our echo is a confirmation, not a new message

    const long = 'ü'.repeat(700);
    const r2 = await conn.sendMessage({ token: '8', channel: { kind: 'direct', target: 'observer' }, body: long, kind: 'normal' });
    expect(r2.protocolId).toBeTruthy();
    const from = 0;
    await raw.waitFor((l) => l.command === 'PRIVMSG' && (l.params[1] ?? '').startsWith('ü'), 10000, from);

    raw.privmsg('echoer', 'timestamped');
    await waitFor(conn.onMessages, (m) => m.some((x) => x.body === 'timestamped'), 10000).catch(() => undefined);
    const got = messages.find((m) => m.body === 'timestamped')!;
    expect(got.serverTime).toBeInstanceOf(Date);
    expect(got.protocolId).toBeTruthy();

    // A refused line (no such nick) fails its message instead of waiting for an echo forever.
    await expect(conn.sendMessage({ token: '9', channel: { kind: 'direct', target: 'nobody-here' }, body: 'lost', kind: 'normal' })).rejects.toMatchObject({ code: 'NotFound' });
    await conn.disconnect();
  });
});
