/**
 * ICE and DTLS attributes of SDP, for webrtcbin: `a=candidate` (RFC 8839 § 5.1), `a=ice-ufrag` and
 * `a=ice-pwd` (§ 5.4), `a=ice-lite` (§ 5.3), `a=fingerprint` (RFC 8122 § 5), `a=setup` (RFC 4145 § 4).
 * Read from the SDP webrtcbin writes, and written into the SDP confab-media gives it for the peer:
 * plugins never see SDP text from here (Jingle maps the fields, XEP-0176/0320).
 * @since 0.3.0
 */
import { InvalidArgumentError } from '@confab/sdk';
import { isIP } from 'node:net';
import { CANDIDATE_TYPES, DTLS_SETUPS, type CandidateType, type DtlsParameters, type DtlsSetup, type IceCandidate, type IceParameters } from '../session/types';

/** `candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> [raddr <a> rport <p>]` */
export function parseCandidate(line: string): IceCandidate | undefined {
  const m = /^(?:a=)?candidate:(\S{1,32}) (\d{1,3}) (\S+) (\d{1,10}) (\S+) (\d{1,5}) typ (\S+)(.*)$/.exec(line.trim());
  if (!m) return undefined;
  const type = m[7] as CandidateType;
  if (!CANDIDATE_TYPES.includes(type)) return undefined;
  const rest = m[8]!;
  const raddr = / raddr (\S+)/.exec(rest)?.[1];
  const rport = / rport (\d{1,5})/.exec(rest)?.[1];
  return {
    foundation: m[1]!,
    component: Number(m[2]),
    protocol: m[3]!.toLowerCase(),
    priority: Number(m[4]),
    address: m[5]!,
    port: Number(m[6]),
    type,
    ...(raddr ? { relAddress: raddr } : {}),
    ...(rport ? { relPort: Number(rport) } : {}),
  };
}

/** The attribute value (after `a=`) of one candidate. */
export function candidateAttribute(c: IceCandidate): string {
  const rel = c.relAddress !== undefined ? ` raddr ${c.relAddress} rport ${c.relPort ?? 0}` : '';
  return `candidate:${c.foundation} ${c.component} ${c.protocol.toUpperCase()} ${c.priority} ${c.address} ${c.port} typ ${c.type}${rel}`;
}

/** What webrtcbin's SDP says of the transport (the first m= section: BUNDLE puts everything on it). */
export interface SdpTransport {
  readonly ice: IceParameters;
  readonly dtls: DtlsParameters;
}

/**
 * ICE and DTLS parameters from an SDP webrtcbin wrote. Only UDP candidates are kept (RFC 6544 TCP
 * candidates are gathered by libnice but not offered: no peer we test uses them).
 */
export function transportFromSdp(sdp: string): SdpTransport {
  let ufrag = '';
  let pwd = '';
  let fingerprint = '';
  let setup: DtlsSetup = 'actpass';
  const candidates: IceCandidate[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('a=ice-ufrag:') && !ufrag) ufrag = line.slice(12);
    else if (line.startsWith('a=ice-pwd:') && !pwd) pwd = line.slice(10);
    else if (line.startsWith('a=fingerprint:sha-256 ') && !fingerprint) fingerprint = line.slice(22).trim();
    else if (line.startsWith('a=setup:')) setup = (DTLS_SETUPS as readonly string[]).includes(line.slice(8)) ? (line.slice(8) as DtlsSetup) : setup;
    else if (line.startsWith('a=candidate:')) {
      const c = parseCandidate(line);
      if (c && c.protocol === 'udp' && !candidates.some((x) => x.address === c.address && x.port === c.port && x.component === c.component)) candidates.push(c);
    }
  }
  if (!ufrag || !pwd || !fingerprint) throw new Error('webrtcbin wrote an SDP without ICE credentials or a fingerprint');
  return { ice: { ufrag, pwd, candidates }, dtls: { fingerprint: { hash: 'sha-256', value: fingerprint }, setup } };
}

/** RFC 8839 § 5.4: ice-char = ALPHA / DIGIT / "+" / "/"; ufrag 4–256, pwd 22–256 characters. */
const ICE_CHARS = /^[A-Za-z0-9+/]+$/;
/** RFC 8122 § 5: hex pairs separated by ':'; SHA-256 gives 32. */
const SHA256 = /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/;

/** Checks a peer's ICE and DTLS parameters before any of them reaches an SDP line. */
export function checkTransport(ice: IceParameters | undefined, dtls: DtlsParameters | undefined): { ice: IceParameters; dtls: DtlsParameters } {
  if (!ice || !dtls) throw new InvalidArgumentError('the webrtc transport needs the peer\'s ice and dtls parameters');
  if (ice.ufrag.length < 4 || ice.ufrag.length > 256 || !ICE_CHARS.test(ice.ufrag)) throw new InvalidArgumentError('ice ufrag: 4-256 ice-chars (RFC 8839 § 5.4)');
  if (ice.pwd.length < 22 || ice.pwd.length > 256 || !ICE_CHARS.test(ice.pwd)) throw new InvalidArgumentError('ice pwd: 22-256 ice-chars (RFC 8839 § 5.4)');
  if (ice.candidates.length > 64) throw new InvalidArgumentError('at most 64 candidates');
  for (const c of ice.candidates) checkCandidate(c);
  if (dtls.fingerprint.hash !== 'sha-256' || !SHA256.test(dtls.fingerprint.value)) throw new InvalidArgumentError('dtls fingerprint: sha-256, 32 hex pairs (RFC 8122 § 5)');
  if (!DTLS_SETUPS.includes(dtls.setup)) throw new InvalidArgumentError(`dtls setup must be one of ${DTLS_SETUPS.join(', ')}`);
  return { ice, dtls };
}

export function checkCandidate(c: IceCandidate): void {
  const ok =
    /^[A-Za-z0-9+/]{1,32}$/.test(c.foundation) &&
    Number.isInteger(c.component) && c.component >= 1 && c.component <= 256 &&
    c.protocol.toLowerCase() === 'udp' &&
    Number.isInteger(c.priority) && c.priority >= 1 && c.priority <= 0xffffffff &&
    isIP(c.address) !== 0 &&
    Number.isInteger(c.port) && c.port >= 1 && c.port <= 65535 &&
    CANDIDATE_TYPES.includes(c.type) &&
    (c.relAddress === undefined || isIP(c.relAddress) !== 0) &&
    (c.relPort === undefined || (Number.isInteger(c.relPort) && c.relPort >= 0 && c.relPort <= 65535));
  if (!ok) throw new InvalidArgumentError(`not a usable ICE candidate (RFC 8839 § 5.1): ${c.address}:${String(c.port)}`);
}
