/**
 * A session on the `rtp` transport: plain RTP/RTCP or SRTP over UDP, one pipeline for both directions.
 *
 * Life: created (sockets bound, state `new`) → `setRemote` (pipeline built, `ready`) → `start`
 * (`active`) ⇄ `hold` (`held`) → `close` or a pipeline error (`ended`, with a reason). A new remote
 * description while running (a re-INVITE) rebuilds the pipeline on the same sockets when the codec or
 * the address changed, and only changes direction otherwise.
 *
 * Video (0.2.0): a session made with `video` binds a second socket (pair) and offers VP8; when the
 * peer's description has video too, the stream joins the same pipeline as rtpbin's second session
 * (video-pipeline.ts). A peer that refuses video (port 0) makes an audio-only call on the same session.
 * `setVideo` adds or removes the stream during a call: the plugin then re-offers (a re-INVITE) with the
 * new local description and gives the answer to `setRemote`, which rebuilds the pipeline.
 * @since 0.1.0
 */
import { ConfabError, Emitter, InvalidArgumentError, NotImplementedError, type Event } from '@confab/sdk';
import { cameraFragment } from '../devices/camera';
import { DEFAULT_DSP, type DspSettings } from '../aec/dsp-settings';
import type { Codec } from '../codecs/codecs';
import { gstExtras } from '../gst/gi';
import { Pipeline } from '../gst/pipeline';
import type { ErrorSink } from '../gst/safe';
import { bindSockets, closeSockets, type SocketPair } from '../rtp/sockets';
import { newSdesKey, srtpDecCaps } from '../rtp/srtp';
import { callPipeline, checkDeviceChoices } from './call-pipeline';
import { acceptRemote, acceptRemoteVideo, offeredCodecs, offeredVideoCodecs, type Accepted, type AcceptedVideo } from './description';
import { checkDigits, detectedDigit, sendDigits } from './dtmf';
import { ReceivePads } from './receive-pads';
import { levelRms, parseSourceStats, renderedCount, sessionStats } from './stats';
import { VIDEO_SINKS, type EndReason, type LocalDescription, type RemoteDescription, type SdesKey, type SessionOptions, type SessionState, type SessionStats, type VideoSinkChoice } from './types';
import { VIDEO_SESSION, type VideoPipelineSpec } from './video-pipeline';

export interface StateChange {
  readonly state: SessionState;
  readonly reason: string;
}

const JITTER_BUFFER_MS = 60;

/** This session's video stream: its sockets, codecs, key and camera; made before anything is signalled. */
interface LocalVideo {
  readonly sockets: SocketPair;
  readonly codecs: Codec[];
  readonly key?: SdesKey;
  /** The camera's launch fragment. */
  readonly camera: string;
  readonly sink: VideoSinkChoice;
}

/** The choices of a video stream, checked before any socket is bound (a bad one binds nothing). */
function videoChoices(o: SessionOptions): { codecs: Codec[]; camera: string; sink: VideoSinkChoice } {
  const sink = o.videoSink ?? 'none';
  if (!VIDEO_SINKS.includes(sink)) throw new InvalidArgumentError(`video-sink must be one of ${VIDEO_SINKS.join(', ')}`);
  return { codecs: offeredVideoCodecs(o.videoCodecs), camera: cameraFragment(o.camera ?? 'default'), sink };
}

function openVideo(o: SessionOptions, choices = videoChoices(o)): LocalVideo {
  const sockets = bindSockets(o.address, o.rtcpMux ?? true);
  return { ...choices, sockets, ...(o.srtp ? { key: newSdesKey() } : {}) };
}

/** How long a peer meant to send may send no RTP before the session ends (SessionOptions.rtpTimeoutMs). */
export const DEFAULT_RTP_TIMEOUT_MS = 30_000;

export class RtpSession {
  private readonly sockets: SocketPair;
  private readonly codecs: Codec[];
  private readonly localKey?: SdesKey;
  private readonly dsp: DspSettings;
  private pipeline?: Pipeline;
  private pads?: ReceivePads;
  private remote?: RemoteDescription;
  private accepted?: Accepted;
  private video?: LocalVideo;
  private acceptedVideo?: AcceptedVideo;
  private currentState: SessionState = 'new';
  private muted = false;
  private farLevelDb = -127;
  /** Reads the received-packet count every second while active (steering, not per packet). */
  private rtpWatch?: NodeJS.Timeout;
  private readonly stateEmitter = new Emitter<StateChange>();
  private readonly dtmfEmitter = new Emitter<string>();

  readonly onStateChanged: Event<StateChange> = this.stateEmitter.event;
  /** A digit the peer sent (RFC 4733), as detected in the decoded events. */
  readonly onDtmf: Event<string> = this.dtmfEmitter.event;

  constructor(readonly id: string, private readonly options: SessionOptions, private readonly report: ErrorSink) {
    if (options.transport !== 'rtp') throw new NotImplementedError(`the ${options.transport} transport is not implemented yet`);
    if (!options.audio) throw new InvalidArgumentError('a session needs audio');
    checkDeviceChoices(options.microphone ?? 'silence', options.speaker ?? 'none');
    this.codecs = offeredCodecs(options.codecs);
    const video = options.video ? videoChoices(options) : undefined;
    this.sockets = bindSockets(options.address, options.rtcpMux ?? true);
    try {
      if (video) this.video = openVideo(options, video);
    } catch (err) {
      closeSockets(this.sockets);
      throw err;
    }
    if (options.srtp) this.localKey = newSdesKey();
    this.dsp = {
      ...DEFAULT_DSP,
      ...(options.echoSuppression ? { suppression: options.echoSuppression } : {}),
      ...(options.gainControl !== undefined ? { gainControl: options.gainControl } : {}),
      ...(options.noiseSuppression !== undefined ? { noiseSuppression: options.noiseSuppression } : {}),
    };
  }

  get state(): SessionState {
    return this.currentState;
  }

  get isMuted(): boolean {
    return this.muted;
  }

  localDescription(): LocalDescription {
    return {
      transport: 'rtp',
      address: this.sockets.address,
      port: this.sockets.rtpPort,
      rtcpPort: this.sockets.rtcpPort,
      rtcpMux: this.sockets.rtcp === undefined,
      codecs: this.codecs,
      ...(this.localKey ? { crypto: this.localKey } : {}),
      ...(this.video ? { video: localVideo(this.video) } : {}),
    };
  }

  /** Whether the session has a video stream of its own (offered; sent once the peer accepts it). */
  get hasVideo(): boolean {
    return this.video !== undefined;
  }

  /**
   * Adds (binds the sockets, makes a key) or removes this session's video stream. The local
   * description changes: the plugin re-offers it, and `setRemote` with the answer rebuilds the pipeline.
   * Removing it stops the video at once (the pipeline is rebuilt without it).
   * @since 0.2.0
   */
  setVideo(enabled: boolean): void {
    this.ensureOpen();
    if (enabled === (this.video !== undefined)) return;
    if (enabled) {
      this.video = openVideo({ ...this.options, video: true });
      return;
    }
    const v = this.video!;
    this.video = undefined;
    if (this.acceptedVideo) {
      this.acceptedVideo = undefined;
      this.rebuild();
    }
    closeSockets(v.sockets);
  }

  setRemote(r: RemoteDescription): void {
    this.ensureOpen();
    const accepted = acceptRemote(r, this.localKey !== undefined);
    if (r.rtcpMux && this.sockets.rtcp) throw new InvalidArgumentError('RTCP multiplexing was not offered');
    const video = acceptRemoteVideo(r.video, r.address, this.video?.codecs, this.localKey !== undefined);
    if (video?.rtcpMux && this.video?.sockets.rtcp) throw new InvalidArgumentError('RTCP multiplexing was not offered for video');
    const rebuild =
      !this.remote || this.remote.address !== r.address || this.remote.port !== r.port || this.accepted?.send.pt !== accepted.send.pt || this.accepted.send.name !== accepted.send.name ||
      videoShape(this.acceptedVideo) !== videoShape(video);
    this.remote = r;
    this.accepted = accepted;
    this.acceptedVideo = video;
    if (rebuild) this.rebuild();
    this.applyDirection();
  }

  private rebuild(): void {
    const wasRunning = this.currentState === 'active' || this.currentState === 'held';
    this.build();
    if (wasRunning) this.pipeline?.play();
    else this.setState('ready', 'remote-description');
  }

  start(): void {
    this.ensureOpen();
    if (!this.pipeline) throw new ConfabError('NotAvailable', 'set the remote description first');
    if (this.currentState !== 'ready') return;
    this.pipeline.play();
    this.setState('active', 'started');
    this.watchRtp();
  }

  /**
   * RTP inactivity (RFC 3550 § 6.3.5 times out silent members; phones end the call): no new packet
   * from a peer that should be sending for `rtpTimeoutMs` ends the session `remote-timeout`.
   */
  private watchRtp(): void {
    const limit = this.options.rtpTimeoutMs ?? DEFAULT_RTP_TIMEOUT_MS;
    if (limit <= 0 || this.rtpWatch) return;
    let last = -1;
    let since = Date.now();
    this.rtpWatch = setInterval(() => {
      const peerSends = this.currentState === 'active' && (this.remote?.direction ?? 'sendrecv') !== 'recvonly' && this.remote?.direction !== 'inactive';
      const received = this.stats().packetsReceived;
      if (!peerSends || received !== last) {
        last = received;
        since = Date.now();
        return;
      }
      if (Date.now() - since < limit) return;
      void this.close('remote-timeout', `no RTP from the peer for ${Math.round(limit / 1000)} s`);
    }, Math.min(1000, limit));
    this.rtpWatch.unref();
  }

  hold(): void {
    if (this.currentState !== 'active') throw new ConfabError('NotAvailable', `cannot hold a ${this.currentState} session`);
    this.setState('held', 'hold');
    this.applyDirection();
  }

  resume(): void {
    if (this.currentState !== 'held') throw new ConfabError('NotAvailable', `cannot resume a ${this.currentState} session`);
    this.setState('active', 'resume');
    this.applyDirection();
  }

  setMuted(muted: boolean): void {
    this.ensureOpen();
    this.muted = muted;
    this.applyDirection();
  }

  async sendDtmf(digits: string, toneMs = 100): Promise<void> {
    try {
      checkDigits(digits);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
    if (this.currentState !== 'active') throw new ConfabError('NotAvailable', 'DTMF needs an active session');
    const source = this.accepted?.telephoneEvent ? this.pipeline?.maybeElement('dtmf') : null;
    if (!source) throw new ConfabError('NotCapable', 'the peer did not agree to telephone-events (RFC 4733)');
    await sendDigits(source, digits, Math.max(40, Math.min(toneMs, 2000)), () => this.currentState === 'active');
  }

  stats(): SessionStats {
    const p = this.pipeline;
    // frames as counted by the fakesinks themselves (GstBaseSink `stats`): read now, never per frame
    const frames = (name: string) => renderedCount((p?.maybeElement(name)?.stats as { toString(): string } | null | undefined)?.toString() ?? '');
    const extra = { farLevelDb: this.farLevelDb, foreignStreams: this.pads?.foreignStreams ?? 0, videoFramesSent: frames('vframes_sent'), videoFramesDecoded: frames('vframes_decoded') };
    const rtpbin = p?.maybeElement('rtpbin');
    if (!rtpbin || !this.accepted) return sessionStats([], 8000, extra);
    const text = (n: number) => (rtpbin.emit('get-internal-session', n) as { stats?: { toString(): string } } | null)?.stats?.toString() ?? '';
    const video = this.acceptedVideo ? parseSourceStats(text(VIDEO_SESSION)) : [];
    return sessionStats(parseSourceStats(text(0)), this.accepted.send.clockRate, extra, video);
  }

  /** Ends the session: recordings are finished (end of stream, at most 1 s), sockets closed. */
  async close(reason: EndReason = 'closed', detail = ''): Promise<void> {
    if (this.currentState === 'ended') return;
    const p = this.pipeline;
    this.currentState = 'ended';
    clearInterval(this.rtpWatch);
    if (p && !p.isDisposed) await finishRecording(p);
    p?.dispose();
    this.pipeline = undefined;
    closeSockets(this.sockets);
    if (this.video) closeSockets(this.video.sockets);
    this.stateEmitter.fire({ state: 'ended', reason: detail ? `${reason}: ${detail}` : reason });
    this.stateEmitter.dispose();
    this.dtmfEmitter.dispose();
  }

  private build(): void {
    const r = this.remote!;
    const a = this.accepted!;
    this.pipeline?.dispose();
    const srtp = this.localKey && r.crypto ? { local: this.localKey, remote: r.crypto } : undefined;
    // rtcpMux: what we receive on, one socket or two — not what the peer sends. A peer that answers our
    // a=rtcp-mux without it (baresip 1.0) still sends its RTP to our one socket, which one udpsrc reads.
    const p = new Pipeline(
      callPipeline({ id: this.id, send: a.send, telephoneEvent: a.telephoneEvent, dsp: this.dsp, microphone: this.options.microphone ?? 'silence', speaker: this.options.speaker ?? 'none', rtcpMux: this.sockets.rtcp === undefined, srtp, latencyMs: JITTER_BUFFER_MS, video: this.videoSpec() }),
      this.report,
    );
    this.pipeline = p;
    this.wireSockets(p, r);
    if (this.video && this.acceptedVideo) wireVideoSockets(p, this.video.sockets, this.acceptedVideo);
    const videoKey = this.video?.key && r.video?.crypto;
    this.pads = new ReceivePads(
      p,
      {
        audio: a.send,
        telephoneEvent: a.telephoneEvent,
        srtpCaps: srtp ? srtpDecCaps(srtp.remote) : undefined,
        video: this.acceptedVideo?.send,
        videoSrtpCaps: this.acceptedVideo && videoKey ? srtpDecCaps(videoKey) : undefined,
      },
      this.report,
    );
    this.pads.attach();
    p.onError((text) => void this.close('media-failed', text));
    p.onElementMessage((m) => {
      if (m.name === 'level') this.farLevelDb = levelRms(m.text);
      else if (m.name === 'dtmf-event') {
        const digit = detectedDigit(m.text);
        if (digit) this.dtmfEmitter.fire(digit);
      }
    });
  }

  private videoSpec(): VideoPipelineSpec | undefined {
    const v = this.video;
    const av = this.acceptedVideo;
    if (!v || !av) return undefined;
    const remoteKey = this.remote?.video?.crypto;
    return {
      send: av.send,
      camera: v.camera,
      sink: v.sink,
      // what we receive on: one socket (RTCP multiplexed on it, RFC 5761) or two
      rtcpMux: v.sockets.rtcp === undefined,
      ...(v.key && remoteKey ? { srtp: { local: v.key, remote: remoteKey } } : {}),
    };
  }

  /** One socket sends and receives RTP (RFC 4961); RTCP on it too when multiplexed (RFC 5761 § 4). */
  private wireSockets(p: Pipeline, r: RemoteDescription): void {
    const rtcpSocket = this.sockets.rtcp ?? this.sockets.rtp;
    const rtcpPort = r.rtcpPort ?? (r.rtcpMux ? r.port : r.port + 1);
    Object.assign(p.element('rtp_in'), { socket: this.sockets.rtp, closeSocket: false });
    Object.assign(p.element('rtp_out'), { socket: this.sockets.rtp, closeSocket: false, host: r.address, port: r.port });
    Object.assign(p.element('rtcp_out'), { socket: rtcpSocket, closeSocket: false, host: r.address, port: rtcpPort });
    const rtcpIn = p.maybeElement('rtcp_in');
    if (rtcpIn) Object.assign(rtcpIn, { socket: rtcpSocket, closeSocket: false });
  }

  /** Mute and hold as volumes: RTP and RTCP keep flowing (NAT bindings, statistics), silent. */
  private applyDirection(): void {
    const p = this.pipeline;
    if (!p) return;
    const held = this.currentState === 'held';
    const dir = this.remote?.direction ?? 'sendrecv';
    // RFC 3264 § 6.1: nothing is sent to a peer that will not receive, nothing played from one that does not send
    const sending = !this.muted && !held && (dir === 'sendrecv' || dir === 'recvonly');
    const playing = !held && (dir === 'sendrecv' || dir === 'sendonly');
    Object.assign(p.element('mute'), { mute: !sending });
    Object.assign(p.element('hold'), { mute: !playing });
    // video: frames stop before the encoder (RTCP goes on); a window stops showing the far end
    const vdir = this.remote?.video?.direction ?? 'sendrecv';
    const vsend = p.maybeElement('vsend');
    if (vsend) Object.assign(vsend, { drop: held || !(vdir === 'sendrecv' || vdir === 'recvonly') });
    const vhold = p.maybeElement('vhold');
    if (vhold) Object.assign(vhold, { drop: held || !(vdir === 'sendrecv' || vdir === 'sendonly') });
  }

  private setState(state: SessionState, reason: string): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.stateEmitter.fire({ state, reason });
  }

  private ensureOpen(): void {
    if (this.currentState === 'ended') throw new ConfabError('NotAvailable', 'the session has ended');
  }
}

function localVideo(v: LocalVideo): LocalDescription['video'] {
  return { port: v.sockets.rtpPort, rtcpPort: v.sockets.rtcpPort, rtcpMux: v.sockets.rtcp === undefined, codecs: v.codecs, ...(v.key ? { crypto: v.key } : {}) };
}

/** What makes a new video pipeline: where it is sent and which codec (undefined: no video). */
function videoShape(v: AcceptedVideo | undefined): string {
  return v ? `${v.address} ${v.port} ${v.rtcpPort} ${v.send.name}/${v.send.pt}` : '';
}

/** The video's socket as the audio's: symmetric RTP (RFC 4961), RTCP on it when multiplexed. */
function wireVideoSockets(p: Pipeline, sockets: SocketPair, a: AcceptedVideo): void {
  const rtcpSocket = sockets.rtcp ?? sockets.rtp;
  Object.assign(p.element('vrtp_in'), { socket: sockets.rtp, closeSocket: false });
  Object.assign(p.element('vrtp_out'), { socket: sockets.rtp, closeSocket: false, host: a.address, port: a.port });
  Object.assign(p.element('vrtcp_out'), { socket: rtcpSocket, closeSocket: false, host: a.address, port: a.rtcpPort });
  const rtcpIn = p.maybeElement('vrtcp_in');
  if (rtcpIn) Object.assign(rtcpIn, { socket: rtcpSocket, closeSocket: false });
}

/** Sends end of stream and waits (≤ 1 s) for it to reach the sinks, so a WAV recording gets its sizes. */
function finishRecording(p: Pipeline): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, 1000);
    const sub = p.onEos(done);
    function done() {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    }
    if (!p.sendEvent(gstExtras().Event.newEos())) done();
  });
}
