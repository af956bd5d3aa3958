/**
 * The IRC plugin on its own against real ngircd: TLS verified against a given CA, `cert-invalid`
 * without it, `auth-failed` for a wrong server password; and a hostile "server" sending garbage,
 * 10 KB lines, invalid UTF-8, unknown numerics and a numeric flood — no crash, no hang.
 */
import { createServer, type Socket } from 'node:net';
import { waitFor } from '@confab/sdk';
import { disposeIrcConnections, ircConnection } from '../fixtures/irc/irc-connection';
import { startNgircd, type Ngircd } from '../fixtures/irc/ngircd';
import { connectRawClient } from '../fixtures/irc/raw-irc-client';
import { stopAll } from '../fixtures/processes';

const connection = ircConnection;

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

afterAll(async () => {
  disposeIrcConnections();
  await stopAll();
});

describe('IRC over TLS (ngircd with a self-signed certificate)', () => {
  let irc: Ngircd;
  beforeAll(async () => {
    irc = await startNgircd({ tls: true });
  });
  afterAll(() => irc?.stop());

  it('refuses a certificate it cannot verify, with reason cert-invalid naming the problem', async () => {
    const { conn, statuses } = connection({ server: '127.0.0.1', port: irc.tlsPort!, nickname: 'tlsno', tls: true });
    const err = await rejection(conn.connect());
    expect(err.code).toBe('CertificateInvalid');
    expect(err.message).toMatch(/self[- ]signed/i);
    expect(statuses.at(-1)).toMatchObject({ status: 'disconnected', reason: 'cert-invalid' });
  });

  it('connects when given the CA, and talks', async () => {
    const { conn, messages } = connection({ server: '127.0.0.1', port: irc.tlsPort!, nickname: 'tlsyes', tls: true, 'tls-ca': irc.caFile! });
    await conn.connect();
    expect(conn.status).toBe('connected');
    const raw = await connectRawClient(irc.host, irc.port, 'plainbob');
    raw.privmsg('tlsyes', 'over tls');
    await waitFor(conn.onMessages, (m) => m.some((x) => x.body === 'over tls'), 10000).catch(() => undefined);
    expect(messages.find((m) => m.body === 'over tls')).toMatchObject({ channel: { kind: 'direct', target: 'plainbob' }, kind: 'normal' });
    await conn.sendMessage({ token: '1', channel: { kind: 'direct', target: 'plainbob' }, body: 'back over tls', kind: 'normal' });
    await raw.waitFor((l) => l.command === 'PRIVMSG' && l.params[1] === 'back over tls');
    raw.close();
    await conn.disconnect();
    expect(conn.status).toBe('disconnected');
  });

  it('answers CTCP PING and VERSION', async () => {
    const { conn } = connection({ server: '127.0.0.1', port: irc.port, nickname: 'ctcpme' });
    await conn.connect();
    const raw = await connectRawClient(irc.host, irc.port, 'asker');
    raw.privmsg('ctcpme', '\u0001PING 1234567\u0001');
    raw.privmsg('ctcpme', '\u0001VERSION\u0001');
    await raw.waitFor((l) => l.command === 'NOTICE' && l.params[1] === '\u0001PING 1234567\u0001');
    await raw.waitFor((l) => l.command === 'NOTICE' && /^\u0001VERSION Confab/.test(l.params[1] ?? ''));
    raw.close();
    await conn.disconnect();
  });

  it('says a plain port does not speak TLS', async () => {
    const { conn } = connection({ server: '127.0.0.1', port: irc.port, nickname: 'tlsplain', tls: true, 'tls-ca': irc.caFile! });
    const err = await rejection(conn.connect());
    expect(err.code).toBe('NetworkError');
  });
});

describe('IRC server password', () => {
  let irc: Ngircd;
  beforeAll(async () => {
    irc = await startNgircd({ password: 'right-pass' });
  });
  afterAll(() => irc?.stop());

  it('a wrong password gives auth-failed', async () => {
    const { conn, statuses } = connection({ server: '127.0.0.1', port: irc.port, nickname: 'wrongpw', password: 'wrong-pass' });
    const err = await rejection(conn.connect());
    expect(err.code).toBe('AuthenticationFailed');
    expect(statuses.at(-1)).toMatchObject({ status: 'disconnected', reason: 'auth-failed' });
  });

  it('the right one connects', async () => {
    const { conn } = connection({ server: '127.0.0.1', port: irc.port, nickname: 'rightpw', password: 'right-pass' });
    await conn.connect();
    await conn.disconnect();
  });
});

describe('a hostile server', () => {
  it('survives garbage, huge lines, invalid UTF-8 and a numeric flood, and still delivers what is valid', async () => {
    let client: Socket | undefined;
    const server = createServer((s) => {
      client = s;
      s.on('error', () => {});
      s.once('data', () => {
        const w = (x: string | Buffer) => s.write(x);
        w(':evil 001 victim :Welcome\r\n');
        w('\r\n\r\n   \r\n:\r\n@\r\n@a=b\r\n:only-prefix\r\n'); // empty and truncated lines
        w(':evil 999 victim what is this :numeric\r\n'); // unknown numeric
        w(`:evil NOTICE victim :${'x'.repeat(10_000)}\r\n`); // a 10 KB line
        w(`${'y'.repeat(20_000)}`); // 20 KB with no newline yet
        w('\r\n');
        w(Buffer.concat([Buffer.from(':bob!b@h PRIVMSG victim :caf'), Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from('\r\n')])); // invalid UTF-8
        for (let i = 0; i < 5000; i++) w(`:evil 372 victim :- motd line ${i}\r\n`); // a numeric flood
        w(':bob!b@h PRIVMSG victim :still here\r\n');
        w('PING :keepalive\r\n');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const { conn, messages } = connection({ server: '127.0.0.1', port, nickname: 'victim' });
    await conn.connect();
    await waitFor(conn.onMessages, (m) => m.some((x) => x.body === 'still here'), 10000).catch(() => undefined);
    const bodies = messages.map((m) => m.body);
    expect(bodies).toContain('still here');
    expect(bodies).toContain('caf\u00e9\u00ff\u00fe'); // decoded as Latin-1, not dropped
    expect(conn.status).toBe('connected');
    client?.destroy();
    server.close();
  });
});

describe('a server that goes silent', () => {
  it('is given up after the ping timeout, with a reason that says so', async () => {
    const sockets: Socket[] = [];
    const server = createServer((s) => {
      sockets.push(s);
      s.on('error', () => {});
      s.once('data', () => s.write(':silent 001 sleepy :Welcome\r\n')); // then never another byte
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const { conn, statuses } = connection({ server: '127.0.0.1', port, nickname: 'sleepy', 'ping-timeout': 3 });
    await conn.connect();
    await waitFor(conn.onStatusChanged, (s) => s.status === 'disconnected', 15000);
    expect(statuses.at(-1)).toMatchObject({ status: 'disconnected', reason: 'network-error' });
    expect(statuses.at(-1)!.detail).toMatch(/no answer from the server for 3 s \(ping timeout\)/);
    for (const s of sockets) s.destroy();
    server.close();
  });
});
