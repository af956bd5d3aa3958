/**
 * Hostile TCP relays (issue 20) against our relay client (packages/plugin-tox src/tcp): fake relays on
 * 127.0.0.1 that send garbage instead of the handshake, stall before it, send garbage frames or a
 * packet a relay may not send after a good handshake, or stop answering pings. Each must end the
 * connection with its reason, be counted, never throw, and be given up after a bounded number of
 * reconnects. Short timeouts (options) keep it quick.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { keyPairFromSecret, newKeyPair, randomBytes } from '../../packages/plugin-tox/src/crypto/keys';
import { TCP_CLIENT_HANDSHAKE_SIZE } from '../../packages/plugin-tox/src/tcp/constants';
import { sealFrame } from '../../packages/plugin-tox/src/tcp/framing';
import { answerClientHandshake } from '../../packages/plugin-tox/src/tcp/handshake';
import { TcpRelays } from '../../packages/plugin-tox/src/tcp/tcp-relays';
import { until } from '../fixtures/processes';

type Behaviour = 'garbage' | 'stall' | 'garbage-frame' | 'bad-packet' | 'no-pong';

const relayKeys = keyPairFromSecret(randomBytes(32));

/** A fake relay: counts connections; after a good handshake (where it gives one) does as told. */
async function fakeRelay(behaviour: Behaviour): Promise<{ server: Server; port: number; connections: () => number; sockets: Socket[] }> {
  let n = 0;
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    n++;
    sockets.push(s);
    s.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    s.on('data', (b) => {
      if (behaviour === 'stall') return;
      if (behaviour === 'garbage') { s.write(randomBytes(96)); return; }
      buf = Buffer.concat([buf, b]);
      if (buf.length < TCP_CLIENT_HANDSHAKE_SIZE) return;
      if (buf.length > TCP_CLIENT_HANDSHAKE_SIZE) return; // past the handshake: read and ignored (pings unanswered)
      const r = answerClientHandshake(relayKeys, new Uint8Array(buf), newKeyPair(), randomBytes(24), randomBytes(24))!;
      s.write(r.answer);
      buf = Buffer.concat([buf, Buffer.alloc(1)]); // the handshake is done
      if (behaviour === 'garbage-frame') s.write(randomBytes(200));
      if (behaviour === 'bad-packet') s.write(sealFrame(r.session, Uint8Array.of(0, 1, 2))); // a routing request: clients never get one
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  return { server, port, connections: () => n, sockets };
}

describe('hostile TCP relays', () => {
  const cases: Array<[Behaviour, string]> = [
    ['garbage', 'bad-handshake'],
    ['stall', 'timeout'],
    ['garbage-frame', 'bad-frame'],
    ['bad-packet', 'bad-packet'],
    ['no-pong', 'ping-timeout'],
  ];
  test.each(cases)('a relay that does %s: dropped as %s, counted, given up after 3 tries', async (behaviour, reason) => {
    const fake = await fakeRelay(behaviour);
    const relays = new TcpRelays({ self: newKeyPair(), maxFailures: 3, relay: { connectTimeoutMs: 400, pingEveryMs: 200, pingTimeoutMs: 300 } });
    try {
      relays.start();
      relays.add({ transport: 'tcp', address: { host: '127.0.0.1', port: fake.port }, publicKey: relayKeys.publicKey });
      relays.addPeer(newKeyPair().publicKey);
      // reconnects after 1 s, then 2 s: given up at the third failure
      await until(() => relays.stats.givenUp === 1, 15_000, `${behaviour}: given up`);
      const s = relays.stats;
      expect(s.closed[reason]).toBe(3);
      expect(s.connects).toBe(3);
      expect(fake.connections()).toBe(3);
      expect(s.up).toBe(0);
      expect(relays.send(newKeyPair().publicKey, Uint8Array.of(1, 2, 3))).toBe(false);
      await new Promise((r) => setTimeout(r, 1500));
      expect(fake.connections()).toBe(3); // no more tries
    } finally {
      relays.dispose();
      for (const s of fake.sockets) s.destroy();
      await new Promise((r) => fake.server.close(r));
    }
  }, 30_000);
});
