/**
 * A session on the `rtp` transport: plain RTP/RTCP or SRTP over UDP, one pipeline for both directions.
 *
 * Life: created (sockets bound, state `new`) → `setRemote` (pipeline built, `ready`) → `start`
 * (`active`) ⇄ `hold` (`held`) → `close` or a pipeline error (`ended`, with a reason). A new remote
 * description while running (a re-INVITE) rebuilds the pipeline on the same sockets when the codec or
 * the address changed, and only changes direction otherwise.
 * @since 0.1.0
 */
import { ConfabError, Emitter, InvalidArgumentError, NotImplementedError, type Event } from '@confab/sdk';
import { DEFAULT_DSP, type DspSettings } from '../aec/dsp-settings';
import type { Codec } from '../codecs/codecs';
import { gstExtras } from '../gst/gi';
import { Pipeline } from '../gst/pipeline';
import type { ErrorSink } from '../gst/safe';
import { bindSockets, closeSockets, type SocketPair } from '../rtp/sockets';
import { newSdesKey, srtpDecCaps } from '../rtp/srtp';
import { callPipeline, checkDeviceChoices } from './call-pipeline';
import { acceptRemote, offeredCodecs, type Accepted } from './description';
import { checkDigits, detectedDigit, sendDigits } from './dtmf';
import { ReceivePads } from './receive-pads';
import { levelRms, parseSourceStats, sessionStats } from './stats';
import type { EndReason, LocalDescription, RemoteDescription, SdesKey, SessionOptions, SessionState, SessionStats } from './types';

export interface StateChange {
  readonly state: SessionState;
  readonly reason: string;
}

const JITTER_BUFFER_MS = 60;

export class RtpSession {
  private readonly sockets: SocketPair;
  private readonly codecs: Codec[];
  private readonly localKey?: SdesKey;
  private readonly dsp: DspSettings;
  private pipeline?: Pipeline;
  private pads?: ReceivePads;
  private remote?: RemoteDescription;
  private accepted?: Accepted;
  private currentState: SessionState = 'new';
  private muted = false;
  private farLevelDb = -127;
  private readonly stateEmitter = new Emitter<StateChange>();
  private readonly dtmfEmitter = new Emitter<string>();

  readonly onStateChanged: Event<StateChange> = this.stateEmitter.event;
  /** A digit the peer sent (RFC 4733), as detected in the decoded events. */
  readonly onDtmf: Event<string> = this.dtmfEmitter.event;

  constructor(readonly id: string, private readonly options: SessionOptions, private readonly report: ErrorSink) {
    if (options.transport !== 'rtp') throw new NotImplementedError(`the ${options.transport} transport is not implemented yet`);
    if (!options.audio) throw new InvalidArgumentError('a session needs audio');
    if (options.video) throw new NotImplementedError('video is not implemented yet');
    checkDeviceChoices(options.microphone ?? 'silence', options.speaker ?? 'none');
    this.codecs = offeredCodecs(options.codecs);
    this.sockets = bindSockets(options.address, options.rtcpMux ?? true);
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
    };
  }

  setRemote(r: RemoteDescription): void {
    this.ensureOpen();
    const accepted = acceptRemote(r, this.localKey !== undefined);
    if (r.rtcpMux && this.sockets.rtcp) throw new InvalidArgumentError('RTCP multiplexing was not offered');
    const rebuild = !this.remote || this.remote.address !== r.address || this.remote.port !== r.port || this.accepted?.send.pt !== accepted.send.pt || this.accepted.send.name !== accepted.send.name;
    this.remote = r;
    this.accepted = accepted;
    if (rebuild) {
      const wasRunning = this.currentState === 'active' || this.currentState === 'held';
      this.build();
      if (wasRunning) this.pipeline?.play();
      else this.setState('ready', 'remote-description');
    }
    this.applyDirection();
  }

  start(): void {
    this.ensureOpen();
    if (!this.pipeline) throw new ConfabError('NotAvailable', 'set the remote description first');
    if (this.currentState !== 'ready') return;
    this.pipeline.play();
    this.setState('active', 'started');
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
    const extra = { farLevelDb: this.farLevelDb, foreignStreams: this.pads?.foreignStreams ?? 0 };
    const rtpbin = this.pipeline?.maybeElement('rtpbin');
    if (!rtpbin || !this.accepted) return sessionStats([], 8000, extra);
    const session = rtpbin.emit('get-internal-session', 0) as { stats?: { toString(): string } } | null;
    return sessionStats(parseSourceStats(session?.stats?.toString() ?? ''), this.accepted.send.clockRate, extra);
  }

  /** Ends the session: recordings are finished (end of stream, at most 1 s), sockets closed. */
  async close(reason: EndReason = 'closed', detail = ''): Promise<void> {
    if (this.currentState === 'ended') return;
    const p = this.pipeline;
    this.currentState = 'ended';
    if (p && !p.isDisposed) await finishRecording(p);
    p?.dispose();
    this.pipeline = undefined;
    closeSockets(this.sockets);
    this.stateEmitter.fire({ state: 'ended', reason: detail ? `${reason}: ${detail}` : reason });
    this.stateEmitter.dispose();
    this.dtmfEmitter.dispose();
  }

  private build(): void {
    const r = this.remote!;
    const a = this.accepted!;
    this.pipeline?.dispose();
    const srtp = this.localKey && r.crypto ? { local: this.localKey, remote: r.crypto } : undefined;
    const p = new Pipeline(
      callPipeline({ id: this.id, send: a.send, telephoneEvent: a.telephoneEvent, dsp: this.dsp, microphone: this.options.microphone ?? 'silence', speaker: this.options.speaker ?? 'none', rtcpMux: r.rtcpMux, srtp, latencyMs: JITTER_BUFFER_MS }),
      this.report,
    );
    this.pipeline = p;
    this.wireSockets(p, r);
    this.pads = new ReceivePads(p, { audio: a.send, telephoneEvent: a.telephoneEvent, srtpCaps: srtp ? srtpDecCaps(srtp.remote) : undefined }, this.report);
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
