/**
 * SDP of SIP calls on confab-media's `webrtc` transport (ICE + DTLS-SRTP), mapped to and from the
 * structured `ice`/`dtls` fields of its descriptions — confab-media never sees SIP's SDP text:
 *  - ICE (RFC 8445) in SDP as RFC 8839 says: `a=ice-ufrag`/`a=ice-pwd` (§ 5.4, at session or media
 *    level), `a=candidate` (§ 5.1), `a=end-of-candidates` (§ 5.2), `a=ice-lite` (§ 5.3);
 *  - DTLS-SRTP (RFC 5763 § 5, RFC 5764 § 8): `a=fingerprint` (RFC 8122 § 5; SHA-256 only, what
 *    confab-media checks), `a=setup` (RFC 4145 § 4), the profile UDP/TLS/RTP/SAVP or …/SAVPF;
 *  - `a=rtcp-mux` (RFC 5761 § 5.1.1) always: one ICE component;
 *  - BUNDLE (RFC 8843): an offer's `a=group:BUNDLE` is answered with the group of our one m= line
 *    (§ 7.3); our offers carry `a=mid`/`a=group:BUNDLE` too (audio alone: a group of one, § 7.2).
 * Codecs and direction are read by `@confab/media`'s parseSdp, as on `rtp`. Only the audio stream is
 * taken on this transport for now (a video line is answered with port 0, RFC 3264 § 6).
 * Free of sip.js and of the media process.
 */
import { DEFAULT_CODECS, type Codec, type Direction, type DtlsParameters, type DtlsSetup, type IceCandidate, type IceParameters, type SdpAudio } from '@confab/media';

/** RFC 5764 § 8: the profiles of DTLS-SRTP; SAVPF (RFC 5124) is what browsers and Confab offer. */
export const DTLS_PROFILES = ['UDP/TLS/RTP/SAVP', 'UDP/TLS/RTP/SAVPF'];
export const OUR_PROFILE = 'UDP/TLS/RTP/SAVPF';

const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay'];
const SETUPS: readonly DtlsSetup[] = ['actpass', 'active', 'passive'];
/** At most this many candidates are read (a peer sending thousands is refused no sooner than the media would). */
const MAX_CANDIDATES = 32;

/** What an SDP says of ICE and DTLS for its audio stream (or the session, where the attribute is there). */
export interface SdpTransportAttrs {
  readonly ice?: IceParameters;
  /** The fingerprint's hash as written (`sha-256`…), before any check. */
  readonly fingerprintHash?: string;
  readonly dtls?: DtlsParameters;
  /** The offer groups its m= lines with BUNDLE (RFC 8843 § 7). */
  readonly bundle: boolean;
  /** The audio section's `a=mid` (RFC 5888 § 4), when it has one. */
  readonly mid?: string;
  /** Candidates of the audio stream ended with `a=end-of-candidates` (RFC 8839 § 5.2). */
  readonly complete: boolean;
}

/** The SDP's attributes at session level and in its first audio section, as `name` → values. */
function attributes(sdp: string): { session: string[]; audio: string[] } {
  const session: string[] = [];
  const audio: string[] = [];
  let where: 'session' | 'audio' | 'other' = 'session';
  let seenAudio = false;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      where = line.startsWith('m=audio ') && !seenAudio ? 'audio' : 'other';
      if (where === 'audio') seenAudio = true;
    } else if (line.startsWith('a=')) {
      if (where === 'session') session.push(line.slice(2));
      else if (where === 'audio') audio.push(line.slice(2));
    }
  }
  return { session, audio };
}

/** Whether an SDP asks for ICE + DTLS-SRTP: a fingerprint (RFC 5763 § 5) or ICE credentials (RFC 8839 § 5.4). */
export function isWebRtcSdp(sdp: string): boolean {
  const { session, audio } = attributes(sdp);
  return [...session, ...audio].some((a) => a.startsWith('fingerprint:') || a.startsWith('ice-ufrag:'));
}

/** RFC 8839 § 5.1: `candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> [raddr <a> rport <p>]…` */
export function parseCandidateAttr(value: string): IceCandidate | undefined {
  const m = /^candidate:(\S{1,32}) (\d{1,3}) (\S{1,16}) (\d{1,10}) (\S{1,64}) (\d{1,5}) typ (\S{1,8})(.*)$/.exec(value.trim());
  if (!m || !CANDIDATE_TYPES.includes(m[7]!)) return undefined;
  const raddr = / raddr (\S+)/.exec(m[8]!)?.[1];
  const rport = / rport (\d{1,5})/.exec(m[8]!)?.[1];
  return {
    foundation: m[1]!, component: Number(m[2]), protocol: m[3]!.toLowerCase(), priority: Number(m[4]),
    address: m[5]!, port: Number(m[6]), type: m[7] as IceCandidate['type'],
    ...(raddr !== undefined ? { relAddress: raddr } : {}),
    ...(rport !== undefined ? { relPort: Number(rport) } : {}),
  };
}

/** The attribute value (after `a=`) of one candidate (RFC 8839 § 5.1). */
export function candidateAttr(c: IceCandidate): string {
  const rel = c.relAddress !== undefined ? ` raddr ${c.relAddress} rport ${c.relPort ?? 0}` : '';
  return `candidate:${c.foundation} ${c.component} ${c.protocol.toUpperCase()} ${c.priority} ${c.address} ${c.port} typ ${c.type}${rel}`;
}

/**
 * ICE and DTLS parameters of an SDP's audio stream (media-level attributes win over session-level
 * ones, RFC 8839 § 5.4, RFC 8122 § 5). Only UDP candidates of component 1 are kept: RTCP is
 * multiplexed (RFC 5761), TCP candidates (RFC 6544) are not used by confab-media.
 */
export function readTransport(sdp: string): SdpTransportAttrs {
  const { session, audio } = attributes(sdp);
  const pick = (name: string) => audio.find((a) => a.startsWith(`${name}:`))?.slice(name.length + 1) ?? session.find((a) => a.startsWith(`${name}:`))?.slice(name.length + 1);
  const ufrag = pick('ice-ufrag')?.trim();
  const pwd = pick('ice-pwd')?.trim();
  const lite = session.includes('ice-lite') || audio.includes('ice-lite');
  const candidates: IceCandidate[] = [];
  for (const a of audio) {
    if (!a.startsWith('candidate:') || candidates.length >= MAX_CANDIDATES) continue;
    const c = parseCandidateAttr(a);
    if (c && c.component === 1 && c.protocol === 'udp') candidates.push(c);
  }
  const fp = /^(\S+) (\S+)$/.exec(pick('fingerprint')?.trim() ?? '');
  const setupText = pick('setup')?.trim() as DtlsSetup | undefined;
  const setup: DtlsSetup = setupText && SETUPS.includes(setupText) ? setupText : 'actpass'; // RFC 4145 § 4: absent means active; RFC 5763 § 5 offers say actpass
  const hash = fp?.[1]?.toLowerCase();
  return {
    ...(ufrag && pwd ? { ice: { ufrag, pwd, candidates, ...(lite ? { lite: true } : {}) } } : {}),
    ...(hash ? { fingerprintHash: hash } : {}),
    ...(fp && hash === 'sha-256' ? { dtls: { fingerprint: { hash: 'sha-256' as const, value: fp[2]!.toUpperCase() }, setup } } : {}),
    bundle: session.some((a) => /^group:BUNDLE\b/.test(a)),
    ...(audio.some((a) => a.startsWith('mid:')) ? { mid: audio.find((a) => a.startsWith('mid:'))!.slice(4).trim() } : {}),
    complete: audio.includes('end-of-candidates') || session.includes('end-of-candidates'),
  };
}

/**
 * Why an audio offer or answer cannot be taken on the webrtc transport, or undefined: a DTLS profile
 * (RFC 5764 § 8), ICE credentials, a SHA-256 fingerprint (the hash confab-media checks, RFC 8122 § 5).
 */
export function webRtcProblem(audio: SdpAudio, t: SdpTransportAttrs): string | undefined {
  if (!DTLS_PROFILES.includes(audio.profile)) return `profile ${audio.profile} is not DTLS-SRTP (RFC 5764 § 8)`;
  if (!t.ice) return 'no a=ice-ufrag/a=ice-pwd (RFC 8839 § 5.4)';
  if (!t.fingerprintHash) return 'no a=fingerprint (RFC 5763 § 5)';
  if (!t.dtls) return `fingerprint hash ${t.fingerprintHash}: only sha-256 is taken (RFC 8122 § 5)`;
  return undefined;
}

/**
 * The one audio codec a webrtc session sends and receives (confab-media's webrtcbin carries one):
 * the first of the offer's that confab-media has *with the same payload type* (a static type, or
 * Opus on 111) — webrtcbin sends with its own caps' number, so another number is not taken.
 */
export function webRtcCodec(offered: readonly Codec[]): Codec | undefined {
  for (const c of offered) {
    if (c.name === 'telephone-event') continue;
    const ours = DEFAULT_CODECS.find((d) => d.name === c.name && d.clockRate === c.clockRate && d.pt === c.pt);
    if (ours) return c;
  }
  return undefined;
}

/** What our SDP says beyond the codecs. */
export interface WebRtcSdpParts {
  readonly origin: { readonly sessionId: string; readonly sessionVersion: number };
  readonly ice: IceParameters;
  readonly dtls: DtlsParameters;
  /** The profile: ours in an offer, the offer's in an answer (RFC 3264 § 6). */
  readonly profile: string;
  readonly codecs: readonly Codec[];
  readonly direction: Direction;
  /** `a=mid` and `a=group:BUNDLE` of our one m= line (RFC 8843 § 7); absent: neither. */
  readonly mid?: string;
  /** The offer had a video line: answered with port 0 (RFC 3264 § 6), the formats repeated. */
  readonly refusedVideo?: { readonly profile: string; readonly formats: readonly number[]; readonly mid?: string };
}

function rtpmap(c: Codec): string[] {
  const out = [`a=rtpmap:${c.pt} ${c.name}/${c.clockRate}${c.channels > 1 ? `/${c.channels}` : ''}`];
  if (c.fmtp) out.push(`a=fmtp:${c.pt} ${c.fmtp}`);
  return out;
}

/**
 * Our offer or answer: one audio section on our first candidate's address (RFC 8839 § 4.2.1.1: the
 * default candidate in m=/c=), every candidate gathered, then `a=end-of-candidates` (no trickle).
 */
export function writeWebRtcSdp(p: WebRtcSdpParts): string {
  const first = p.ice.candidates[0];
  const address = first?.address ?? '0.0.0.0';
  const ipv = address.includes(':') ? 'IP6' : 'IP4';
  const port = first?.port ?? 9; // RFC 8839 § 4.2.1.1: port 9 when no candidate is there yet
  const lines = ['v=0', `o=confab ${p.origin.sessionId} ${p.origin.sessionVersion} IN ${ipv} ${address}`, 's=-', `c=IN ${ipv} ${address}`, 't=0 0'];
  if (p.mid !== undefined) lines.push(`a=group:BUNDLE ${p.mid}`); // RFC 8843 § 7.2/7.3: a refused m= line is not in the group
  if (p.ice.lite) lines.push('a=ice-lite');
  lines.push(
    `m=audio ${port} ${p.profile} ${p.codecs.map((c) => c.pt).join(' ')}`,
    ...(p.mid !== undefined ? [`a=mid:${p.mid}`] : []),
    `a=ice-ufrag:${p.ice.ufrag}`, // RFC 8839 § 5.4
    `a=ice-pwd:${p.ice.pwd}`,
    `a=fingerprint:${p.dtls.fingerprint.hash} ${p.dtls.fingerprint.value}`, // RFC 8122 § 5
    `a=setup:${p.dtls.setup}`, // RFC 4145 § 4, RFC 5763 § 5
    ...p.ice.candidates.map((c) => `a=${candidateAttr(c)}`), // RFC 8839 § 5.1
    'a=end-of-candidates', // RFC 8839 § 5.2: we gathered before writing
    'a=rtcp-mux', // RFC 5761 § 5.1.1
    `a=rtcp:${port} IN ${ipv} ${address}`, // RFC 3605: RTCP on the RTP port
    ...p.codecs.flatMap(rtpmap),
    `a=${p.direction}`,
  );
  const v = p.refusedVideo;
  if (v) lines.push(`m=video 0 ${v.profile} ${(v.formats.length ? v.formats : [0]).join(' ')}`, ...(v.mid !== undefined ? [`a=mid:${v.mid}`] : []));
  return `${lines.join('\r\n')}\r\n`;
}

/** The first video m= line of an SDP (to refuse it with port 0), with its formats and mid. */
export function videoLine(sdp: string): { profile: string; formats: number[]; mid?: string } | undefined {
  const lines = sdp.split(/\r?\n/).map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith('m=video '));
  if (at < 0) return undefined;
  const [, , profile = 'RTP/AVP', ...fmts] = lines[at]!.slice(2).split(' ');
  let mid: string | undefined;
  for (let i = at + 1; i < lines.length && !lines[i]!.startsWith('m='); i++) if (lines[i]!.startsWith('a=mid:')) mid = lines[i]!.slice(6);
  return { profile, formats: fmts.filter((f) => /^\d{1,3}$/.test(f)).map(Number), ...(mid !== undefined ? { mid } : {}) };
}
