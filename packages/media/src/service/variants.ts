/**
 * a{sv} dictionaries of the D-Bus contract to and from the session's types. Everything from the bus
 * is checked here: a wrong type is InvalidArgument, never a crash.
 * @since 0.1.0
 */
import dbus from 'dbus-next';
import { InvalidArgumentError } from '@confab/sdk';
import { isCodecName, type Codec } from '../codecs/codecs';
import type { SuppressionLevel } from '../aec/dsp-settings';
import type { DtlsParameters, DtlsSetup, Encryption, IceCandidate, IceParameters, IceServer, Direction, LocalDescription, LocalVideoDescription, RemoteDescription, RemoteVideoDescription, SdesKey, SessionOptions, SessionStats, Transport, VideoSinkChoice } from '../session/types';
import { CANDIDATE_TYPES, DTLS_SETUPS, ENCRYPTIONS, TRANSPORTS, VIDEO_SINKS, type CandidateType } from '../session/types';

type Variant = InstanceType<typeof dbus.Variant>;
export type VariantDict = Record<string, Variant>;

const v = (signature: string, value: unknown): Variant => new dbus.Variant(signature, value);

function get(d: VariantDict, key: string, signature: string): unknown {
  const x = d[key];
  if (x === undefined) return undefined;
  if (x.signature !== signature) throw new InvalidArgumentError(`${key} must be of type ${signature}`);
  return x.value;
}
const str = (d: VariantDict, k: string) => get(d, k, 's') as string | undefined;
const bool = (d: VariantDict, k: string) => get(d, k, 'b') as boolean | undefined;
const u32 = (d: VariantDict, k: string) => get(d, k, 'u') as number | undefined;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`${what} must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function toSessionOptions(d: VariantDict): SessionOptions {
  const address = str(d, 'address');
  if (!address) throw new InvalidArgumentError('address is required: the local address to bind media to');
  return {
    audio: bool(d, 'audio') ?? true,
    video: bool(d, 'video') ?? false,
    transport: oneOf<Transport>(str(d, 'transport'), TRANSPORTS, 'transport') ?? 'rtp',
    address,
    codecs: get(d, 'codecs', 'as') as string[] | undefined,
    microphone: str(d, 'microphone'),
    speaker: str(d, 'speaker'),
    rtcpMux: bool(d, 'rtcp-mux'),
    srtp: bool(d, 'srtp'),
    echoSuppression: oneOf<SuppressionLevel>(str(d, 'echo-suppression'), ['low', 'moderate', 'high'], 'echo-suppression'),
    gainControl: bool(d, 'gain-control'),
    noiseSuppression: bool(d, 'noise-suppression'),
    rtpTimeoutMs: u32(d, 'rtp-timeout-ms'),
    videoCodecs: get(d, 'video-codecs-offered', 'as') as string[] | undefined,
    camera: str(d, 'camera'),
    videoSink: oneOf<VideoSinkChoice>(str(d, 'video-sink'), VIDEO_SINKS, 'video-sink'),
    iceServers: toIceServers(d),
    encryption: oneOf<Encryption>(str(d, 'encryption'), ENCRYPTIONS, 'encryption'),
  };
}

/** `ice-servers` a(asss): urls, username, credential ("" when none). The credential is a secret: no error repeats it. @since 0.3.0 */
function toIceServers(d: VariantDict): IceServer[] | undefined {
  const list = get(d, 'ice-servers', 'a(asss)') as [string[], string, string][] | undefined;
  return list?.map(([urls, username, credential]) => ({ urls, ...(username ? { username } : {}), ...(credential ? { credential } : {}) }));
}

/** A candidate as the struct (sususussu): foundation, component, protocol, priority, address, port, type, rel-address ("" none), rel-port. @since 0.3.0 */
export type CandidateTuple = [string, number, string, number, string, number, string, string, number];
export const CANDIDATE_SIGNATURE = 'a(sususussu)';

export function fromCandidate(c: IceCandidate): CandidateTuple {
  return [c.foundation, c.component, c.protocol, c.priority, c.address, c.port, c.type, c.relAddress ?? '', c.relPort ?? 0];
}

function toCandidate(t: CandidateTuple): IceCandidate {
  const [foundation, component, protocol, priority, address, port, type, relAddress, relPort] = t;
  if (!CANDIDATE_TYPES.includes(type as CandidateType)) throw new InvalidArgumentError(`candidate type must be one of ${CANDIDATE_TYPES.join(', ')}`);
  return { foundation, component, protocol, priority, address, port, type: type as CandidateType, ...(relAddress ? { relAddress, relPort } : {}) };
}

/** ice-ufrag s, ice-pwd s, ice-lite b, ice-candidates a(sususussu); dtls-hash s, dtls-fingerprint s, dtls-setup s. @since 0.3.0 */
function toIceDtls(d: VariantDict): { ice?: IceParameters; dtls?: DtlsParameters } {
  const ufrag = str(d, 'ice-ufrag');
  const pwd = str(d, 'ice-pwd');
  const candidates = (get(d, 'ice-candidates', CANDIDATE_SIGNATURE) as CandidateTuple[] | undefined) ?? [];
  const fingerprint = str(d, 'dtls-fingerprint');
  const hash = str(d, 'dtls-hash') ?? 'sha-256';
  const setup = oneOf<DtlsSetup>(str(d, 'dtls-setup'), DTLS_SETUPS, 'dtls-setup');
  if (hash !== 'sha-256') throw new InvalidArgumentError('dtls-hash must be sha-256');
  const lite = bool(d, 'ice-lite');
  return {
    ...(ufrag !== undefined && pwd !== undefined ? { ice: { ufrag, pwd, candidates: candidates.map(toCandidate), ...(lite ? { lite } : {}) } } : {}),
    ...(fingerprint !== undefined ? { dtls: { fingerprint: { hash: 'sha-256' as const, value: fingerprint }, setup: setup ?? 'actpass' } } : {}),
  };
}

function putIceDtls(out: VariantDict, ice: IceParameters | undefined, dtls: DtlsParameters | undefined): void {
  if (ice) {
    out['ice-ufrag'] = v('s', ice.ufrag);
    out['ice-pwd'] = v('s', ice.pwd);
    if (ice.lite) out['ice-lite'] = v('b', true);
    out['ice-candidates'] = v(CANDIDATE_SIGNATURE, ice.candidates.map(fromCandidate));
  }
  if (dtls) {
    out['dtls-hash'] = v('s', dtls.fingerprint.hash);
    out['dtls-fingerprint'] = v('s', dtls.fingerprint.value);
    out['dtls-setup'] = v('s', dtls.setup);
  }
}

type CodecTuple = [string, number, number, number, string];

function toCodec(t: CodecTuple): Codec {
  const [name, pt, clockRate, channels, fmtp] = t;
  if (!isCodecName(name)) throw new InvalidArgumentError(`unknown codec ${name}`);
  return { name, pt, clockRate, channels, fmtp };
}

const fromCodec = (c: Codec): CodecTuple => [c.name, c.pt, c.clockRate, c.channels, c.fmtp];

/** The key under `crypto-suite`/`crypto-key`, or the video's under `video-crypto-…` (prefix `video-`). */
function toKey(d: VariantDict, prefix = ''): SdesKey | undefined {
  const suite = str(d, `${prefix}crypto-suite`);
  const keySalt = str(d, `${prefix}crypto-key`);
  if (!suite && !keySalt) return undefined;
  if (!suite || !keySalt) throw new InvalidArgumentError(`${prefix}crypto-suite and ${prefix}crypto-key go together`);
  return { suite: suite as SdesKey['suite'], keySalt };
}

const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/** The peer's video, from the `video-` keys: absent without `video-port`. */
function toRemoteVideo(d: VariantDict): RemoteVideoDescription | undefined {
  const port = u32(d, 'video-port');
  if (port === undefined) return undefined;
  const codecs = (get(d, 'video-codecs', 'a(suuus)') as CodecTuple[] | undefined) ?? [];
  const crypto = toKey(d, 'video-');
  const address = str(d, 'video-address');
  return {
    ...(address ? { address } : {}),
    port,
    rtcpPort: u32(d, 'video-rtcp-port'),
    rtcpMux: bool(d, 'video-rtcp-mux') ?? false,
    codecs: codecs.map(toCodec),
    ...(crypto ? { crypto } : {}),
    direction: oneOf<Direction>(str(d, 'video-direction'), DIRECTIONS, 'video-direction'),
  };
}

/** Our video as `video-` keys of a local description. */
function putLocalVideo(out: VariantDict, l: LocalVideoDescription): void {
  out['video-port'] = v('u', l.port);
  out['video-rtcp-port'] = v('u', l.rtcpPort);
  out['video-rtcp-mux'] = v('b', l.rtcpMux);
  out['video-codecs'] = v('a(suuus)', l.codecs.map(fromCodec));
  if (l.crypto) {
    out['video-crypto-suite'] = v('s', l.crypto.suite);
    out['video-crypto-key'] = v('s', l.crypto.keySalt);
  }
}

function localVideoFromDict(d: VariantDict): LocalVideoDescription | undefined {
  const port = u32(d, 'video-port');
  if (port === undefined) return undefined;
  const crypto = toKey(d, 'video-');
  return {
    port,
    rtcpPort: u32(d, 'video-rtcp-port') ?? port,
    rtcpMux: bool(d, 'video-rtcp-mux') ?? false,
    codecs: ((get(d, 'video-codecs', 'a(suuus)') as CodecTuple[] | undefined) ?? []).map(toCodec),
    ...(crypto ? { crypto } : {}),
  };
}

export function toRemoteDescription(d: VariantDict): RemoteDescription {
  const address = str(d, 'address');
  const port = u32(d, 'port');
  const codecs = get(d, 'codecs', 'a(suuus)') as CodecTuple[] | undefined;
  if (!address || port === undefined || !codecs) throw new InvalidArgumentError('address, port and codecs are required');
  const crypto = toKey(d);
  const video = toRemoteVideo(d);
  return {
    address,
    port,
    rtcpPort: u32(d, 'rtcp-port'),
    rtcpMux: bool(d, 'rtcp-mux') ?? false,
    codecs: codecs.map(toCodec),
    ...(crypto ? { crypto } : {}),
    direction: oneOf<Direction>(str(d, 'direction'), DIRECTIONS, 'direction'),
    ...(video ? { video } : {}),
    ...toIceDtls(d),
  };
}

/** The peer's ICE and DTLS fields, for clients writing a remote dictionary. @since 0.3.0 */
export { putIceDtls };

export function fromLocalDescription(l: LocalDescription): VariantDict {
  const out: VariantDict = {
    transport: v('s', l.transport),
    address: v('s', l.address),
    port: v('u', l.port),
    'rtcp-port': v('u', l.rtcpPort),
    'rtcp-mux': v('b', l.rtcpMux),
    codecs: v('a(suuus)', l.codecs.map(fromCodec)),
  };
  if (l.crypto) {
    out['crypto-suite'] = v('s', l.crypto.suite);
    out['crypto-key'] = v('s', l.crypto.keySalt);
  }
  if (l.video) putLocalVideo(out, l.video);
  putIceDtls(out, l.ice, l.dtls);
  return out;
}

/** The inverse, for clients (and tests) that read a local description back. */
export function localDescriptionFromDict(d: VariantDict): LocalDescription {
  const codecs = (get(d, 'codecs', 'a(suuus)') as CodecTuple[] | undefined) ?? [];
  const crypto = toKey(d);
  const video = localVideoFromDict(d);
  return {
    transport: (str(d, 'transport') ?? 'rtp') as Transport,
    address: str(d, 'address') ?? '',
    port: u32(d, 'port') ?? 0,
    rtcpPort: u32(d, 'rtcp-port') ?? 0,
    rtcpMux: bool(d, 'rtcp-mux') ?? false,
    codecs: codecs.map(toCodec),
    ...(crypto ? { crypto } : {}),
    ...(video ? { video } : {}),
    ...toIceDtls(d),
  };
}

export function fromStats(s: SessionStats): VariantDict {
  const t = (n: number) => v('t', BigInt(Math.max(0, Math.round(n))));
  return {
    'packets-sent': t(s.packetsSent),
    'packets-received': t(s.packetsReceived),
    'packets-lost': t(s.packetsLost),
    'jitter-ms': v('d', s.jitterMs),
    'remote-fraction-lost': v('d', s.remoteFractionLost),
    'remote-packets-lost': t(s.remotePacketsLost),
    'remote-jitter-ms': v('d', s.remoteJitterMs),
    'round-trip-ms': v('d', s.roundTripMs),
    'far-level-db': v('d', s.farLevelDb),
    'foreign-streams': v('u', s.foreignStreams),
    'video-frames-sent': t(s.videoFramesSent),
    'video-frames-decoded': t(s.videoFramesDecoded),
    'video-packets-sent': t(s.videoPacketsSent),
    'video-packets-received': t(s.videoPacketsReceived),
    'dtls-srtp': v('b', s.dtlsSrtp ?? false),
  };
}
