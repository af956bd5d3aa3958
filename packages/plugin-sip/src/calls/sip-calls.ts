/**
 * SIP calls (RFC 3261 INVITE dialogs, RFC 3264 offer/answer) as the SDK's CallsFacet, on sip.js's
 * Inviter and Invitation with MediaSdh (confab-media) as their SessionDescriptionHandler.
 *
 *   outgoing: start() sends the INVITE with our offer and resolves with the Call-ID; 180 → ringing,
 *             183 with SDP → early-media (media started on it), 2xx → active; a final failure →
 *             ended with the reason of call-reasons.ts; hangup() → CANCEL before the answer, BYE after.
 *   incoming: an offer we cannot take is refused (400/415/488) without ringing; otherwise 180 and
 *             onIncoming; accept() answers 200 with our answer, reject() 486/603; CANCEL → cancelled.
 *   both:     hold by re-INVITE (RFC 3264 §8.4), a peer's hold seen in its re-INVITE; DTMF by RFC 4733
 *             (SIP INFO when the peer agreed to no telephone-event) and INFO received; media failure
 *             → BYE and ended `media-failed`.
 *   video:    start/accept with `video` offer or take VP8 beside the audio (a peer that refuses it with
 *             port 0 leaves an audio-only call); setVideo() adds or removes it by re-INVITE (RFC 3264
 *             §8: a new m= line, or port 0 on it); a peer's re-INVITE that adds video is accepted
 *             (media-lines.ts says why and when not). Every change of what the call carries is a
 *             CallChange with `video`, in the state the call is in.
 *
 * sip.js's shortcomings are wrapped here, in one place:
 *  - its Session "Terminated" state fires before the delegate that carries the final response
 *    (Inviter.onReject runs stateTransition first), so an end seen only there waits a turn
 *    (`setImmediate`) for the explicit reason to arrive first;
 *  - it sends 180 by itself before its onInvite delegate runs unless `sendInitialProvisionalResponse`
 *    is off (SipConnection turns it off): we ring only for offers we can answer;
 *  - with `earlyMedia` off it ignores a 183's SDP until the 2xx; we turn it on (no forking through
 *    our proxy, which is what it requires);
 *  - it follows an in-dialog REFER by itself when no delegate takes it: we refuse REFER (no transfer yet);
 *  - its Session.invite() and info() resolve when the request is sent: dialog-requests.ts waits for
 *    the final response.
 */
import { Inviter, SessionState, type Invitation, type Session, type URI, type UserAgent, type Core } from 'sip.js';
import {
  ConfabError, Emitter, InvalidArgumentError, NotFoundError,
  type CallChange, type CallDirection, type CallEndReason, type CallOptions, type CallState, type CallStats, type CallsFacet,
  type IncomingCall, type Logger,
} from '@confab/sdk';
import { callStatsOf, type Codec, type IceServer, type MediaAccess, type MediaSessionClient, type RemoteDescription, type SdpAudio } from '@confab/media';
import { REFUSALS, cancelReasonOf, detailOf, endReasonOf, infoDigit, isMediaFailure, mediaEndReason } from './call-reasons';
import { reinvite, sendInfoDigit, signalEnd } from './dialog-requests';

import { MediaSdh } from './media-sdh';
import { checkOffer, isHolding } from './sdp-glue';
import { WebRtcSdh } from './webrtc-sdh';

type IncomingResponse = Core.IncomingResponse;

/** What the calls need of their connection. */
export interface SipCallsContext {
  /** The connected user agent; throws Offline when there is none. */
  agent(): UserAgent;
  /** A target as typed (a bare name is on our domain) as a SIP URI; throws InvalidArgument. */
  uriOf(target: string): URI;
  /** The contact id (user@host[:port]) of a From URI; throws InvalidArgument. */
  peerOf(uri: URI): string;
  /** Our IP address on the SIP flow: media sockets bind there, and the SDP says so. */
  localAddress(): string;
  /** Offer SRTP (RTP/SAVP with SDES, RFC 4568) on calls we place. */
  readonly srtp: boolean;
  /** Offer ICE + DTLS-SRTP (UDP/TLS/RTP/SAVPF, RFC 5763/5764, RFC 8839) on calls we place: the webrtc transport. */
  readonly dtlsSrtp?: boolean;
  /** STUN/TURN servers for a call on the webrtc transport (ice-servers.ts); credentials are secrets. */
  readonly iceServers?: () => Promise<IceServer[]>;
  /** Seconds without the far end's RTP before a call ends media-failed (0: never). */
  readonly rtpTimeout: number;
  readonly media: MediaAccess;
  readonly log: Logger;
}

interface SipCall {
  readonly id: string;
  readonly direction: CallDirection;
  readonly session: Inviter | Invitation;
  options?: CallOptions;
  /** `rtp` (plain RTP or SDES SRTP) or `webrtc` (ICE + DTLS-SRTP), from the account or the peer's offer. */
  readonly transport: 'rtp' | 'webrtc';
  sdh?: MediaSdh | WebRtcSdh;
  media?: MediaSessionClient;
  state: CallState;
  localHold: boolean;
  remoteHold: boolean;
  /** The call carries video, as last said to the daemon (the offer's for an incoming one, start's for ours). */
  video: boolean;
  /** We sent the CANCEL: its 487 is not "no answer". */
  weCancelled: boolean;
  ended: boolean;
  /** start() has resolved: changes go out (before, they wait in `queue`). */
  announced: boolean;
  readonly queue: CallChange[];
}

const NO_ANSWER_DETAIL = '480 Temporarily Unavailable';
/** Who we are in Warning headers (RFC 3261 §20.43: a pseudonym is a valid warn-agent). */
const WARN_AGENT = 'confab';

export class SipCalls implements CallsFacet {
  private readonly incomingEmitter = new Emitter<IncomingCall>();
  private readonly changedEmitter = new Emitter<CallChange>();
  private readonly dtmfEmitter = new Emitter<{ readonly id: string; readonly digit: string }>();
  readonly onIncoming = this.incomingEmitter.event;
  readonly onCallChanged = this.changedEmitter.event;
  readonly onDtmf = this.dtmfEmitter.event;

  private readonly calls = new Map<string, SipCall>();
  private readonly bySession = new WeakMap<Session, SipCall>();

  constructor(private readonly ctx: SipCallsContext) {}

  /** UserAgentOptions.sessionDescriptionHandlerFactory: every session's handler, bound to its call. */
  readonly sdhFactory = (session: Session): MediaSdh | WebRtcSdh => {
    const call = this.bySession.get(session);
    if (!call) throw new ConfabError('Internal', 'a SIP session that no call made');
    if (call.transport === 'webrtc') {
      const w = new WebRtcSdh({
        open: (codec) => this.openWebRtc(call, codec),
        applied: (remote, from) => this.applied(call, remote, from),
      });
      call.sdh = w;
      return w;
    }
    const sdh = new MediaSdh({
      open: (offer, video) => this.openMedia(call, offer, video),
      wantsVideo: () => call.options?.video === true,
      applied: (remote, from) => this.applied(call, remote, from),
    });
    call.sdh = sdh;
    return sdh;
  };

  // --- outgoing ---------------------------------------------------------------------------------

  async start(target: string, options: CallOptions): Promise<string> {
    if (!options.audio) throw new InvalidArgumentError('a SIP call carries audio');
    const uri = this.ctx.uriOf(target);
    await this.ctx.media.ready(); // NotAvailable (confab-media cannot start) before anything is sent
    const inviter = new Inviter(this.ctx.agent(), uri, { earlyMedia: true }); // RFC 3261 §13.2.1
    const transport = this.ctx.dtlsSrtp ? 'webrtc' : 'rtp';
    // video is not carried on ICE/DTLS-SRTP SIP calls yet: such a call is audio-only
    const call = this.track(inviter, 'outgoing', inviter.request.callId, 'dialing', false, transport === 'rtp' && options.video, transport);
    call.options = options;
    try {
      await inviter.invite({
        requestDelegate: {
          onProgress: (r) => this.progress(call, r),
          onAccept: () => this.established(call),
          onReject: (r) => this.failed(call, r),
          onRedirect: (r) => this.failed(call, r),
        },
      });
    } catch (err) {
      // No INVITE went out (the offer could not be made): the daemon hears it from the rejection only.
      call.queue.length = 0;
      this.end(call, 'media-failed', (err as Error).message);
      this.calls.delete(call.id);
      throw ConfabError.from(err, 'NotAvailable');
    }
    // The daemon knows the call by this id only once this resolves: what happened meanwhile waits a turn.
    setImmediate(() => this.announce(call));
    return call.id;
  }

  private progress(call: SipCall, r: IncomingResponse): void {
    const status = r.message.statusCode ?? 0;
    if (call.ended || status === 100) return; // §21.1.1 Trying: still dialing
    // §21.1.2 180 Ringing (181, 182 alike); a 183 with SDP has been applied by sip.js (earlyMedia): media runs
    const early = status === 183 && !!r.message.body && call.sdh?.started === true;
    if (early) this.setState(call, 'early-media');
    else if (call.state === 'dialing') this.setState(call, 'ringing');
  }

  private failed(call: SipCall, r: IncomingResponse): void {
    const status = r.message.statusCode ?? 500;
    this.end(call, endReasonOf(status, call.weCancelled), detailOf(status, r.message.reasonPhrase));
  }

  // --- incoming ---------------------------------------------------------------------------------

  /** UserAgentDelegate.onInvite: an offer we cannot take is refused before it rings (RFC 3261 §13.3.1). */
  incoming(invitation: Invitation): void {
    const req = invitation.request;
    let peer: string;
    try {
      peer = this.ctx.peerOf(req.from.uri);
    } catch {
      void invitation.reject({ statusCode: 400, reasonPhrase: 'Bad From' }).catch(() => undefined);
      return;
    }
    if (/\b100rel\b/i.test(req.getHeader('require') ?? '')) {
      // RFC 3262 §4 / RFC 3261 §8.2.2.3: reliable provisionals are not ours (sip.js would answer the offer in a 183 before anyone accepted)
      void invitation.reject({ statusCode: 420, extraHeaders: ['Unsupported: 100rel'] }).catch(() => undefined);
      return;
    }
    const verdict = checkOffer(req.getHeader('content-type'), req.body, WARN_AGENT);
    if (!verdict.ok) {
      this.ctx.log.info('refused a call from %s: %d %s', peer, verdict.statusCode, verdict.reasonPhrase);
      void invitation.reject({ statusCode: verdict.statusCode, reasonPhrase: verdict.reasonPhrase, extraHeaders: [...verdict.extraHeaders] }).catch(() => undefined);
      return;
    }
    const call = this.track(invitation, 'incoming', req.callId, 'ringing', true, verdict.video, verdict.webrtc ? 'webrtc' : 'rtp');
    invitation.delegate = {
      ...invitation.delegate,
      // RFC 3261 §9.2: the caller gave up; RFC 3326: Reason SIP;cause=200 when another device answered
      onCancel: (cancel) => this.end(call, cancelReasonOf(cancel.request.getHeader('reason')), 'CANCEL'),
    };
    invitation.progress({ statusCode: 180 }) // RFC 3261 §13.3.1.1: ringing
      .then(() => { if (!call.ended) this.incomingEmitter.fire({ id: call.id, peer, audio: true, video: call.video }); })
      .catch((err: unknown) => this.end(call, 'network-error', (err as Error).message));
  }

  async accept(id: string, options: CallOptions): Promise<void> {
    const call = this.get(id);
    const invitation = call.session as Invitation;
    if (call.direction !== 'incoming' || invitation.state !== SessionState.Initial) throw new InvalidArgumentError(`call ${id} is not ringing`);
    call.options = options; // with video: the offer's video taken (media-sdh.ts), refused with port 0 without
    await this.ctx.media.ready(); // NotAvailable before anything is answered
    try {
      await invitation.accept(); // the SDH answers the offer (RFC 3264 §6) and starts the media; 200 OK goes out
    } catch (err) {
      // sip.js answered 480 already (Invitation.handleResponseError)
      const e = ConfabError.from(err, 'NotAvailable');
      this.end(call, e.code === 'NotCapable' ? 'codec-mismatch' : 'media-failed', e.message);
      throw e;
    }
    this.established(call);
  }

  async reject(id: string, reason: 'declined' | 'busy'): Promise<void> {
    const call = this.get(id);
    const invitation = call.session as Invitation;
    if (call.direction !== 'incoming' || invitation.state !== SessionState.Initial) throw new InvalidArgumentError(`call ${id} is not ringing`);
    const refusal = REFUSALS[reason];
    await invitation.reject(refusal);
    this.end(call, reason, detailOf(refusal.statusCode, refusal.reasonPhrase));
  }

  // --- both -------------------------------------------------------------------------------------

  async hangup(id: string): Promise<void> {
    const call = this.get(id);
    await this.signalEnd(call);
    this.end(call, ...this.ownEnd(call));
  }

  /** Hold or resume by re-INVITE (RFC 3264 §8.4): our offer says sendonly, the peer answers recvonly or inactive. */
  async hold(id: string, held: boolean): Promise<void> {
    const call = this.get(id);
    if (call.session.state !== SessionState.Established || !call.sdh || !call.media) throw new InvalidArgumentError(`call ${id} is not answered`);
    if (call.localHold === held) return;
    call.sdh.holding = held;
    try {
      await reinvite(call.session);
    } catch (err) {
      call.sdh.holding = !held;
      throw err;
    }
    call.localHold = held;
    try {
      await (held ? call.media.hold() : call.media.resume());
    } catch (err) {
      this.ctx.log.debug('call %s: media %s: %s', id, held ? 'hold' : 'resume', (err as Error).message); // signalled; the media follows the description
    }
    this.setState(call, this.heldState(call));
  }

  /**
   * Adds or removes video by re-INVITE (RFC 3264 §8): confab-media's SetVideo, then our new offer —
   * an m=video line with a port (a new line, or in place of one with port 0), or port 0 on it — and
   * the answer applied. The change comes as onCallChanged `video`. Adding that the peer answers with
   * port 0 is NotCapable (the call goes on audio-only); a refused re-INVITE leaves the call as it was,
   * except that removed video has stopped here already (our next offer says port 0).
   */
  async setVideo(id: string, on: boolean): Promise<void> {
    const call = this.get(id);
    if (call.session.state !== SessionState.Established || !call.sdh?.started) throw new InvalidArgumentError(`call ${id} is not answered`);
    if (call.sdh.video === on) return;
    await call.sdh.setVideo(on);
    try {
      await reinvite(call.session);
    } catch (err) {
      if (on) await call.sdh.setVideo(false).catch(() => undefined); // nothing was agreed: the sockets go again
      else this.videoChanged(call, false);
      throw err;
    }
    if (on && !call.sdh.video) throw new ConfabError('NotCapable', 'the peer answered without video (port 0)');
  }

  async setMuted(id: string, muted: boolean): Promise<void> {
    const media = this.get(id).media;
    if (!media) throw new ConfabError('NotAvailable', `call ${id} has no media yet`);
    await media.setMuted(muted); // nothing is signalled (docs/calls.md)
  }

  async sendDtmf(id: string, digits: string): Promise<void> {
    const call = this.get(id);
    if (!call.media || call.session.state !== SessionState.Established) throw new ConfabError('NotAvailable', `call ${id} is not answered`);
    try {
      await call.media.sendDtmf(digits); // RFC 4733 telephone-events in the RTP stream
      return;
    } catch (err) {
      if (!(err instanceof ConfabError && err.code === 'NotCapable')) throw err;
    }
    for (const digit of digits) await sendInfoDigit(call.session, digit); // the peer agreed to no telephone-event: SIP INFO
  }

  async stats(id: string): Promise<CallStats> {
    const call = this.get(id);
    if (!call.media) throw new ConfabError('NotAvailable', `call ${id} has no media yet`);
    const s = await call.media.stats();
    const encryption = call.transport === 'webrtc' ? (s['dtls-srtp'] ? 'dtls-srtp' : 'none') : call.sdh instanceof MediaSdh && call.sdh.srtp ? 'srtp' : 'none';
    return { ...callStatsOf(s, call.sdh?.codec ?? 'none', call.sdh?.video === true), encryption };
  }

  /**
   * Every call ends with `reason` (the connection goes away). With `signal`, a BYE or CANCEL (or 480
   * for one ringing here) goes out first, without waiting for its answer; media sessions are closed.
   */
  async endAll(reason: CallEndReason, detail: string, signal: boolean): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const call of [...this.calls.values()]) {
      if (signal) void this.signalEnd(call).catch(() => undefined); // the account is going: no answer is awaited
      this.end(call, reason, detail);
      if (call.sdh) closing.push(call.sdh.closeMedia());
    }
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  /** Calls in an established dialog: what a re-opened flow can carry on. */
  answered(): number {
    return [...this.calls.values()].filter((c) => c.session.state === SessionState.Established).length;
  }

  /**
   * The account's flow was lost and is being re-opened: a call not yet answered cannot follow it
   * (its INVITE transaction and the responses' Via were on the old flow) and ends with `reason`.
   */
  endUnanswered(reason: CallEndReason, detail: string): void {
    for (const call of [...this.calls.values()]) if (call.session.state !== SessionState.Established) this.end(call, reason, detail);
  }

  /**
   * After the flow was re-opened, every answered call tells its peer where we are now: a target
   * refresh re-INVITE (RFC 3261 §12.2.1.2, §14.1) whose Contact is our address on the new flow, with
   * the same media offered again (RFC 3264 §8: nothing changes). A peer that refuses it can no longer
   * reach us in that dialog: that call ends `network-error`. Resolves with the calls that go on.
   */
  async refreshTargets(): Promise<number> {
    const answered = [...this.calls.values()].filter((c) => c.session.state === SessionState.Established);
    const kept = await Promise.all(answered.map(async (call) => {
      try {
        await reinvite(call.session);
        return true;
      } catch (err) {
        void this.signalEnd(call).catch(() => undefined);
        this.end(call, 'network-error', `the peer refused the target refresh after a reconnect: ${(err as Error).message}`);
        return false;
      }
    }));
    return kept.filter(Boolean).length;
  }

  // --- internals --------------------------------------------------------------------------------

  private track(session: Inviter | Invitation, direction: CallDirection, callId: string, state: CallState, announced: boolean, video: boolean, transport: 'rtp' | 'webrtc'): SipCall {
    let id = callId;
    for (let n = 2; this.calls.has(id); n++) id = `${callId}~${n}`; // a call to ourselves shares its Call-ID
    const call: SipCall = { id, direction, session, transport, state, localHold: false, remoteHold: false, video, weCancelled: false, ended: false, announced, queue: [] };
    this.calls.set(id, call);
    this.bySession.set(session, call);
    session.delegate = {
      ...session.delegate,
      onBye: (bye) => {
        void bye.accept().catch(() => undefined); // RFC 3261 §15.1.2
        this.end(call, 'remote-hangup', 'BYE');
      },
      onInfo: (info) => {
        const digit = infoDigit(info.request.getHeader('content-type'), info.request.body ?? '');
        if (digit === undefined) {
          void info.reject({ statusCode: 415, extraHeaders: ['Accept: application/dtmf-relay, application/dtmf'] }).catch(() => undefined);
          return;
        }
        void info.accept().catch(() => undefined);
        this.dtmfEmitter.fire({ id: call.id, digit });
      },
      onRefer: (referral) => { void referral.reject({ statusCode: 603 }).catch(() => undefined); }, // no transfers yet: never followed blindly
    };
    session.stateChange.addListener((s) => {
      if (s !== SessionState.Terminated) return;
      // The final response's delegate runs after this (see the header): let it give the reason first.
      setImmediate(() => this.end(call, ...this.unexplainedEnd(call)));
    });
    return call;
  }

  private announce(call: SipCall): void {
    call.announced = true;
    for (const change of call.queue.splice(0)) this.changedEmitter.fire(change);
  }

  private emit(call: SipCall, change: CallChange): void {
    if (call.announced) this.changedEmitter.fire(change);
    else call.queue.push(change);
  }

  private setState(call: SipCall, state: CallState): void {
    if (call.ended || call.state === state) return;
    call.state = state;
    this.emit(call, { id: call.id, state });
  }

  private established(call: SipCall): void {
    this.setState(call, this.heldState(call));
  }

  private heldState(call: SipCall): CallState {
    return call.localHold || call.remoteHold ? 'held' : 'active';
  }

  /** Ends a call once: one `ended` change, the media closed, the call forgotten. */
  private end(call: SipCall, reason: CallEndReason, detail: string): void {
    if (call.ended) return;
    call.ended = true;
    call.state = 'ended';
    this.calls.delete(call.id);
    this.ctx.log.info('call %s ended: %s%s', call.id, reason, detail ? ` (${detail})` : '');
    this.emit(call, { id: call.id, state: 'ended', reason, ...(detail ? { detail } : {}) });
    void call.sdh?.closeMedia();
  }

  /** What our own hangup means, by how far the call got. */
  private ownEnd(call: SipCall): [CallEndReason, string] {
    if (call.direction === 'outgoing' && call.weCancelled) return ['cancelled', 'CANCEL'];
    if (call.direction === 'incoming' && call.state === 'ringing') return ['no-answer', NO_ANSWER_DETAIL];
    return ['hangup', 'BYE'];
  }

  /** A session that ended with no word from the peer or from us. */
  private unexplainedEnd(call: SipCall): [CallEndReason, string] {
    const f = call.sdh instanceof WebRtcSdh ? call.sdh.failure : undefined;
    if (f) return [f.reason, f.detail]; // the peer's SDP could not be taken (never in clear): said so, not network-error
    if (call.direction === 'incoming' && call.state === 'ringing') return ['no-answer', NO_ANSWER_DETAIL]; // sip.js's no-answer timer (480)
    return ['network-error', 'the SIP dialog ended'];
  }

  /** BYE, CANCEL or 480 as the call's stage asks (dialog-requests.ts). */
  private async signalEnd(call: SipCall): Promise<void> {
    if (call.session instanceof Inviter && (call.session.state === SessionState.Initial || call.session.state === SessionState.Establishing)) call.weCancelled = true;
    await signalEnd(call.session);
  }

  /** The SDH's open(): a media session on the SIP flow's address, SRTP as offered or as the account says. */
  private async openMedia(call: SipCall, offer: SdpAudio | undefined, video: boolean): Promise<MediaSessionClient> {
    const o = call.options;
    const media = await this.ctx.media.createSession({
      audio: true,
      video,
      camera: o?.camera ?? 'default', // also when video comes later (setVideo, the peer's re-INVITE): `default` is the test picture without a camera
      videoSink: 'none',
      transport: 'rtp',
      address: this.ctx.localAddress(),
      microphone: o?.microphone ?? 'default',
      speaker: o?.speaker ?? 'default',
      srtp: offer ? offer.profile === 'RTP/SAVP' : this.ctx.srtp, // RFC 4568 §3.1.4: an RTP/SAVP offer is answered with SRTP
      rtcpMux: offer ? offer.rtcpMux : true, // RFC 5761 §5.1.1: multiplex only what was offered so
      rtpTimeoutMs: this.ctx.rtpTimeout * 1000,
    });
    call.media = media;
    media.onStateChanged((state, reason) => {
      if (state === 'ended' && isMediaFailure(reason)) this.mediaFailed(call, reason);
    });
    media.onDtmf((digit) => this.dtmfEmitter.fire({ id: call.id, digit })); // RFC 4733 events received
    return media;
  }

  /**
   * The WebRtcSdh's open(): a session on the webrtc transport (ICE, DTLS-SRTP, rtcp-mux) bound to the
   * SIP flow's address, sending `codec` (the offer's) or Opus, with the account's and the daemon's
   * STUN/TURN servers (their credentials go to confab-media only).
   */
  private async openWebRtc(call: SipCall, codec: Codec | undefined): Promise<MediaSessionClient> {
    const o = call.options;
    const media = await this.ctx.media.createSession({
      audio: true,
      video: false,
      transport: 'webrtc',
      encryption: 'required', // RFC 5763 § 5: never in clear
      address: this.ctx.localAddress(),
      microphone: o?.microphone ?? 'default',
      speaker: o?.speaker ?? 'default',
      ...(codec ? { codecs: [codec.name] } : {}),
      iceServers: (await this.ctx.iceServers?.()) ?? [],
      rtpTimeoutMs: this.ctx.rtpTimeout * 1000,
    });
    call.media = media;
    media.onStateChanged((state, reason) => {
      if (state === 'ended' && isMediaFailure(reason)) this.mediaFailed(call, reason);
    });
    return media;
  }

  /**
   * The SDH applied a remote description: video may have come or gone (either side's offer), and a
   * peer's offer in an answered call may hold or resume it (RFC 3264 §8.4).
   */
  private applied(call: SipCall, remote: RemoteDescription, from: 'offer' | 'answer'): void {
    this.videoChanged(call, remote.video !== undefined);
    if (from !== 'offer') return;
    call.remoteHold = isHolding(remote.direction ?? 'sendrecv');
    if (call.state === 'active' || call.state === 'held') this.setState(call, this.heldState(call));
  }

  /** What the call carries changed: one change with `video`, in the call's current state. */
  private videoChanged(call: SipCall, video: boolean): void {
    if (call.ended || call.video === video) return;
    call.video = video;
    this.ctx.log.info('call %s: video %s', call.id, video ? 'on' : 'off');
    this.emit(call, { id: call.id, state: call.state, video });
  }

  /** confab-media ended the session on its own (no RTP, a pipeline error): the call cannot go on. */
  private mediaFailed(call: SipCall, reason: string): void {
    if (call.ended) return;
    void this.signalEnd(call).catch((err: unknown) => this.ctx.log.debug('call %s: ending after media failure: %s', call.id, (err as Error).message));
    this.end(call, mediaEndReason(reason) ?? 'media-failed', reason);
  }

  private get(id: string): SipCall {
    const call = this.calls.get(id);
    if (!call) throw new NotFoundError(`no call ${id}`);
    return call;
  }
}
