import { silentLogger, validateParams, InvalidArgumentError, type StatusChange } from '@confab/sdk';
import { normalizeTarget, rfc1459Lower, targetKind } from '../src/casemap';
import { IrcConnection } from '../src/irc-connection';
import { IRC_PARAMETERS, IrcProtocol } from '../src/irc-protocol';
import { decodeLine } from '../src/socket-transport';
import { bodyBudget, splitMessage } from '../src/split';
import { buildLine } from '../src/irc-line';

describe('IRC names', () => {
  it('folds case the RFC 1459 way', () => {
    expect(rfc1459Lower('Nick[Away]\\~')).toBe('nick{away}|^');
    expect(normalizeTarget('#Confab')).toBe('#confab');
    expect(normalizeTarget(' Alice ')).toBe('alice');
  });

  it.each(['', '1abc', '-x', 'has space', 'a,b', 'x'.repeat(65), 'bad!nick'])('refuses the nickname %p', (nick) => {
    expect(() => normalizeTarget(nick)).toThrow(InvalidArgumentError);
  });

  it.each(['#with space', '#a,b', '#bell\x07'])('refuses the channel %p', (ch) => {
    expect(() => normalizeTarget(ch)).toThrow(/not a valid IRC channel/);
  });
});

describe('rooms or people', () => {
  it('takes a channel prefix of RFC 2812 §1.3 for a room when offline', () => {
    const irc = new IrcProtocol();
    expect(['#confab', '&local', '+modeless', '!12345chan', ' #spaced'].map((t) => irc.targetKind(t))).toEqual(['room', 'room', 'room', 'room', 'room']);
    expect(['alice', '[bot]', ''].map((t) => irc.targetKind(t))).toEqual(['direct', 'direct', 'direct']);
  });

  it("follows the server's CHANTYPES once it sent them, and cannot tell before", async () => {
    expect(targetKind('&local', '#')).toBe('direct');
    expect(targetKind('#confab', [])).toBe('direct'); // CHANTYPES= : a server without channels
    const conn = new IrcConnection({ id: 'irc_test', protocol: 'irc', params: { server: '127.0.0.1', nickname: 'me' } }, silentLogger);
    const kindOf = conn.rooms.kindOf!;
    expect(await kindOf('#confab')).toBeUndefined(); // not connected: the protocol's syntax decides
    const options: Record<string, unknown> = {};
    (conn as unknown as { client: { network: { options: Record<string, unknown> } } }).client = { network: { options } };
    expect(await kindOf('#confab')).toBeUndefined(); // connected, no ISUPPORT CHANTYPES yet
    options.CHANTYPES = ['#']; // as irc-framework keeps `CHANTYPES=#`
    expect([await kindOf('#confab'), await kindOf('&local'), await kindOf('alice')]).toEqual(['room', 'direct', 'direct']);
    conn.dispose();
  });
});

describe('IRC parameters', () => {
  it('takes a minimal account and fills in defaults through the protocol', () => {
    const p = validateParams(IRC_PARAMETERS, { server: 'irc.example.org', nickname: 'me' });
    expect(p).toEqual({ server: 'irc.example.org', nickname: 'me' });
    expect(new IrcProtocol().identifyAccount(p)).toBe('me@irc.example.org');
  });

  it.each([
    [{ nickname: 'me' }, /missing required parameter 'server'/],
    [{ server: 'x', nickname: 'me', port: 70000 }, /'port': must be a port number/],
    [{ server: 'x', nickname: 'me', port: 'ssl' }, /'port' must be an integer/],
    [{ server: 'x', nickname: '9lives' }, /'nickname': may hold only/],
    [{ server: 'bad host/', nickname: 'me' }, /'server': must be a host name/],
    [{ server: 'x', nickname: 'me', tls: 'maybe' }, /'tls' must be a boolean/],
  ])('refuses %p naming the parameter', (params, pattern) => {
    expect(() => validateParams(IRC_PARAMETERS, params)).toThrow(pattern);
  });

  it('keeps the password secret', () => {
    expect(IRC_PARAMETERS.find((s) => s.name === 'password')?.secret).toBe(true);
  });
});

describe('splitting long messages', () => {
  it('keeps short lines whole and splits on newlines', () => {
    expect(splitMessage('hello', 100)).toEqual(['hello']);
    expect(splitMessage('one\ntwo\r\n\nthree', 100)).toEqual(['one', 'two', 'three']);
  });

  it('never cuts inside a UTF-8 character and never exceeds the budget', () => {
    const body = 'é'.repeat(300) + '😀'.repeat(200) + ' end';
    const parts = splitMessage(body, 101);
    for (const p of parts) {
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(101);
      expect(p).not.toMatch(/\uFFFD/);
      expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
    }
    expect(parts.join('')).toBe(body);
  });

  it('prefers to cut at a space', () => {
    const words = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
    const parts = splitMessage(words, 60);
    for (const p of parts.slice(0, -1)) expect(p.endsWith(' ')).toBe(true);
    expect(parts.join('')).toBe(words);
  });

  it('leaves room for the prefix the server adds', () => {
    const budget = bodyBudget('nick', '#channel', 'PRIVMSG', false);
    expect(budget).toBeLessThan(512 - 'PRIVMSG #channel :'.length);
    expect(bodyBudget('nick', '#channel', 'PRIVMSG', true)).toBe(budget - 9);
  });
});

describe('decoding lines', () => {
  it('reads UTF-8, and falls back to Latin-1 for a line that is not UTF-8', () => {
    expect(decodeLine(Buffer.from('PRIVMSG #c :héllo', 'utf8'))).toBe('PRIVMSG #c :héllo');
    expect(decodeLine(Buffer.from([0x50, 0x3a, 0xe9, 0x74, 0xe9]))).toBe('P:été');
  });
});

describe('building lines', () => {
  it('puts the colon on the last parameter only when it needs one', () => {
    expect(buildLine(['PRIVMSG', '#c', 'hi'])).toBe('PRIVMSG #c hi');
    expect(buildLine(['PRIVMSG', '#c', 'hi there'])).toBe('PRIVMSG #c :hi there');
    expect(buildLine(['TOPIC', '#c', ''])).toBe('TOPIC #c :');
    expect(buildLine(['PRIVMSG', '#c', ':)'])).toBe('PRIVMSG #c ::)');
  });

  it('refuses line breaks, NUL and spaces in a middle parameter', () => {
    expect(() => buildLine(['TOPIC', '#c', 'a\r\nQUIT :x'])).toThrow(InvalidArgumentError);
    expect(() => buildLine(['KICK', '#c', 'a\0b'])).toThrow(InvalidArgumentError);
    expect(() => buildLine(['KICK', '#c x', 'y'])).toThrow(/one word/);
  });
});

describe('status (the SDK StatusHolder, issue 15)', () => {
  it('says disconnected once for disconnects that had nothing to end, and nothing after dispose', async () => {
    const conn = new IrcConnection({ id: 'irc_test', protocol: 'irc', params: { server: '127.0.0.1', nickname: 'me' } }, silentLogger);
    const seen: StatusChange[] = [];
    conn.onStatusChanged((s) => seen.push(s));
    await conn.disconnect();
    await conn.disconnect(); // an identical repeat: skipped (IRC used to announce every disconnected)
    expect(seen).toEqual([{ status: 'disconnected', reason: 'requested' }]);
    conn.dispose();
    await conn.disconnect();
    expect(seen).toHaveLength(1);
    expect(conn.status).toBe('disconnected');
  });
});
