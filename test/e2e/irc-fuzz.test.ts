/**
 * Fuzzing the IRC plugin's line handling with a bounded count: a fake server sends LINES lines made
 * by mutating valid server lines (truncation, inserted and flipped bytes, invalid UTF-8, missing or
 * extra parameters, odd tags, control characters), seeded so that a failure can be replayed
 * (FUZZ_SEED=n). A canary message follows every CANARY_EVERY lines. Nothing may throw out of the
 * plugin, the connection stays up, and every canary arrives.
 */
import { createServer, type Socket } from 'node:net';
import { silentLogger, type IncomingMessage } from '@confab/sdk';
import { IrcProtocol } from '@confab/plugin-irc';

const LINES = 4000;
const CANARY_EVERY = 100;
const SEEDS = process.env.FUZZ_SEED ? [Number(process.env.FUZZ_SEED)] : [0x5eed, 1, 2, 3, 4];

const CORPUS = [
  '@time=2026-11-25T10:00:00.000Z;msgid=abc :bob!b@h PRIVMSG #fuzz :hello there',
  ':bob!b@h PRIVMSG victim :\u0001ACTION waves\u0001',
  ':bob!b@h NOTICE victim :a notice',
  ':bob!b@h JOIN #fuzz',
  ':bob!b@h JOIN #fuzz bob :Bob Real',
  ':bob!b@h PART #fuzz :bye',
  ':bob!b@h KICK #fuzz carol :out',
  ':bob!b@h NICK bobby',
  ':bob!b@h QUIT :gone',
  ':bob!b@h TOPIC #fuzz :new topic',
  ':bob!b@h MODE #fuzz +ov carol dave',
  ':bob!b@h AWAY :lunch',
  ':bob!b@h ACCOUNT bobacct',
  ':bob!b@h CHGHOST newuser new.host',
  ':bob!b@h SETNAME :New Name',
  ':bob!b@h INVITE victim #other',
  ':irc.test 353 victim = #fuzz :@op +voice %half plain',
  ':irc.test 366 victim #fuzz :End of /NAMES list.',
  ':irc.test 332 victim #fuzz :the topic',
  ':irc.test 333 victim #fuzz bob 1700000000',
  ':irc.test 005 victim CHANTYPES=# PREFIX=(qaohv)~&@%+ CASEMAPPING=ascii NETWORK=Fuzz :are supported',
  ':irc.test 401 victim nobody :No such nick',
  ':irc.test 404 victim #fuzz :Cannot send',
  ':irc.test 433 * victim :Nickname is already in use',
  ':irc.test 900 victim victim!v@h acct :You are now logged in',
  ':irc.test CAP victim NEW :echo-message',
  ':irc.test CAP victim DEL :server-time',
  ':irc.test BATCH +b1 chathistory #fuzz',
  '@batch=b1 :bob!b@h PRIVMSG #fuzz :in a batch',
  ':irc.test BATCH -b1',
  ':irc.test PONG irc.test :confab-nothing',
  'PING :irc.test',
  ':irc.test 372 victim :- motd',
  ':irc.test 999 victim weird :unknown numeric',
];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(line: string, rnd: () => number): Buffer {
  let b = Buffer.from(line, 'utf8');
  const ops = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(rnd() * (b.length + 1));
    switch (Math.floor(rnd() * 9)) {
      case 0: b = b.subarray(0, at); break; // truncate
      case 1: b = Buffer.concat([b.subarray(0, at), Buffer.from([Math.floor(rnd() * 256)]), b.subarray(at)]); break; // insert a byte
      case 2: if (b.length) b[Math.min(at, b.length - 1)] ^= 1 << Math.floor(rnd() * 8); break; // flip a bit
      case 3: b = Buffer.concat([b.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), b.subarray(at)]); break; // invalid UTF-8
      case 4: b = Buffer.from(b.toString('latin1').replace(/ :.*$/, ''), 'latin1'); break; // drop the trailing parameter
      case 5: b = Buffer.concat([b, Buffer.from(' extra '.repeat(1 + Math.floor(rnd() * 40)))]); break; // extra parameters
      case 6: b = Buffer.concat([Buffer.from(`@${'k='.repeat(Math.floor(rnd() * 50))};=;\\ `), b]); break; // odd tags
      case 7: b = Buffer.concat([b.subarray(0, at), Buffer.from([0, 1, 7, 13, 27]), b.subarray(at)]); break; // control bytes (CR included)
      case 8: b = Buffer.concat([b, Buffer.from('Z'.repeat(Math.floor(rnd() * 3000)))]); break; // long
    }
  }
  return b;
}

it.each(SEEDS)(`survives ${LINES} mutated server lines (seed %p) and delivers every canary`, async (seed) => {
  const rnd = mulberry32(seed);
  let client: Socket | undefined;
  const server = createServer((s) => {
    client = s;
    s.on('error', () => {});
    s.once('data', () => {
      s.write(':irc.test 001 victim :Welcome\r\n:victim!v@h JOIN #fuzz\r\n');
      const chunks: Buffer[] = [];
      for (let i = 0; i < LINES; i++) {
        chunks.push(mutate(CORPUS[Math.floor(rnd() * CORPUS.length)], rnd), Buffer.from('\r\n'));
        if (i % CANARY_EVERY === CANARY_EVERY - 1) chunks.push(Buffer.from(`:canary!c@h PRIVMSG #fuzz :canary ${i}\r\n`));
      }
      s.write(Buffer.concat(chunks));
      s.write(':canary!c@h PRIVMSG #fuzz :canary end\r\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const conn = new IrcProtocol().createConnection({ id: 'f', protocol: 'irc', params: { server: '127.0.0.1', port, nickname: 'victim' } }, { log: silentLogger });
  const got: IncomingMessage[] = [];
  conn.onMessages((m) => got.push(...m));
  const errors: unknown[] = [];
  const onError = (e: unknown) => errors.push(e);
  process.on('uncaughtException', onError);
  try {
    await conn.connect();
    const deadline = Date.now() + 20000;
    while (!got.some((m) => m.body === 'canary end') && Date.now() < deadline && conn.status === 'connected') await new Promise((r) => setTimeout(r, 20));
    expect(errors).toEqual([]);
    expect(conn.status).toBe('connected');
    const canaries = got.filter((m) => m.sender.id === 'canary').map((m) => m.body);
    const expected = Array.from({ length: LINES / CANARY_EVERY }, (_, k) => `canary ${k * CANARY_EVERY + CANARY_EVERY - 1}`).concat('canary end');
    for (const c of expected) expect(canaries).toContain(c);
  } finally {
    process.off('uncaughtException', onError);
    conn.dispose();
    client?.destroy();
    server.close();
  }
});
