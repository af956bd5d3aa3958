/**
 * A session on the `webrtc` transport (0.3.0): ICE (RFC 8445, libnice inside webrtcbin), DTLS-SRTP
 * (RFC 5763/5764), rtcp-mux (RFC 5761) and BUNDLE (RFC 8843) of audio and video, with the same capture
 * and playback processing as `rtp` (webrtc-pipeline.ts) and the same states.
 *
 * Offer/answer without SDP for the plugin: webrtcbin itself works by offer and answer, so the session
 * takes the role the order of calls gives it —
 *   - offerer: `localDescription()` first (webrtcbin's offer; DTLS setup `actpass`), then `setRemote`
 *     with the peer's answer (setup `active` or `passive`);
 *   - answerer: `setRemote` first with the peer's offer, then `localDescription()` (webrtcbin's answer,
 *     setup `active`, RFC 5763 § 5).
 * The peer's structured description is written as SDP for webrtcbin (sdp/webrtc-sdp.ts); webrtcbin's
 * SDP is read back into fields (sdp/ice.ts). A local description waits for gathering to complete, at
 * most GATHER_MS (with a TURN server: at most AFTER_RELAY_MS after the first relayed candidate), and
 * returns what was gathered by then (no trickle yet).
 *
 * Ends: no ICE pair within ICE_TIMEOUT_MS, or libnice's `failed`, is `ice-failed`; a DTLS handshake
 * that fails (the peer's certificate does not match its fingerprint, RFC 5763 § 5) is
 * `media-security` — webrtcbin never sends media before DTLS-SRTP is up, so nothing leaves in clear.
 *
 * JavaScript steers only: promises, a 250 ms poll of webrtcbin's states, pad-added once per stream.
 * @since 0.3.0
 */
import { X509Certificate } from 'node:crypto';
import { ConfabError, Emitter, InvalidArgumentError, NotImplementedError, type Event } from '@confab/sdk';
import { DEFAULT_DSP, type DspSettings } from '../aec/dsp-settings';
import { isAudioCodec, type Codec } from '../codecs/codecs';
import { cameraFragment } from '../devices/camera';
import { gstExtras, webrtcModules, type GstElement, type GstPad, type GstPromise } from '../gst/gi';
import { Pipeline } from '../gst/pipeline';
import { safe, type ErrorSink } from '../gst/safe';
import { checkTransport, transportFromSdp } from '../sdp/ice';
import { midsOf, peerSdp } from '../sdp/webrtc-sdp';
import { checkDeviceChoices } from './call-pipeline';
import { offeredCodecs, offeredVideoCodecs } from './description';
import type { StateChange } from './rtp-session';
import { levelRms, renderedCount } from './stats';
import { VIDEO_SINKS, type DtlsSetup, type EndReason, type LocalDescription, type RemoteDescription, type SessionOptions, type SessionState, type SessionStats } from './types';
import { applyIceServers, bindIceAgent, checkIceServers, hasTurnServer, keepWrapper } from './webrtc-ice';
import { webrtcPipeline } from './webrtc-pipeline';
import { webrtcStats } from './webrtc-stats';

/** How long a local description waits for ICE gathering (then: what was gathered). */
export const GATHER_MS = 5000;
/**
 * With a TURN server: how long after the first relayed candidate a local description still waits for
 * the end of gathering. libnice 0.1.21 (agent/conncheck.c) reads a STUN Binding response arriving on a
 * socket that already holds a TURN allocation with the allocation's refresh agent, which refuses it
 * ("Incorrectly multiplexed STUN message ignored"): the STUN server's discovery then runs to its
 * timeout and gathering completes ~2 s late (measured in the NAT test bed, issue 18) — for nothing,
 * as the Allocate response already gave the server-reflexive address (RFC 8656 § 7.3,
 * XOR-MAPPED-ADDRESS) at the same moment as the relayed one.
 */
export const AFTER_RELAY_MS = 150;
/** How long after the remote description ICE may take to find a pair. */
export const ICE_TIMEOUT_MS = 10_000;
const JITTER_BUFFER_MS = 60;

/** GstWebRTCICEGatheringState, GstWebRTCICEConnectionState, GstWebRTCPeerConnectionState values. */
const GATHERING_COMPLETE = 2;
const ICE = { CONNECTED: 2, COMPLETED: 3, FAILED: 4 } as const;
const PC = { CONNECTED: 2, FAILED: 4 } as const;

type Role = 'offerer' | 'answerer';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class WebRtcSession {
  private readonly pipeline: Pipeline;
  private readonly webrtc: GstElement;
  private readonly audio: Codec;
  private readonly videoCodec?: Codec;
  private role?: Role;
  private negotiation?: Promise<void>;
  private local?: LocalDescription;
  private localSdp = '';
  private remote?: RemoteDescription;
  private currentState: SessionState = 'new';
  private muted = false;
  private farLevelDb = -127;
  private watch?: NodeJS.Timeout;
  /** The peer's DTLS certificate matched its fingerprint: media may be sent and played. */
  private verified = false;
  private readonly stateEmitter = new Emitter<StateChange>();
  private readonly dtmfEmitter = new Emitter<string>();

  readonly onStateChanged: Event<StateChange> = this.stateEmitter.event;
  /** Never fires: DTMF over webrtc is not implemented yet (sendDtmf says NotCapable). */
  readonly onDtmf: Event<string> = this.dtmfEmitter.event;

  constructor(readonly id: string, private readonly options: SessionOptions, report: ErrorSink) {
    if (options.transport !== 'webrtc') throw new InvalidArgumentError('a WebRtcSession is for the webrtc transport');
    if (!options.audio) throw new InvalidArgumentError('a session needs audio');
    if ((options.encryption ?? 'required') !== 'required') throw new ConfabError('NotCapable', 'the webrtc transport is always encrypted (DTLS-SRTP): encryption must be required');
    if (options.srtp) throw new InvalidArgumentError('srtp (SDES) is for the rtp transport: webrtc keys SRTP with DTLS');
    checkDeviceChoices(options.microphone ?? 'silence', options.speaker ?? 'none');
    checkIceServers(options.iceServers);
    // webrtcbin carries one audio codec here: the first asked for (Opus by default); telephone-event is not offered
    const audio = offeredCodecs(options.codecs).find(isAudioCodec);
    if (!audio) throw new InvalidArgumentError('no audio codec');
    this.audio = audio;
    let video: { codec: Codec; camera: string; sink: 'none' | 'autovideosink' } | undefined;
    if (options.video) {
      const sink = options.videoSink ?? 'none';
      if (!VIDEO_SINKS.includes(sink)) throw new InvalidArgumentError(`video-sink must be one of ${VIDEO_SINKS.join(', ')}`);
      const codec = offeredVideoCodecs(options.videoCodecs).find((c) => c.name === 'VP8');
      if (!codec) throw new ConfabError('NotCapable', 'the webrtc transport sends VP8 video (RFC 7742 § 5): ask for VP8');
      video = { codec, camera: cameraFragment(options.camera ?? 'default'), sink };
      this.videoCodec = codec;
    }
    const dsp: DspSettings = {
      ...DEFAULT_DSP,
      ...(options.echoSuppression ? { suppression: options.echoSuppression } : {}),
      ...(options.gainControl !== undefined ? { gainControl: options.gainControl } : {}),
      ...(options.noiseSuppression !== undefined ? { noiseSuppression: options.noiseSuppression } : {}),
    };
    this.pipeline = new Pipeline(
      webrtcPipeline({ id, audio, dsp, microphone: options.microphone ?? 'silence', speaker: options.speaker ?? 'none', latencyMs: JITTER_BUFFER_MS, ...(video ? { video } : {}) }),
      report,
    );
    try {
      this.webrtc = this.pipeline.element('webrtc');
      bindIceAgent(this.webrtc, options.address);
      applyIceServers(this.webrtc, options.iceServers);
      this.pipeline.connect(this.webrtc, 'pad-added', safe('webrtcbin pad-added', report, undefined, (pad: unknown) => this.onPad(pad as GstPad)));
      this.pipeline.onError((text) => void this.close(/dtls|certificate|fingerprint|srtp/i.test(text) ? 'media-security' : 'media-failed', text));
      this.pipeline.onElementMessage((m) => {
        if (m.name === 'level') this.farLevelDb = levelRms(m.text);
      });
      // webrtcbin needs its sink pads' caps to offer: the sources run (muted, nothing played) from now on
      this.pipeline.play();
    } catch (err) {
      this.pipeline.dispose();
      throw err;
    }
  }

  get state(): SessionState {
    return this.currentState;
  }

  get isMuted(): boolean {
    return this.muted;
  }

  get hasVideo(): boolean {
    return this.videoCodec !== undefined;
  }

  /** Our description: webrtcbin's offer (called first) or answer (after the peer's offer), gathered. */
  async localDescription(): Promise<LocalDescription> {
    this.ensureOpen();
    if (!this.negotiation) {
      this.role = 'offerer';
      this.negotiation = this.makeLocal('offer');
    }
    await this.negotiation;
    this.ensureOpen();
    return this.local!;
  }

  async setRemote(r: RemoteDescription): Promise<void> {
    this.ensureOpen();
    const { ice, dtls } = checkTransport(r.ice, r.dtls);
    const sent = r.codecs.find(isAudioCodec);
    if (!sent || sent.name !== this.audio.name) throw new InvalidArgumentError(`no codec in common: this session sends ${this.audio.name}`);
    // webrtcbin sends with the payload type of our offer's caps: a different number is not mapped yet
    if (sent.pt !== this.audio.pt) throw new ConfabError('NotCapable', `the peer's ${sent.name} payload type ${sent.pt} differs from ours (${this.audio.pt}): not supported yet`);
    const v = r.video && r.video.port !== 0 ? r.video : undefined;
    if (v && !this.videoCodec) throw new InvalidArgumentError('the remote description has video but this session has none');
    if (v && !v.codecs.some((c) => c.name === this.videoCodec!.name && c.pt === this.videoCodec!.pt)) throw new ConfabError('NotCapable', `the peer's video must offer ${this.videoCodec!.name}/${this.videoCodec!.pt}`);
    if (this.remote) {
      // a re-offer: direction only; new ICE credentials would be an ICE restart (RFC 8445 § 9), not done yet
      if (this.remote.ice?.ufrag !== ice.ufrag || this.remote.dtls?.fingerprint.value !== dtls.fingerprint.value) throw new NotImplementedError('an ICE restart or a new DTLS certificate mid-session is not implemented yet');
      this.remote = r;
      this.applyDirection();
      return;
    }
    this.remote = r;
    if (this.role === 'offerer') {
      await this.negotiation;
      // RFC 5763 § 5: the answer says active or passive; an actpass answer is read as active (we accept)
      const setup: DtlsSetup = dtls.setup === 'actpass' ? 'active' : dtls.setup;
      await this.setRemoteSdp('ANSWER', peerSdp(r, ice, { ...dtls, setup }, midsOf(this.localSdp)));
    } else {
      this.role = 'answerer';
      const mids = { audio: '0', ...(v ? { video: '1' } : {}) };
      this.negotiation = this.setRemoteSdp('OFFER', peerSdp(r, ice, dtls, mids)).then(() => this.makeLocal('answer'));
      await this.negotiation;
    }
    this.ensureOpen();
    this.watchConnection();
    this.setState('ready', 'remote-description');
  }

  start(): void {
    this.ensureOpen();
    if (!this.remote) throw new ConfabError('NotAvailable', 'set the remote description first');
    if (this.currentState !== 'ready') return;
    this.setState('active', 'started');
    this.applyDirection();
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

  setVideo(): void {
    throw new NotImplementedError('adding or removing video needs a renegotiation of webrtcbin: not implemented yet for webrtc');
  }

  sendDtmf(): Promise<void> {
    // RFC 4733 events would need telephone-event in webrtcbin's codec preferences beside Opus: next step
    return Promise.reject(new ConfabError('NotCapable', 'DTMF (RFC 4733) is not implemented on the webrtc transport yet'));
  }

  /** webrtcbin's `get-stats` (W3C webrtc-stats: RTP streams, remote-inbound RTT and loss, transport). */
  async stats(): Promise<SessionStats> {
    this.ensureOpen();
    // per transceiver: node-gtk cannot pass the NULL pad that asks for everything
    const ask = (pad: string) => this.ask((p) => this.webrtc.emit('get-stats', this.webrtc.getStaticPad(pad), p), (reply) => reply.toString());
    const audio = await ask('sink_0');
    const video = this.videoCodec ? await ask('sink_1') : '';
    const frames = (name: string) => renderedCount((this.pipeline.maybeElement(name)?.stats as { toString(): string } | null | undefined)?.toString() ?? '');
    const connected = (this.webrtc.connectionState as number) === PC.CONNECTED;
    return webrtcStats(audio, {
      farLevelDb: this.farLevelDb,
      foreignStreams: 0,
      videoFramesSent: frames('vframes_sent'),
      videoFramesDecoded: frames('vframes_decoded'),
      dtlsSrtp: connected,
    }, video);
  }

  async close(reason: EndReason = 'closed', detail = ''): Promise<void> {
    if (this.currentState === 'ended') return;
    this.currentState = 'ended';
    clearInterval(this.watch);
    if (!this.pipeline.isDisposed) finishRecording(this.pipeline);
    await Promise.resolve();
    this.pipeline.dispose();
    this.stateEmitter.fire({ state: 'ended', reason: detail ? `${reason}: ${detail}` : reason });
    this.stateEmitter.dispose();
    this.dtmfEmitter.dispose();
  }

  /** create-offer or create-answer, set-local-description, then gathering (≤ GATHER_MS). */
  private async makeLocal(kind: 'offer' | 'answer'): Promise<void> {
    const { Structure } = webrtcModules();
    const desc = await this.ask((p) => this.webrtc.emit(`create-${kind}`, Structure.newEmpty('options'), p), (reply) => reply.getValue(kind)?.getBoxed());
    if (!desc) throw new ConfabError('NotAvailable', `webrtcbin made no ${kind}`);
    await this.ask((p) => this.webrtc.emit('set-local-description', desc, p), () => true);
    const localSdp = () => (this.webrtc.localDescription as { sdp: { asText(): string } } | null)?.sdp.asText() ?? '';
    const deadline = Date.now() + GATHER_MS;
    const turn = hasTurnServer(this.options.iceServers);
    let relayAt: number | undefined;
    while ((this.webrtc.iceGatheringState as number) !== GATHERING_COMPLETE && Date.now() < deadline && this.currentState !== 'ended') {
      await sleep(20);
      // webrtcbin writes each candidate into its local description as libnice gathers it
      if (turn && relayAt === undefined && / typ relay\b/.test(localSdp())) relayAt = Date.now();
      if (relayAt !== undefined && Date.now() - relayAt >= AFTER_RELAY_MS) break;
    }
    this.ensureOpen();
    const sdp = localSdp();
    const { ice, dtls } = transportFromSdp(sdp);
    this.localSdp = sdp;
    const first = ice.candidates[0];
    const port = first?.port ?? 9;
    this.local = {
      transport: 'webrtc',
      address: first?.address ?? this.options.address,
      port,
      rtcpPort: port,
      rtcpMux: true,
      codecs: [this.audio],
      ice,
      dtls,
      ...(this.videoCodec ? { video: { port, rtcpPort: port, rtcpMux: true, codecs: [this.videoCodec] } } : {}),
    };
  }

  private async setRemoteSdp(type: 'OFFER' | 'ANSWER', text: string): Promise<void> {
    const { SDPMessage, WebRTCSessionDescription, WebRTCSDPType } = webrtcModules();
    const [result, message] = SDPMessage.newFromText(text);
    if (result !== 0 || !message) throw new InvalidArgumentError('the remote description makes no SDP webrtcbin takes');
    const desc = WebRTCSessionDescription.new(WebRTCSDPType[type], message);
    const error = await this.ask((p) => this.webrtc.emit('set-remote-description', desc, p), (reply) => (reply?.hasField('error') ? reply.toString() : ''));
    if (error) throw new InvalidArgumentError(`webrtcbin refused the remote description: ${error}`);
  }

  /**
   * Emits an action signal with a GstPromise and reads its reply. The reply comes on webrtcbin's own
   * thread while it holds its lock: the callback only reads the reply, and everything else (which may
   * call webrtcbin again) runs on a later turn (setImmediate) — calling webrtcbin inside it deadlocks.
   */
  private ask<T>(emit: (p: GstPromise) => void, read: (reply: NonNullable<ReturnType<GstPromise['getReply']>>) => T): Promise<T> {
    const { Promise: GstPromiseCtor } = webrtcModules();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ConfabError('NotAvailable', 'webrtcbin did not answer')), GATHER_MS);
      const p = GstPromiseCtor.newWithChangeFunc((done) => {
        let value: T | undefined;
        let failure: unknown;
        try {
          const reply = done.getReply();
          value = reply ? read(reply) : read({ toString: () => '', getName: () => '', hasField: () => false, getValue: () => null });
        } catch (err) {
          failure = err;
        }
        setImmediate(() => {
          clearTimeout(timer);
          if (failure !== undefined) reject(failure instanceof Error ? failure : new Error(String(failure)));
          else resolve(value as T);
        });
      });
      emit(p);
    });
  }

  /** One webrtcbin src pad per received stream: audio to the depayloader, video to vdepay. */
  private onPad(pad: GstPad): void {
    const caps = (pad as unknown as { getCurrentCaps(): { toString(): string } | null }).getCurrentCaps()?.toString() ?? '';
    const target = /media=\(string\)video/.test(caps) ? 'vdepay' : /media=\(string\)audio/.test(caps) ? 'depay' : undefined;
    const sink = target ? this.pipeline.maybeElement(target)?.getStaticPad('sink') : null;
    if (sink && !sink.isLinked() && pad.link(sink) === 0) return;
    const drop = this.pipeline.addElement('fakesink', { sync: false, async: false });
    const dropPad = drop.getStaticPad('sink');
    if (dropPad) pad.link(dropPad);
  }

  /** ICE and DTLS, watched every 250 ms from the remote description on (steering, not per packet). */
  private watchConnection(): void {
    if (this.watch) return;
    const since = Date.now();
    let connected = false;
    this.watch = setInterval(() => {
      if (this.currentState === 'ended') return;
      const ice = this.webrtc.iceConnectionState as number;
      const pc = this.webrtc.connectionState as number;
      if (ice === ICE.CONNECTED || ice === ICE.COMPLETED) connected = true;
      if (ice === ICE.FAILED) void this.close('ice-failed', 'no candidate pair works (RFC 8445 § 8)');
      else if (!connected && Date.now() - since > ICE_TIMEOUT_MS) void this.close('ice-failed', `no candidate pair within ${ICE_TIMEOUT_MS / 1000} s`);
      else if (connected && pc === PC.FAILED) void this.close('media-security', 'the DTLS handshake failed (RFC 5763 § 5)');
      else if (pc === PC.CONNECTED && !this.verified) this.verifyPeer();
    }, 250);
    this.watch.unref();
  }

  /**
   * RFC 5763 § 5: the certificate the peer showed in the DTLS handshake must hash to the fingerprint
   * it signalled. webrtcbin 1.22 does not check it (it accepts any certificate): the session does,
   * from the DTLS transport's `remote-certificate` (PEM), before anything is sent or played — until
   * then the mute and hold gates stay closed (silence, encrypted, is all that leaves).
   */
  private verifyPeer(): void {
    const transceiver = this.webrtc.emit('get-transceiver', 0) as { sender?: { transport?: { remoteCertificate?: string | null } | null } | null } | null;
    if (transceiver) keepWrapper(transceiver);
    const transport = transceiver?.sender?.transport;
    if (transport) keepWrapper(transport);
    const pem = transport?.remoteCertificate;
    if (!pem) return;
    const expected = this.remote?.dtls?.fingerprint.value.toUpperCase();
    let actual = '';
    try {
      actual = new X509Certificate(pem).fingerprint256.toUpperCase();
    } catch {
      // an unreadable certificate is a mismatch: reported as one just below
    }
    if (!expected || actual !== expected) {
      void this.close('media-security', 'the peer\'s DTLS certificate does not match its fingerprint (RFC 5763 § 5)');
      return;
    }
    this.verified = true;
    this.applyDirection();
  }

  /** Mute and hold as in `rtp`: volumes and valves, the transport keeps running. */
  private applyDirection(): void {
    const p = this.pipeline;
    const running = this.verified && (this.currentState === 'active' || this.currentState === 'held');
    const held = this.currentState === 'held';
    const dir = this.remote?.direction ?? 'sendrecv';
    const sending = running && !this.muted && !held && (dir === 'sendrecv' || dir === 'recvonly');
    const playing = running && !held && (dir === 'sendrecv' || dir === 'sendonly');
    Object.assign(p.element('mute'), { mute: !sending });
    Object.assign(p.element('hold'), { mute: !playing });
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

/**
 * End of stream into the far end's branches, so a WAV recording gets its sizes. Not to the sources:
 * webrtcbin blocks its sink pads until DTLS is up, so a live source's thread is stuck in a push holding
 * its lock, and an end of stream sent to the pipeline waits for that lock for ever (measured: a call
 * whose ICE failed hung confab-media in gst_element_send_event). An event sent into a pad travels down
 * on the calling thread: when sendEvent returns, the recording is finished.
 */
function finishRecording(p: Pipeline): void {
  const { Event } = gstExtras();
  // only once linked: an end of stream into a branch that never saw a segment is a CRITICAL
  for (const name of ['depay', 'vdepay']) {
    const pad = p.maybeElement(name)?.getStaticPad('sink');
    if (pad?.isLinked()) pad.sendEvent(Event.newEos());
  }
}
