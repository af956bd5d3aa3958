/**
 * SDES keys (RFC 4568) for srtpenc/srtpdec: a fresh key per session for what we send, the peer's
 * from its description for what we receive. Keys never go to logs, D-Bus properties or error texts.
 * @since 0.1.0
 */
import { randomBytes } from 'node:crypto';
import type { SdesKey } from '../session/types';

/** AES_CM_128: 16-byte master key + 14-byte master salt (RFC 4568 § 6.2). */
const KEY_SALT_BYTES = 30;

export function newSdesKey(suite: SdesKey['suite'] = 'AES_CM_128_HMAC_SHA1_80'): SdesKey {
  return { suite, keySalt: randomBytes(KEY_SALT_BYTES).toString('base64') };
}

/** Throws when the key is not 30 bytes of base64 or the suite unknown. */
export function checkSdesKey(k: SdesKey): void {
  if (k.suite !== 'AES_CM_128_HMAC_SHA1_80' && k.suite !== 'AES_CM_128_HMAC_SHA1_32') throw new RangeError(`unsupported crypto suite ${String(k.suite)}`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(k.keySalt) || Buffer.from(k.keySalt, 'base64').length !== KEY_SALT_BYTES) throw new RangeError('an SDES key must be 30 bytes of base64');
}

/** The key as srtpenc's `key` property and srtpdec's caps want it: hex of key||salt. */
export function keyHex(k: SdesKey): string {
  return Buffer.from(k.keySalt, 'base64').toString('hex');
}

/** srtpenc/srtpdec enum nicks for a suite. SRTCP keeps the 80-bit tag with either (RFC 4568 § 6.2.1). */
export function srtpParams(k: SdesKey): { cipher: string; auth: string; rtcpAuth: string } {
  return { cipher: 'aes-128-icm', auth: k.suite === 'AES_CM_128_HMAC_SHA1_32' ? 'hmac-sha1-32' : 'hmac-sha1-80', rtcpAuth: 'hmac-sha1-80' };
}

/** The caps srtpdec's `request-key` signal answers with, for every SSRC of the peer. */
export function srtpDecCaps(k: SdesKey): string {
  const p = srtpParams(k);
  return `application/x-srtp,srtp-key=(buffer)${keyHex(k)},srtp-cipher=(string)${p.cipher},srtp-auth=(string)${p.auth},srtcp-cipher=(string)${p.cipher},srtcp-auth=(string)${p.rtcpAuth}`;
}
