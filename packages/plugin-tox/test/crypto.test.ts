import nacl from 'tweetnacl';
import { decrypt, encrypt, precompute } from '../src/crypto/box';
import { keyPairFromSecret, newKeyPair, toHex } from '../src/crypto/keys';
import { incrementNonce, incrementNonceBy, randomNonce } from '../src/crypto/nonce';
import { SharedKeyCache } from '../src/crypto/shared-key-cache';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const counting = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => n + i);

// Vectors printed by a throwaway C program linked with c-toxcore 0.2.18's libtoxcore.a
// (increment_nonce, increment_nonce_number, encrypt_precompute, encrypt_data_symmetric).
describe('nonce increment (Tox spec § "Nonce", c-toxcore increment_nonce)', () => {
  test.each([
    ['zero', '00'.repeat(24), '00'.repeat(23) + '01'],
    ['carry over two bytes', '00'.repeat(22) + 'ffff', '00'.repeat(21) + '010000'],
    ['the maximum wraps to zero', 'ff'.repeat(24), '00'.repeat(24)],
  ])('%s', (_name, before, after) => {
    const n = hex(before);
    expect(incrementNonce(n)).toBe(n);
    expect(toHex(n)).toBe(after);
  });

  test('by a 32-bit number, big-endian, as increment_nonce_number', () => {
    const n = hex('00'.repeat(23) + 'f0');
    expect(toHex(incrementNonceBy(n, 0x01020310))).toBe('00'.repeat(20) + '01020400');
  });

  test('refuses what is not a nonce', () => {
    expect(() => incrementNonce(new Uint8Array(23))).toThrow(RangeError);
    expect(() => incrementNonceBy(new Uint8Array(24), -1)).toThrow(RangeError);
  });

  test('random nonces are 24 bytes and differ', () => {
    expect(randomNonce()).toHaveLength(24);
    expect(toHex(randomNonce())).not.toBe(toHex(randomNonce()));
  });
});

describe('box with a combined key', () => {
  const alice = keyPairFromSecret(counting(1));
  const bob = keyPairFromSecret(counting(0x80));

  test('keys and the combined key match c-toxcore (libsodium)', () => {
    expect(toHex(alice.publicKey)).toBe('07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c');
    expect(toHex(bob.publicKey)).toBe('493e82fc74464a59268817623d2053c5eb8e2cc4a988b4fee179ec6b010d531d');
    const shared = precompute(bob.publicKey, alice.secretKey);
    expect(toHex(shared)).toBe('baba246eb13dcd2f83d6dfe5e6d254d9f96c7705d141a7719b62685d90405e03');
    expect(toHex(precompute(alice.publicKey, bob.secretKey))).toBe(toHex(shared));
  });

  test('the box is byte-identical to encrypt_data_symmetric', () => {
    const shared = precompute(bob.publicKey, alice.secretKey);
    const nonce = Uint8Array.from({ length: 24 }, (_, i) => 0x40 + i);
    const box = encrypt(shared, nonce, Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]));
    expect(toHex(box)).toBe('fb9470923d07af9cb2ee9a3908644fc4d19c83e6b8e82cf1d8');
  });

  test('round trip, and a flipped bit or another key fails', () => {
    const a = newKeyPair();
    const b = newKeyPair();
    const nonce = randomNonce();
    const plain = nacl.randomBytes(100);
    const box = encrypt(precompute(b.publicKey, a.secretKey), nonce, plain);
    expect(box).toHaveLength(116);
    expect(decrypt(precompute(a.publicKey, b.secretKey), nonce, box)).toEqual(plain);
    const bad = box.slice();
    bad[50] ^= 1;
    expect(decrypt(precompute(a.publicKey, b.secretKey), nonce, bad)).toBeUndefined();
    expect(decrypt(precompute(newKeyPair().publicKey, b.secretKey), nonce, box)).toBeUndefined();
  });

  test('empty messages are refused both ways, as c-toxcore does', () => {
    const shared = precompute(newKeyPair().publicKey, newKeyPair().secretKey);
    expect(() => encrypt(shared, randomNonce(), new Uint8Array(0))).toThrow(RangeError);
    expect(decrypt(shared, randomNonce(), new Uint8Array(16))).toBeUndefined();
  });
});

describe('SharedKeyCache', () => {
  test('computes a key once, and stays within its bound under a flood of fresh keys', () => {
    const me = newKeyPair();
    const cache = new SharedKeyCache(me.secretKey, 16);
    const peer = newKeyPair();
    const k1 = cache.get(peer.publicKey);
    expect(cache.get(peer.publicKey)).toBe(k1);
    expect(cache.stats).toEqual({ computed: 1, hits: 1 });
    for (let i = 0; i < 100; i++) cache.get(newKeyPair().publicKey);
    expect(cache.size).toBe(16);
    expect(cache.stats.computed).toBe(101);
  });

  test('evicts the least recently used', () => {
    const cache = new SharedKeyCache(newKeyPair().secretKey, 2);
    const [a, b, c] = [newKeyPair().publicKey, newKeyPair().publicKey, newKeyPair().publicKey];
    cache.get(a);
    cache.get(b);
    cache.get(a); // a is now the most recent
    cache.get(c); // evicts b
    const before = cache.stats.computed;
    cache.get(a);
    expect(cache.stats.computed).toBe(before);
    cache.get(b);
    expect(cache.stats.computed).toBe(before + 1);
  });
});
