import { keyPairFromSecret } from '../src/crypto/keys';
import { FrameReader, sealFrame } from '../src/tcp/framing';
import { answerClientHandshake, makeClientHandshake, openServerHandshake } from '../src/tcp/handshake';
import { decodeRelayPacket, encodeOob, encodePing, encodeRoutingRequest } from '../src/tcp/packets';

const fill = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

// Fixed keys and nonces; the expected bytes were written by a throwaway C program calling libsodium the
// way c-toxcore 0.2.18 does (crypto_core.c: encrypt_precompute = crypto_box_beforenm,
// encrypt_data_symmetric = crypto_box_easy_afternm), laid out as TCP_client.c generate_handshake,
// TCP_server.c handle_TCP_handshake and TCP_common.c write_packet_TCP_secure_connection lay them out.
const client = keyPairFromSecret(fill(32, 0x01));
const relay = keyPairFromSecret(fill(32, 0x41));
const clientTemp = keyPairFromSecret(fill(32, 0x81));
const relayTemp = keyPairFromSecret(fill(32, 0xc1));
const CLIENT_BASE = fill(24, 0x10);
const CLIENT_OUTER = fill(24, 0x30);
const RELAY_BASE = fill(24, 0x50);
const RELAY_OUTER = fill(24, 0x70);
const V = {
  clientHandshake: '07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c303132333435363738393a3b3c3d3e3f40414243444546470d9ede1215747a4af82cfc6608f62f6f330c6151338b201e3058432cc226457aaf7ae41c5e84ff1f1171751c66a64353d05afa649a0c43a6d766a2ac3d3e7fbb239a443d84680597',
  serverAnswer: '707172737475767778797a7b7c7d7e7f8081828384858687bec4a69d32b3551d265aa8e0732f54eeeab37ccfcb75e99cab3f8da53548fd84f07ca14b8dafe0712f449086c351de6a3c921be78d2fea1a696738f7c40d140ca04a541c17afef83',
  frameRoutingRequest: '003197a1298dd001004b34b591e416c379ef4d86ae8e414ffcffb67d4bc67c8305608ac53d73d04977fdfc14d1d386abf95ddf',
  frameRoutingResponse: '0032d3888eca5e51a02cf2b553bb35199ad46022ff223fabde4563dc67402eeb7e538eb125a417f0ca29eb6abd5ea488f116a757',
  frameConnectionNotification: '0012920ffa75df645d5eacbe3566762387299804',
};

describe('TCP relay handshake (TCP_client.c / TCP_server.c)', () => {
  test('our handshake is byte for byte what c-toxcore writes', () => {
    const p = makeClientHandshake(client, relay.publicKey, clientTemp, CLIENT_BASE, CLIENT_OUTER);
    expect(p.packet.length).toBe(128);
    expect(hex(p.packet)).toBe(V.clientHandshake);
  });

  test("the relay's answer opens into the session; frames both ways match c-toxcore's", () => {
    const p = makeClientHandshake(client, relay.publicKey, clientTemp, CLIENT_BASE, CLIENT_OUTER);
    const session = openServerHandshake(p, bytes(V.serverAnswer))!;
    expect(session).toBeDefined();
    expect(hex(sealFrame(session, encodeRoutingRequest(fill(32, 0xa0))))).toBe(V.frameRoutingRequest);
    // the relay's first two frames, in two chunks split mid-frame
    const all = bytes(V.frameRoutingResponse + V.frameConnectionNotification);
    const reader = new FrameReader(session);
    const a = reader.push(all.subarray(0, 30));
    const b = reader.push(all.subarray(30));
    expect(a.packets).toHaveLength(0);
    expect(b.error).toBeUndefined();
    expect(b.packets.map(decodeRelayPacket)).toEqual([
      { kind: 'routing-response', connectionId: 16, publicKey: fill(32, 0xa0) },
      { kind: 'connection-notification', connectionId: 16 },
    ]);
  });

  test('our relay side (for fake relays) answers exactly as c-toxcore does', () => {
    const r = answerClientHandshake(relay, bytes(V.clientHandshake), relayTemp, RELAY_BASE, RELAY_OUTER)!;
    expect(hex(r.clientPk)).toBe(hex(client.publicKey));
    expect(hex(r.answer)).toBe(V.serverAnswer);
  });

  test('an answer under another key, of another size, or tampered does not open', () => {
    const p = makeClientHandshake(client, relay.publicKey, clientTemp, CLIENT_BASE, CLIENT_OUTER);
    const bad = bytes(V.serverAnswer);
    bad[50] ^= 1;
    expect(openServerHandshake(p, bad)).toBeUndefined();
    expect(openServerHandshake(p, bytes(V.serverAnswer).subarray(0, 95))).toBeUndefined();
    const other = makeClientHandshake(client, keyPairFromSecret(fill(32, 9)).publicKey, clientTemp, CLIENT_BASE, CLIENT_OUTER);
    expect(openServerHandshake(other, bytes(V.serverAnswer))).toBeUndefined();
  });
});

describe('TCP relay frames and packets', () => {
  const session = () => openServerHandshake(makeClientHandshake(client, relay.publicKey, clientTemp, CLIENT_BASE, CLIENT_OUTER), bytes(V.serverAnswer))!;

  test('a length over MAX_PACKET_SIZE, a short length or a bad box ends the stream', () => {
    expect(new FrameReader(session()).push(Uint8Array.of(0x08, 0x01, 0)).error).toBe('bad-length');
    expect(new FrameReader(session()).push(Uint8Array.of(0x00, 0x10)).error).toBe('bad-length');
    const f = bytes(V.frameRoutingResponse);
    f[10] ^= 0x80;
    const r = new FrameReader(session());
    expect(r.push(f).error).toBe('bad-box');
    expect(r.push(bytes(V.frameConnectionNotification)).error).toBe('bad-box'); // nothing more is read
  });

  test('sealFrame refuses empty and oversized packets', () => {
    expect(() => sealFrame(session(), new Uint8Array(0))).toThrow(RangeError);
    expect(() => sealFrame(session(), new Uint8Array(2048 - 15))).toThrow(RangeError);
  });

  test('decodeRelayPacket: every kind, and what a relay may not send', () => {
    expect(decodeRelayPacket(encodePing('ping', fill(8, 1)))).toEqual({ kind: 'ping', pingId: fill(8, 1) });
    expect(decodeRelayPacket(Uint8Array.of(5, ...fill(8, 1)))).toEqual({ kind: 'pong', pingId: fill(8, 1) });
    expect(decodeRelayPacket(Uint8Array.of(7, ...fill(32, 0), 9))).toEqual({ kind: 'oob-recv', publicKey: fill(32, 0), data: Uint8Array.of(9) });
    expect(decodeRelayPacket(Uint8Array.of(9, 0x84, 1))).toEqual({ kind: 'onion-response', data: Uint8Array.of(0x84, 1) });
    expect(decodeRelayPacket(Uint8Array.of(3, 20))).toEqual({ kind: 'disconnect-notification', connectionId: 20 });
    expect(decodeRelayPacket(Uint8Array.of(200, 0x1b, 1))).toEqual({ kind: 'data', connectionId: 200, data: Uint8Array.of(0x1b, 1) });
    for (const bad of [Uint8Array.of(4), Uint8Array.of(1, 16), Uint8Array.of(2, 3), Uint8Array.of(2, 16, 0), Uint8Array.of(4, 1, 2),
      Uint8Array.of(7, ...fill(32, 0)), Uint8Array.of(0, ...fill(32, 0)), Uint8Array.of(6, ...fill(33, 0)), Uint8Array.of(12, 1)]) {
      expect(decodeRelayPacket(bad).kind).toBe('bad');
    }
  });

  test('decodeRelayPacket never throws on random input (seeded, bounded)', () => {
    let seed = 20;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    for (let i = 0; i < 5000; i++) {
      const p = Uint8Array.from({ length: rnd() % 64 }, rnd);
      expect(() => decodeRelayPacket(p)).not.toThrow();
    }
  });

  test('encodeOob bounds its data (TCP_MAX_OOB_DATA_LENGTH)', () => {
    expect(encodeOob(fill(32, 0), Uint8Array.of(1)).length).toBe(34);
    expect(() => encodeOob(fill(32, 0), new Uint8Array(1025))).toThrow(RangeError);
    expect(() => encodeOob(fill(32, 0), new Uint8Array(0))).toThrow(RangeError);
  });
});
