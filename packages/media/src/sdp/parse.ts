/**
 * Reading an SDP body (RFC 4566) as far as a call needs: the connection address, the first audio and
 * the first video m= line (0.2.0), their codecs (rtpmap/fmtp, static types of RFC 3551 § 6 without rtpmap), rtcp-mux
 * (RFC 5761), a=rtcp (RFC 3605), crypto (RFC 4568), direction (RFC 3264 § 5.1). Bounded: a body
 * over 16 KiB or a line that does not parse is InvalidArgument, never an exception of another kind.
 * @since 0.1.0
 */
import { InvalidArgumentError } from '@confab/sdk';
import { isIP } from 'node:net';
import { codecByEncodingName, videoCodecByEncodingName, type Codec } from '../codecs/codecs';
import type { Direction, SdesKey } from '../session/types';

export const MAX_SDP_BYTES = 16 * 1024;

export interface SdpCrypto extends SdesKey {
  readonly tag: number;
}

export interface SdpAudio {
  readonly port: number;
  readonly profile: string;
  /** Known codecs in the m= line's order, with the offer's payload types. */
  readonly codecs: readonly Codec[];
  readonly rtcpPort?: number;
  readonly rtcpMux: boolean;
  readonly crypto: readonly SdpCrypto[];
  readonly direction: Direction;
  readonly address: string;
}

/**
 * A video m= line: as an audio one (port 0 when refused), plus every payload type it lists, known or
 * not, so that a refusal can repeat them (RFC 3264 § 6).
 * @since 0.2.0
 */
export interface SdpVideo extends SdpAudio {
  readonly formats: readonly number[];
}

export interface ParsedSdp {
  readonly sessionId: string;
  readonly sessionVersion: string;
  readonly audio?: SdpAudio;
  /** @since 0.2.0 */
  readonly video?: SdpVideo;
  /** The video m= line comes before the audio one (the answer keeps the order, RFC 3264 § 6). @since 0.2.0 */
  readonly videoFirst?: boolean;
}

/** RFC 3551 § 6, table 4: static payload types we know by number. */
const STATIC: Record<number, Omit<Codec, 'pt'>> = {
  0: { name: 'PCMU', clockRate: 8000, channels: 1, fmtp: '' },
  8: { name: 'PCMA', clockRate: 8000, channels: 1, fmtp: '' },
  9: { name: 'G722', clockRate: 8000, channels: 1, fmtp: '' },
};

const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

function fail(why: string): never {
  throw new InvalidArgumentError(`malformed SDP: ${why}`);
}

function port(text: string | undefined): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text ?? '') || n > 65535) fail(`bad port ${String(text)}`);
  return n;
}

function connection(value: string): string {
  // c=IN IP4 192.0.2.1 (RFC 4566 § 5.7)
  const [net, , addr] = value.split(' ');
  const ip = addr?.split('/')[0] ?? '';
  if (net !== 'IN' || isIP(ip) === 0) fail(`unsupported connection ${value}`);
  return ip;
}

function crypto(value: string): SdpCrypto | undefined {
  // a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY||SALT[|lifetime][|MKI] (RFC 4568 § 9.1)
  const m = /^(\d{1,9}) (AES_CM_128_HMAC_SHA1_80|AES_CM_128_HMAC_SHA1_32) inline:([A-Za-z0-9+/=]+)/.exec(value);
  return m ? { tag: Number(m[1]), suite: m[2] as SdesKey['suite'], keySalt: m[3]! } : undefined;
}

interface MediaState { kind: 'audio' | 'video'; port: number; profile: string; pts: number[]; rtpmap: Map<number, string>; fmtp: Map<number, string>; attrs: string[]; address?: string }

function codecsOf(m: MediaState): Codec[] {
  const out: Codec[] = [];
  for (const pt of m.pts) {
    const map = m.rtpmap.get(pt);
    if (map === undefined) {
      const s = m.kind === 'audio' ? STATIC[pt] : undefined;
      if (s) out.push({ ...s, pt });
      continue;
    }
    const [encoding = '', rate = '', channels = '1'] = map.split('/');
    const name = m.kind === 'video' ? videoCodecByEncodingName(encoding) : codecByEncodingName(encoding);
    if (name) out.push({ name, pt, clockRate: Number(rate), channels: Number(channels) || 1, fmtp: m.fmtp.get(pt) ?? '' });
  }
  return out;
}

function audioOf(m: MediaState, sessionAddress: string | undefined, sessionDirection: Direction): SdpAudio {
  const address = m.address ?? sessionAddress ?? fail('no connection address');
  let rtcpPort: number | undefined;
  let direction = sessionDirection;
  const keys: SdpCrypto[] = [];
  for (const a of m.attrs) {
    if (a.startsWith('rtcp:')) rtcpPort = port(a.slice(5).split(' ')[0]);
    else if ((DIRECTIONS as readonly string[]).includes(a)) direction = a as Direction;
    else if (a.startsWith('crypto:')) {
      const k = crypto(a.slice(7));
      if (k) keys.push(k);
    }
  }
  return { port: m.port, profile: m.profile, codecs: codecsOf(m), rtcpPort, rtcpMux: m.attrs.includes('rtcp-mux'), crypto: keys, direction, address };
}

function mediaLine(value: string): MediaState | undefined {
  // m=audio 49170 RTP/AVP 0 8 97 (RFC 4566 § 5.14)
  const [media, p, profile = '', ...fmts] = value.split(' ');
  if (media !== 'audio' && media !== 'video') return undefined;
  const pts = fmts.map((f) => (/^\d{1,3}$/.test(f) && Number(f) < 128 ? Number(f) : fail(`bad payload type ${f}`)));
  return { kind: media, port: port(p?.split('/')[0]), profile, pts, rtpmap: new Map(), fmtp: new Map(), attrs: [] };
}

function mediaAttribute(m: MediaState, value: string): void {
  const rtpmap = /^rtpmap:(\d{1,3}) (\S+)$/.exec(value);
  const fmtp = /^fmtp:(\d{1,3}) (.*)$/.exec(value);
  if (rtpmap) m.rtpmap.set(Number(rtpmap[1]), rtpmap[2]!);
  else if (fmtp) m.fmtp.set(Number(fmtp[1]), fmtp[2]!);
  else m.attrs.push(value);
}

export function parseSdp(body: string): ParsedSdp {
  if (Buffer.byteLength(body) > MAX_SDP_BYTES) fail('too large');
  let origin: string[] = [];
  let sessionAddress: string | undefined;
  let sessionDirection: Direction = 'sendrecv';
  let audio: MediaState | undefined;
  let video: MediaState | undefined;
  // the m= section the lines belong to: the first audio or video one, or one we skip (undefined)
  let current: MediaState | undefined;
  let inMedia = false;
  let videoFirst = false;
  for (const line of body.split(/\r?\n/)) {
    if (line === '') continue;
    if (!/^[a-z]=/.test(line)) fail(`bad line ${JSON.stringify(line.slice(0, 40))}`);
    const type = line[0];
    const value = line.slice(2);
    if (type === 'o') origin = value.split(' ');
    else if (type === 'm') {
      inMedia = true;
      const m = mediaLine(value);
      current = undefined;
      if (m?.kind === 'audio' && !audio) current = audio = m;
      else if (m?.kind === 'video' && !video) {
        current = video = m;
        videoFirst = !audio;
      }
    } else if (type === 'c') {
      if (!inMedia) sessionAddress = connection(value);
      else if (current) current.address = connection(value);
    } else if (type === 'a') {
      if (current) mediaAttribute(current, value);
      else if (!inMedia && (DIRECTIONS as readonly string[]).includes(value)) sessionDirection = value as Direction;
    }
  }
  if (origin.length < 6) fail('no o= line');
  return {
    sessionId: origin[1]!,
    sessionVersion: origin[2]!,
    ...(audio ? { audio: audioOf(audio, sessionAddress, sessionDirection) } : {}),
    ...(video ? { video: { ...audioOf(video, sessionAddress, sessionDirection), formats: video.pts } } : {}),
    ...(video && videoFirst ? { videoFirst: true } : {}),
  };
}
