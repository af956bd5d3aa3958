/**
 * A media session as plugins see it, whatever the transport: options to create it, the local
 * description to signal, the remote description the peer signalled, state and statistics.
 * Transports (DESIGN.md § Media): `rtp` (plain RTP/RTCP or SRTP over UDP), since 0.3.0 `webrtc`
 * (ICE + DTLS-SRTP, bundled, on webrtcbin: webrtc-session.ts) and since 0.4.0 `frames` (encoded frames
 * handed to the plugin over loopback RTP, for ToxAV: frames-session.ts).
 * @since 0.1.0
 */
import type { Codec } from '../codecs/codecs';
import type { SuppressionLevel } from '../aec/dsp-settings';

export type Transport = 'rtp' | 'webrtc' | 'frames';
export const TRANSPORTS: readonly Transport[] = ['rtp', 'webrtc', 'frames'];

/**
 * Where the microphone comes from: `default` (the system's), `device:<id>` (from ListDevices),
 * `file:<path>` (a WAV file, played once in real time), `tone:<Hz>` (a test tone), `silence`.
 */
export type SourceChoice = string;
/** Where the far end goes: `default`, `device:<id>`, `file:<path>` (a WAV recording), `none`. */
export type SinkChoice = string;

/**
 * Where the video comes from: `default` (the system's camera; the test picture when there is none),
 * `device:<id>` (a Video/Source from ListDevices, V4L2), `test` or `test:<pattern>` (a moving test
 * picture, videotestsrc's patterns: `ball`, `smpte`, `snow`…).
 * @since 0.2.0
 */
export type CameraChoice = string;

/** Where the far end's video goes: `none` (decoded and counted only) or `autovideosink` (a window). @since 0.2.0 */
export type VideoSinkChoice = 'none' | 'autovideosink';
export const VIDEO_SINKS: readonly VideoSinkChoice[] = ['none', 'autovideosink'];

export interface SessionOptions {
  readonly audio: boolean;
  /** A video stream beside the audio (VP8 or H.264 at 320x240, 15 fps), on its own sockets. @since 0.2.0 */
  readonly video: boolean;
  readonly transport: Transport;
  /** The local address to bind media sockets to (the signalling transport's own address). */
  readonly address: string;
  /** Codecs to offer, in order (default: opus, G722, PCMU, PCMA); telephone-event is always added. */
  readonly codecs?: readonly string[];
  readonly microphone?: SourceChoice;
  readonly speaker?: SinkChoice;
  /** Offer RTCP on the RTP port (RFC 5761). Default true. */
  readonly rtcpMux?: boolean;
  /** Offer SRTP keyed by SDES (RFC 4568). Default false. */
  readonly srtp?: boolean;
  readonly echoSuppression?: SuppressionLevel;
  readonly gainControl?: boolean;
  readonly noiseSuppression?: boolean;
  /**
   * End the session `remote-timeout` when the peer, meant to be sending, sent no RTP for this long
   * (ms; 0: never). Default 30000, as phones do (baresip's rtp_timeout). Not counted while on hold or
   * while the peer says it sends nothing (its direction recvonly or inactive). @since 0.2.0
   */
  readonly rtpTimeoutMs?: number;
  /**
   * With `video`: the video codecs to offer, in order (`VP8`, `H264`; default both, VP8 first); one
   * this machine cannot encode and decode is left out (hasEncoder). @since 0.2.0
   */
  readonly videoCodecs?: readonly string[];
  /** With `video`: the camera (default `default`). @since 0.2.0 */
  readonly camera?: CameraChoice;
  /** With `video`: where the far end's video goes (default `none`). @since 0.2.0 */
  readonly videoSink?: VideoSinkChoice;
  /**
   * With `webrtc`: STUN and TURN servers for ICE (RFC 8445 § 5.1.1.2, RFC 8656), as a browser's
   * RTCIceServer. Credentials are secrets: never logged, never in a D-Bus property or an error.
   * @since 0.3.0
   */
  readonly iceServers?: readonly IceServer[];
  /**
   * What the session accepts: `required` (DTLS-SRTP, RFC 5764, or SDES SRTP), `preferred`, `none`.
   * With `webrtc` only `required` (its default) is possible: webrtcbin always keys SRTP with DTLS.
   * @since 0.3.0
   */
  readonly encryption?: Encryption;
}

/** @since 0.3.0 */
export type Encryption = 'required' | 'preferred' | 'none';
export const ENCRYPTIONS: readonly Encryption[] = ['required', 'preferred', 'none'];

/**
 * A STUN or TURN server (RFC 7064 `stun:`/`stuns:`, RFC 7065 `turn:`/`turns:` URIs).
 * @since 0.3.0
 */
export interface IceServer {
  readonly urls: readonly string[];
  /** TURN long-term credentials (RFC 8656 § 9.2); a secret. */
  readonly username?: string;
  readonly credential?: string;
}

/** RFC 8445 § 5.1.1: host, server-reflexive, peer-reflexive, relayed. @since 0.3.0 */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';
export const CANDIDATE_TYPES: readonly CandidateType[] = ['host', 'srflx', 'prflx', 'relay'];

/**
 * One ICE candidate, the fields of an SDP `a=candidate` (RFC 8839 § 5.1) and of a Jingle ICE-UDP
 * `<candidate/>` (XEP-0176 § 4).
 * @since 0.3.0
 */
export interface IceCandidate {
  /** RFC 8445 § 5.1.1.3: the same for candidates of the same type, base and server. */
  readonly foundation: string;
  /** 1: RTP (RTCP is multiplexed on it: RFC 5761, always with `webrtc`). */
  readonly component: number;
  /** `udp` (TCP candidates, RFC 6544, are not used). */
  readonly protocol: string;
  /** RFC 8445 § 5.1.2. */
  readonly priority: number;
  readonly address: string;
  readonly port: number;
  readonly type: CandidateType;
  /** The base of a reflexive or relayed candidate (RFC 8839 § 5.1 `raddr`/`rport`). */
  readonly relAddress?: string;
  readonly relPort?: number;
}

/**
 * ICE parameters of one side (RFC 8839 § 5.4: `a=ice-ufrag`, `a=ice-pwd`; § 5.3 `a=ice-lite`). The
 * password authenticates connectivity checks (RFC 8445 § 7.2.2): it goes to the peer only.
 * @since 0.3.0
 */
export interface IceParameters {
  readonly ufrag: string;
  readonly pwd: string;
  readonly candidates: readonly IceCandidate[];
  /** The side implements ICE lite (RFC 8445 § 2.5); ours is always full. */
  readonly lite?: boolean;
}

/** RFC 4145 § 4 (`a=setup`), as RFC 5763 § 5 uses it: who starts the DTLS handshake. @since 0.3.0 */
export type DtlsSetup = 'actpass' | 'active' | 'passive';
export const DTLS_SETUPS: readonly DtlsSetup[] = ['actpass', 'active', 'passive'];

/**
 * DTLS-SRTP parameters (RFC 5763 § 5, RFC 8122 `a=fingerprint`; Jingle: XEP-0320).
 * @since 0.3.0
 */
export interface DtlsParameters {
  /** The hash of the side's certificate (RFC 8122 § 5): `sha-256`, upper-case hex pairs joined by `:`. */
  readonly fingerprint: { readonly hash: 'sha-256'; readonly value: string };
  readonly setup: DtlsSetup;
}

/** An SDES crypto attribute's content (RFC 4568 § 9.1): suite and base64 key||salt. */
export interface SdesKey {
  readonly suite: 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';
  /** 30 bytes (16 key + 14 salt), base64 as in `inline:`. */
  readonly keySalt: string;
}

export interface LocalDescription {
  readonly transport: Transport;
  readonly address: string;
  readonly port: number;
  readonly rtcpPort: number;
  readonly rtcpMux: boolean;
  /** What we can receive, in preference order, telephone-event last. */
  readonly codecs: readonly Codec[];
  /** The key we send with (SRTP), when SRTP was asked for. */
  readonly crypto?: SdesKey;
  /** The video stream, when the session has video. @since 0.2.0 */
  readonly video?: LocalVideoDescription;
  /**
   * With `webrtc`: our ICE parameters and the candidates gathered (all of them, or what was gathered
   * within 5 s). Audio and video are bundled on these (RFC 8843): `port` is the first candidate's.
   * @since 0.3.0
   */
  readonly ice?: IceParameters;
  /** With `webrtc`: our certificate's fingerprint and our DTLS role (RFC 5763 § 5). @since 0.3.0 */
  readonly dtls?: DtlsParameters;
}

/**
 * The video stream of a local description: its own socket(s) on the audio's address (symmetric RTP,
 * RFC 4961), RTCP multiplexed as the audio's (RFC 5761), its own SRTP key (RFC 4568 keys one media
 * stream).
 * @since 0.2.0
 */
export interface LocalVideoDescription {
  readonly port: number;
  readonly rtcpPort: number;
  readonly rtcpMux: boolean;
  /** What we can receive, in preference order (VP8, RFC 7741; H.264, RFC 6184, when offered). */
  readonly codecs: readonly Codec[];
  readonly crypto?: SdesKey;
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface RemoteDescription {
  readonly address: string;
  readonly port: number;
  /** Default: port + 1, or port when rtcpMux. */
  readonly rtcpPort?: number;
  readonly rtcpMux: boolean;
  /** The negotiated codecs: the first audio codec is the one sent; telephone-event if agreed. */
  readonly codecs: readonly Codec[];
  /** The peer's key (what it sends with); required when we offered SRTP. */
  readonly crypto?: SdesKey;
  /** The peer's direction (RFC 3264 § 6.1): sendonly/inactive peers are not sent to. */
  readonly direction?: Direction;
  /** The peer's video stream; absent (or port 0: refused, RFC 3264 § 6) makes an audio-only call. @since 0.2.0 */
  readonly video?: RemoteVideoDescription;
  /** With `webrtc` (required): the peer's ICE parameters and candidates (RFC 8445). @since 0.3.0 */
  readonly ice?: IceParameters;
  /**
   * With `webrtc` (required): the peer's fingerprint, checked against the certificate its DTLS
   * handshake shows (RFC 5763 § 5: a mismatch ends the session `media-security`), and its role.
   * @since 0.3.0
   */
  readonly dtls?: DtlsParameters;
}

/** @since 0.2.0 */
export interface RemoteVideoDescription {
  /** Default: the audio's address. */
  readonly address?: string;
  /** 0: the peer refused video. */
  readonly port: number;
  /** Default: port + 1, or port when rtcpMux. */
  readonly rtcpPort?: number;
  readonly rtcpMux: boolean;
  /** The negotiated video codecs: the first is the one sent. */
  readonly codecs: readonly Codec[];
  /** The peer's key for its video stream; required when the session has SRTP. */
  readonly crypto?: SdesKey;
  readonly direction?: Direction;
}

export type SessionState = 'new' | 'ready' | 'active' | 'held' | 'ended';

/** Why a session ended. */
export type EndReason = 'closed' | 'media-failed' | 'remote-timeout' | 'invalid-remote' | 'ice-failed' | 'media-security';

export interface SessionStats {
  readonly packetsSent: number;
  readonly packetsReceived: number;
  /** From the peer's RTCP receiver reports: its view of our stream. */
  readonly remoteFractionLost: number;
  readonly remotePacketsLost: number;
  readonly remoteJitterMs: number;
  /** Round-trip time from RTCP (RFC 3550 § 6.4.1), ms; -1 until known. */
  readonly roundTripMs: number;
  /** Our view of the peer's stream. */
  readonly packetsLost: number;
  readonly jitterMs: number;
  /** RMS level of what the far end says, dBFS, last second (-127 when silent or unknown). */
  readonly farLevelDb: number;
  /** RTP streams that arrived from SSRCs we did not play (dropped). */
  readonly foreignStreams: number;
  /** Video frames encoded and handed to the payloader; 0 without video. @since 0.2.0 */
  readonly videoFramesSent: number;
  /** Video frames the decoder produced from the peer's stream. @since 0.2.0 */
  readonly videoFramesDecoded: number;
  /** The video stream's RTP packets (rtpbin's second session). @since 0.2.0 */
  readonly videoPacketsSent: number;
  readonly videoPacketsReceived: number;
  /** The media is SRTP keyed by a completed DTLS handshake (RFC 5764); false on `rtp`. @since 0.3.0 */
  readonly dtlsSrtp?: boolean;
}
