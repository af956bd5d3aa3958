/**
 * XEP-0320 (Use of DTLS-SRTP in Jingle Sessions): the `<fingerprint/>` a side puts in its ICE-UDP
 * transport — the hash of its DTLS certificate (RFC 8122 § 5) and its role in the handshake
 * (RFC 4145 `setup`, as RFC 5763 § 5 uses it). confab-media compares the certificate the peer shows
 * with it and ends the session `media-security` on a mismatch.
 */
import { xml, type Element } from '@xmpp/client';
import { DTLS_SETUPS, type DtlsParameters, type DtlsSetup } from '@confab/media';
import { NS_DTLS } from './jingle-ns';
import { MalformedJingle } from './rtp-description';

/** RFC 8122 § 5: upper-case hex pairs joined by ':' — SHA-256 gives 32 of them. */
const SHA256 = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/** XEP-0320 §3: `<fingerprint xmlns hash setup>HEX</fingerprint>`. */
export function fingerprintElement(d: DtlsParameters): Element {
  return xml('fingerprint', { xmlns: NS_DTLS, hash: d.fingerprint.hash, setup: d.setup }, d.fingerprint.value);
}

/**
 * The peer's fingerprint in a transport, undefined when there is none. Only SHA-256 is taken (what
 * every browser and confab-media write); anything else, or an unreadable value, is MalformedJingle.
 */
export function readFingerprint(transport: Element): DtlsParameters | undefined {
  const prints = transport.getChildren('fingerprint', NS_DTLS);
  if (prints.length === 0) return undefined;
  if (prints.length > 4) throw new MalformedJingle(`${prints.length} fingerprints`);
  const f = prints.find((p) => (p.attrs.hash ?? '').toLowerCase() === 'sha-256');
  if (!f) throw new MalformedJingle('no sha-256 fingerprint (RFC 8122 § 5)');
  const value = f.text().trim().toUpperCase();
  if (!SHA256.test(value)) throw new MalformedJingle('a sha-256 fingerprint is 32 hex pairs (RFC 8122 § 5)');
  const setup = f.attrs.setup ?? 'actpass'; // XEP-0320 §3: setup is required; a missing one read as the offerer's default
  if (!(DTLS_SETUPS as readonly string[]).includes(setup)) throw new MalformedJingle(`setup '${String(setup).slice(0, 20)}' (RFC 4145 § 4)`);
  return { fingerprint: { hash: 'sha-256', value }, setup: setup as DtlsSetup };
}
