/**
 * Jingle calls (XEP-0166 sessions, XEP-0167 RTP) started by Jingle Message Initiation (XEP-0353), as
 * the SDK's CallsFacet: over XEP-0176 ICE-UDP with XEP-0320 DTLS-SRTP and XEP-0338 BUNDLE on
 * confab-media's `webrtc` transport — what we offer, always — or over XEP-0177 raw UDP on its `rtp`
 * transport when a peer offers that (we answer whichever the peer offered).
 *
 *   outgoing: start() opens the media session and sends a propose to the callee's bare JID (every
 *             device rings); `ringing` → ringing; the first `proceed` names the device: our
 *             session-initiate goes to that full JID with our contents (the offer); its
 *             session-accept (the answer) starts the media → active. A `reject` ends it declined
 *             (busy/no-answer as its reason says); hangup() before the proceed is a `retract`.
 *             A target with a resource is called without JMI (a session-initiate at once).
 *   incoming: a propose rings (onIncoming) and is answered `ringing`; accept() sends `proceed` (type
 *             chat: carbons tell our other devices, XEP-0280) and `accept` to our own bare JID, then
 *             answers the caller's session-initiate with a session-accept; reject() sends `reject`;
 *             the caller's `retract` ends it cancelled (a missed call). A session-initiate without a
 *             propose (older clients) rings as well. Another device of ours answering (its `proceed`
 *             or `accept` carbon) ends the call here `answered-elsewhere`.
 *   ICE:      we gather fully before our session-initiate/accept (no trickle out); the peer's trickled
 *             candidates (transport-info) are collected and applied with its description (trickle.ts);
 *             STUN/TURN servers come from the server's XEP-0215 external services.
 *   both:     session-terminate with its reason (jingle-reasons.ts); hold by content-modify `senders`
 *             (XEP-0166 §7.2.5, RFC 3264 §8.4 directions) with the XEP-0167 §7 `hold` information;
 *             mute as XEP-0167 §7 information; DTMF as RFC 4733 events in the RTP stream.
 *
 * Every Jingle IQ is checked first (jingle-session.ts: XEP-0166 §8 errors for unknown sessions,
 * forged senders, actions out of turn, malformed or oversized contents) and acknowledged before
 * anything it asks is done (§6.3: the ack, then the action). The negotiation is confab-media's own
 * offer/answer (jingle-contents.ts says how contents become its structures).
 */
import { randomUUID } from 'node:crypto';
import { xml, type Element } from '@xmpp/client';
import { ConfabError, Emitter, InvalidArgumentError, type CallChange, type CallEndReason, type CallOptions, type CallStats, type CallsFacet, type IncomingCall, type Logger } from '@confab/sdk';
import { answerSdp, callStatsOf, remoteFromSdp, type Direction, type MediaAccess, type RemoteDescription } from '@confab/media';
import { normalizeJid } from '../jid';
import { CallBook, candidateId, contentsOf, type JingleCall } from './call-book';
import { applyRemote, bundleFor, openCallMedia, type CallMediaHost } from './call-media';
import { ExternalServices } from './external-services';
import { contentModify, contentRemove, sessionInfo, transportInfo } from './jingle-inbound';
import { answerContents, asParsedSdp, offerContents, peerTransportOf, readContents, sendersOf, transportKindOf, Unsupported, type JingleContent } from './jingle-contents';
import { iqError } from './jingle-errors';
import { NS_JINGLE, NS_RTP_INFO } from './jingle-ns';
import { conditionOf, detailOf, endReasonOf, readReason, reasonElement, refusalOf } from './jingle-reasons';
import { checkAction, type SessionView } from './jingle-session';
import { jmiMessage, stanzaId, type Jmi } from './jmi';
import { MalformedJingle } from './rtp-description';
import { webrtcAnswer, webrtcRemote } from './webrtc-negotiation';

/** How long an accept waits for the caller's session-initiate after our proceed. */
const INITIATE_WAIT_MS = 20_000;
const IQ_TIMEOUT_MS = 15_000;
/** Calls at once; proposes and initiates beyond are refused busy (a flood costs no media). */
const MAX_CALLS = 16;

/** What the calls need of their connection. */
export interface JingleCallsContext {
  /** Our bare JID. */
  readonly jid: string;
  /** Our full JID on the live stream (the initiator/responder attribute). */
  fullJid(): string;
  send(el: Element): Promise<void>;
  request(iq: Element, timeoutMs: number): Promise<Element>;
  /** Our IP address on the XMPP stream: media sockets bind there, and our candidates say so. */
  localAddress(): string;
  readonly media: MediaAccess;
  readonly log: Logger;
}


export class JingleCalls implements CallsFacet {
  private readonly incomingEmitter = new Emitter<IncomingCall>();
  private readonly changedEmitter = new Emitter<CallChange>();
  private readonly dtmfEmitter = new Emitter<{ readonly id: string; readonly digit: string }>();
  readonly onIncoming = this.incomingEmitter.event;
  readonly onCallChanged = this.changedEmitter.event;
  readonly onDtmf = this.dtmfEmitter.event;

  private readonly book: CallBook;
  private readonly mediaHost: CallMediaHost;

  constructor(private readonly ctx: JingleCallsContext) {
    this.book = new CallBook((change) => this.changedEmitter.fire(change), ctx.log);
    const services = new ExternalServices((iq, ms) => ctx.request(iq, ms), () => ctx.jid.slice(ctx.jid.indexOf('@') + 1));
    const fail = (call: JingleCall, condition: string, reason: CallEndReason, detail: string) => this.fail(call, condition, reason, detail);
    this.mediaHost = { media: ctx.media, services, book: this.book, localAddress: () => ctx.localAddress(), fail, dtmf: (id, digit) => this.dtmfEmitter.fire({ id, digit }) };
  }

  // --- outgoing ---------------------------------------------------------------------------------

  async start(target: string, options: CallOptions): Promise<string> {
    if (!options.audio) throw new InvalidArgumentError('a Jingle call carries audio');
    const slash = target.indexOf('/');
    const bare = normalizeJid(target);
    if (!bare.includes('@')) throw new InvalidArgumentError(`'${target}' is not user@domain`);
    const full = slash > 0 ? `${bare}${target.trim().slice(slash)}` : undefined;
    await this.ctx.media.ready(); // NotAvailable (confab-media cannot start) before anything is sent
    const id = randomUUID();
    const call = this.book.track({ id, direction: 'outgoing', role: 'initiator', phase: full ? 'pending' : 'proposed', peer: full ?? bare, peerBare: bare, jmi: !full, state: 'dialing', video: options.video, announced: false });
    call.options = options;
    try {
      await openCallMedia(this.mediaHost, call, options.video, true, 'webrtc'); // we offer ICE-UDP + DTLS-SRTP (XEP-0176, XEP-0320); gathered here, before the propose
      // XEP-0353 §3.1: to the bare JID, so that every device of the callee rings
      if (!full) await this.ctx.send(jmiMessage(bare, stanzaId(), 'propose', id, { media: options.video ? ['audio', 'video'] : ['audio'] }));
    } catch (err) {
      call.queue.length = 0; // the daemon hears of it from the rejection only
      this.book.end(call, 'media-failed', (err as Error).message);
      throw ConfabError.from(err, 'NotAvailable');
    }
    // The daemon knows the call by this id only once this resolves: what happened meanwhile waits a turn.
    setImmediate(() => {
      this.book.announce(call);
      if (full) void this.initiate(call);
    });
    return id;
  }

  /** XEP-0166 §6.2: our offer to the peer's device. */
  private async initiate(call: JingleCall): Promise<void> {
    if (call.ended || !call.local) return;
    call.phase = 'pending';
    const contents = offerContents(call.local, 'sendrecv', 'initiator', (m, n) => candidateId(call, m, n));
    const jingle = xml('jingle', { xmlns: NS_JINGLE, action: 'session-initiate', initiator: this.ctx.fullJid(), sid: call.id },
      ...contents, ...bundleFor(call.local, contents));
    try {
      await this.iq(call, jingle);
    } catch (err) {
      this.book.end(call, ...refusalOf(err, 'session-initiate'));
    }
  }

  /** XEP-0166 §6.3: the responder's answer; our media starts on it. */
  private async sessionAccepted(call: JingleCall, contents: JingleContent[]): Promise<void> {
    let remote: RemoteDescription;
    try {
      if (transportKindOf(contents) !== call.transport) throw new Unsupported('unsupported-transports', `the answer's transport is not the offer's`);
      const parsed = asParsedSdp(contents, 'responder', call.id);
      const peer = peerTransportOf(contents);
      if (peer) {
        call.phase = 'active'; // trickled candidates may come now (XEP-0176 §5.3)
        if (peer.complete) call.candidates.add([], true);
        remote = webrtcRemote(parsed, call.local!, peer, await call.candidates.settle(peer.ice.candidates)); // RFC 3264 §7, with the peer's ICE and DTLS
      } else remote = remoteFromSdp(parsed, call.local!); // RFC 3264 §7 on confab-media's negotiation
    } catch (err) {
      if (err instanceof Unsupported) return this.fail(call, err.reason, 'media-failed', err.message);
      return this.fail(call, 'failed-application', 'codec-mismatch', (err as Error).message);
    }
    if (call.ended) return;
    call.phase = 'active';
    await applyRemote(this.mediaHost, call, remote, false);
  }

  // --- incoming ---------------------------------------------------------------------------------

  /** XEP-0353 §3.1: a propose rings (when it offers audio and we can take one more call); §3.2 ringing goes back. */
  private proposed(from: string, jmi: Jmi): void {
    if (this.book.calls.has(jmi.id) || this.book.tombstones.has(jmi.id) || !from.includes('/') || !jmi.media.includes('audio')) return;
    if (this.book.calls.size >= MAX_CALLS) {
      void this.ctx.send(jmiMessage(from, stanzaId(), 'reject', jmi.id, { reason: 'busy' })).catch(() => undefined);
      return;
    }
    const call = this.book.track({ id: jmi.id, direction: 'incoming', role: 'responder', phase: 'proposed', peer: from, peerBare: normalizeJid(from), jmi: true, state: 'ringing', video: jmi.media.includes('video'), announced: true });
    void this.ctx.send(jmiMessage(from, stanzaId(), 'ringing', jmi.id)).catch(() => undefined);
    this.incomingEmitter.fire({ id: call.id, peer: call.peerBare, audio: true, video: call.video });
  }

  async accept(id: string, options: CallOptions): Promise<void> {
    const call = this.book.get(id);
    if (call.direction !== 'incoming' || call.state !== 'ringing' || (call.phase !== 'proposed' && call.phase !== 'pending')) throw new InvalidArgumentError(`call ${id} is not ringing`);
    call.options = options;
    await this.ctx.media.ready(); // NotAvailable before anything is answered
    if (call.phase === 'proposed') {
      const offer = new Promise<JingleContent[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new ConfabError('NetworkError', 'the caller sent no session-initiate after our proceed')), INITIATE_WAIT_MS);
        call.offerWaiter = (o) => {
          clearTimeout(timer);
          call.offerWaiter = undefined;
          if (o instanceof Error) reject(o);
          else resolve(o);
        };
      });
      call.phase = 'proceeded';
      // XEP-0353 §3.2: proceed to the proposing device (type chat: our other devices get its carbon and stop ringing)
      await this.ctx.send(jmiMessage(call.peer, stanzaId(), 'proceed', id));
      void this.ctx.send(jmiMessage(this.ctx.jid, stanzaId(), 'accept', id)).catch(() => undefined); // XEP-0353 0.2: to our own bare JID, for older clients
      try {
        call.offer = await offer;
      } catch (err) {
        this.book.end(call, 'network-error', (err as Error).message);
        throw err;
      }
    }
    await this.answer(call);
  }

  /** XEP-0166 §6.3: our session-accept to their offer; the media starts with it. */
  private async answer(call: JingleCall): Promise<void> {
    const offer = call.offer!;
    const parsed = asParsedSdp(offer, 'initiator', call.id);
    const wantVideo = call.options?.video === true && parsed.video !== undefined;
    const peer = peerTransportOf(offer);
    try {
      await openCallMedia(this.mediaHost, call, wantVideo, parsed.audio?.rtcpMux ?? true, peer ? 'webrtc' : 'rtp'); // RFC 5761 §5.1.1: multiplex only what was offered so
    } catch (err) {
      this.terminate(call, 'failed-application');
      this.book.end(call, 'media-failed', (err as Error).message);
      throw ConfabError.from(err, 'NotAvailable');
    }
    let answer: ReturnType<typeof answerSdp>;
    try {
      if (peer) {
        // webrtc: confab-media is the answerer — the offer (with the candidates collected so far) first, then our description
        if (peer.complete) call.candidates.add([], true);
        answer = webrtcAnswer(parsed, this.ctx.localAddress(), wantVideo, peer, await call.candidates.settle(peer.ice.candidates));
        call.remote = answer.remote;
        await call.media!.setRemote(answer.remote);
        call.local = await call.media!.localDescription();
      } else answer = answerSdp(parsed, call.local!, 'sendrecv'); // RFC 3264 §6.1 on confab-media's negotiation
    } catch (err) {
      this.fail(call, 'incompatible-parameters', 'codec-mismatch', (err as Error).message);
      throw ConfabError.from(err, 'NotCapable');
    }
    if (call.ended) throw new ConfabError('NotAvailable', 'the call ended while it was answered');
    if (!peer && !answer.remote.video && call.local!.video) {
      await call.media!.setVideo(false).catch(() => undefined); // the offer's video not taken: its sockets go
      call.local = await call.media!.localDescription();
    }
    const contents = answerContents(offer, call.local!, answer.choice, (m, n) => candidateId(call, m, n));
    call.phase = 'active';
    try {
      await this.iq(call, xml('jingle', { xmlns: NS_JINGLE, action: 'session-accept', responder: this.ctx.fullJid(), sid: call.id }, ...contents, ...bundleFor(call.local!, contents)));
    } catch (err) {
      const [reason, detail] = refusalOf(err, 'session-accept');
      this.book.end(call, reason, detail);
      throw new ConfabError('NetworkError', detail);
    }
    await applyRemote(this.mediaHost, call, answer.remote, peer !== undefined);
  }

  async reject(id: string, reason: 'declined' | 'busy'): Promise<void> {
    const call = this.book.get(id);
    if (call.direction !== 'incoming' || call.state !== 'ringing') throw new InvalidArgumentError(`call ${id} is not ringing`);
    const condition = reason === 'busy' ? 'busy' : 'decline';
    if (call.phase === 'proposed' || call.phase === 'proceeded') {
      // XEP-0353 §3.3: reject to the proposing device; its carbon stops our other devices ringing
      await this.ctx.send(jmiMessage(call.peer, stanzaId(), 'reject', id, { reason: condition }));
    } else this.terminate(call, condition);
    this.book.end(call, reason, condition);
  }

  // --- both -------------------------------------------------------------------------------------

  async hangup(id: string): Promise<void> {
    const call = this.book.get(id);
    const [reason, detail] = this.ownEnd(call);
    if (call.direction === 'outgoing' && call.phase === 'proposed') {
      await this.ctx.send(jmiMessage(call.peerBare, stanzaId(), 'retract', id, { reason: 'cancel' })); // XEP-0353 §3.4
    } else if (call.direction === 'incoming' && (call.phase === 'proposed' || call.phase === 'proceeded')) {
      await this.ctx.send(jmiMessage(call.peer, stanzaId(), 'reject', id, { reason: 'timeout' })); // not answered here (our ring timer)
    } else this.terminate(call, conditionOf(reason));
    this.book.end(call, reason, detail);
  }

  /**
   * Hold or resume (RFC 3264 §8.4 in Jingle's words): content-modify with `senders` our own role
   * (we only send) or `both` for each content (XEP-0166 §7.2.5), and XEP-0167 §7.2's hold/unhold.
   */
  async hold(id: string, held: boolean): Promise<void> {
    const call = this.book.get(id);
    if (call.phase !== 'active' || !call.media) throw new InvalidArgumentError(`call ${id} is not answered`);
    if (call.localHold === held) return;
    const direction: Direction = held ? 'sendonly' : 'sendrecv';
    for (const c of contentsOf(call)) {
      await this.iq(call, xml('jingle', { xmlns: NS_JINGLE, action: 'content-modify', sid: call.id },
        xml('content', { creator: c.creator, name: c.name, senders: sendersOf(direction, call.role) })));
    }
    void this.info(call, held ? 'hold' : 'unhold'); // XEP-0167 §7.2
    call.localHold = held;
    await (held ? call.media.hold() : call.media.resume()).catch((err: unknown) => this.ctx.log.debug('call %s: media hold: %s', id, (err as Error).message));
    this.book.setState(call, this.book.heldState(call));
  }

  async setMuted(id: string, muted: boolean): Promise<void> {
    const call = this.book.get(id);
    if (!call.media) throw new ConfabError('NotAvailable', `call ${id} has no media yet`);
    await call.media.setMuted(muted);
    const audio = contentsOf(call)[0]!;
    if (call.phase === 'active') void this.info(call, muted ? 'mute' : 'unmute', { creator: audio.creator, name: audio.name }); // XEP-0167 §7.3
  }

  async sendDtmf(id: string, digits: string): Promise<void> {
    const call = this.book.get(id);
    if (!call.media || call.phase !== 'active') throw new ConfabError('NotAvailable', `call ${id} is not answered`);
    await call.media.sendDtmf(digits); // RFC 4733 telephone-events in the RTP stream (XEP-0181 is deprecated)
  }

  async stats(id: string): Promise<CallStats> {
    const call = this.book.get(id);
    if (!call.media) throw new ConfabError('NotAvailable', `call ${id} has no media yet`);
    const s = await call.media.stats();
    // webrtc: DTLS-SRTP once confab-media says the handshake keyed SRTP (XEP-0320); raw UDP is RTP in clear
    return { ...callStatsOf(s, call.codec, call.video), encryption: call.transport === 'webrtc' && s['dtls-srtp'] ? 'dtls-srtp' : 'none' };
  }

  /** The connection goes away: every call ends with `reason`; with `signal`, its peer is told first (not awaited). */
  async endAll(reason: CallEndReason, detail: string, signal: boolean): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const call of [...this.book.calls.values()]) {
      if (signal && call.phase !== 'proposed' && call.phase !== 'proceeded') this.terminate(call, conditionOf(reason));
      if (call.media) closing.push(call.media.close().catch(() => undefined));
      this.book.end(call, reason, detail);
    }
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  // --- what the peer sends ----------------------------------------------------------------------

  /**
   * A JMI message (XEP-0353): live from a peer (`carbon` undefined), or a carbon of what another
   * device of ours sent (`sent`, XEP-0280 §7) or received (`received`, §6).
   */
  jmi(from: string, jmi: Jmi, carbon?: 'sent' | 'received'): void {
    const own = normalizeJid(from) === this.ctx.jid;
    const call = this.book.calls.get(jmi.id);
    if (carbon === 'sent') {
      // another device of ours answered or refused a call that rings here too
      if (call?.direction === 'incoming' && (call.phase === 'proposed')) {
        if (jmi.kind === 'proceed' || jmi.kind === 'accept') this.book.end(call, 'answered-elsewhere', `${jmi.kind} from another device`);
        else if (jmi.kind === 'reject') this.book.end(call, 'declined', 'rejected on another device');
      }
      return;
    }
    if (carbon === 'received') return; // a device of ours was told something: the device itself acts on it
    if (own) {
      if (from === this.ctx.fullJid()) return; // our own accept to our bare JID, back to us
      if (call?.direction === 'incoming' && call.phase === 'proposed') {
        if (jmi.kind === 'accept' || jmi.kind === 'proceed') this.book.end(call, 'answered-elsewhere', `${jmi.kind} from another device`); // XEP-0353 0.2
        else if (jmi.kind === 'reject') this.book.end(call, 'declined', 'rejected on another device');
      }
      return;
    }
    if (jmi.kind === 'propose') return this.proposed(from, jmi);
    if (!call || normalizeJid(from) !== call.peerBare) return; // not a call with them: ignored, as XEP-0353 §3 has no error for it
    switch (jmi.kind) {
      case 'ringing': // §3.2
        if (call.direction === 'outgoing' && call.state === 'dialing') this.book.setState(call, 'ringing');
        return;
      case 'proceed': // §3.2: that device takes it; the session goes to it (a second proceed is too late)
        if (call.direction !== 'outgoing' || call.phase !== 'proposed') return;
        call.peer = from;
        void this.initiate(call);
        return;
      case 'reject': // §3.3
        if (call.direction === 'outgoing' && call.phase === 'proposed') this.book.end(call, jmi.reason === 'busy' ? 'busy' : jmi.reason === 'timeout' ? 'no-answer' : 'declined', detailOf(jmi.reason ?? 'reject'));
        return;
      case 'retract': // §3.4: the caller gave up (a missed call)
        if (call.direction === 'incoming' && (call.phase === 'proposed' || call.phase === 'proceeded')) {
          call.offerWaiter?.(new ConfabError('NotFound', 'the caller retracted the call'));
          this.book.end(call, 'cancelled', 'retract');
        }
        return;
      default:
        return;
    }
  }

  /**
   * A Jingle IQ (XEP-0166 §7.2): the `<error/>` to answer, or true for an empty result — in which
   * case what it asks happens right after the result has gone (§6.3: acknowledge first).
   */
  jingle(stanza: Element, jingle: Element): Element | true {
    const from = stanza.attrs.from ?? '';
    const sid = jingle.attrs.sid ?? '';
    if (!/^[^\s<>&]{1,128}$/.test(sid)) return iqError('bad-request', 'no usable sid');
    const call = this.book.calls.get(sid);
    const view: SessionView | undefined = call ?? this.book.tombstones.get(sid);
    const verdict = checkAction(jingle.attrs.action, view, from);
    if (!verdict.ok) {
      this.ctx.log.debug('jingle %s from %s for %s: %s (%s)', jingle.attrs.action ?? '-', from, sid, verdict.error, verdict.text);
      return iqError(verdict.error, verdict.text);
    }
    const action = verdict.action;
    let contents: JingleContent[] = [];
    let unsupported: Unsupported | undefined;
    if (action === 'session-initiate' || action === 'session-accept' || action === 'content-add') {
      try {
        contents = readContents(jingle);
      } catch (err) {
        if (err instanceof MalformedJingle) return iqError('bad-request', err.message); // XEP-0166 §7.2: nothing happens
        if (!(err instanceof Unsupported)) throw err;
        unsupported = err;
      }
    }
    if (action === 'session-terminate') {
      if (call) {
        const { condition, text } = readReason(jingle);
        call.offerWaiter?.(new ConfabError('NotFound', 'the caller ended the session'));
        this.book.end(call, endReasonOf(condition, call.phase === 'active'), detailOf(condition, text));
      }
      return true;
    }
    if (action === 'session-info') return sessionInfo(this.book, call!, jingle);
    if (action === 'transport-info') return transportInfo(call!, jingle, this.ctx.log);
    if (action === 'content-modify') return contentModify(this.book, call!, jingle, this.ctx.log);
    const later = (fn: () => unknown) => setImmediate(() => void Promise.resolve().then(fn).catch((err: unknown) => this.ctx.log.debug('jingle %s: %s', action, (err as Error).message)));
    switch (action) {
      case 'session-initiate':
        this.initiated(from, sid, contents, unsupported, call, later);
        return true;
      case 'session-accept':
        if (unsupported || !contents.some((c) => c.description.media === 'audio')) later(() => this.fail(call!, unsupported?.reason ?? 'failed-application', 'codec-mismatch', unsupported?.message ?? 'no audio accepted'));
        else later(() => this.sessionAccepted(call!, contents));
        return true;
      case 'content-add': // §7.2.1: not taken in a call yet (video is chosen at the start): content-reject (§7.2.4)
        later(() => this.iq(call!, xml('jingle', { xmlns: NS_JINGLE, action: 'content-reject', sid },
          ...jingle.getChildren('content').slice(0, 4).map((c) => xml('content', { creator: c.attrs.creator, name: c.attrs.name })), reasonElement('failed-application'))));
        return true;
      case 'content-remove':
        return contentRemove(this.book, call!, jingle);
      default:
        return iqError('out-of-order', `${action} without a request of ours`); // content-accept/reject: we never add
    }
  }

  /**
   * A session-initiate: the offer our accept waits for (after our proceed), or a call without JMI
   * that rings. The session is known at once (a transport-info with trickled candidates may follow
   * in the same read, XEP-0176 §5.3); what we send about it goes `later`, after the IQ result (§6.3).
   */
  private initiated(from: string, sid: string, contents: JingleContent[], unsupported: Unsupported | undefined, proceeded: JingleCall | undefined, later: (fn: () => unknown) => void): void {
    const audio = contents.some((c) => c.description.media === 'audio');
    if (!unsupported && audio) {
      try {
        transportKindOf(contents); // ICE-UDP with DTLS → webrtc, raw UDP → rtp; anything else is refused (XEP-0166 §6.3.2)
      } catch (err) {
        if (!(err instanceof Unsupported)) throw err;
        unsupported = err;
      }
    }
    const terminate = (condition: string) =>
      later(() => this.ctx.request(xml('iq', { type: 'set', to: from }, xml('jingle', { xmlns: NS_JINGLE, action: 'session-terminate', sid }, reasonElement(condition))), IQ_TIMEOUT_MS).catch(() => undefined));
    if (unsupported || !audio) {
      // XEP-0166 §6.3.2: acknowledged, then terminated with why
      const condition = unsupported?.reason ?? 'unsupported-applications';
      terminate(condition);
      if (proceeded) {
        proceeded.phase = 'ended';
        later(() => {
          proceeded.offerWaiter?.(new ConfabError('NotCapable', unsupported?.message ?? 'no audio offered'));
          this.book.end(proceeded, 'codec-mismatch', unsupported?.message ?? 'no audio offered');
        });
      }
      return;
    }
    if (proceeded) {
      proceeded.offer = contents;
      proceeded.phase = 'pending';
      later(() => proceeded.offerWaiter?.(contents));
      return;
    }
    if (this.book.calls.size >= MAX_CALLS) {
      terminate('busy');
      return;
    }
    const video = contents.some((c) => c.description.media === 'video');
    const call = this.book.track({ id: sid, direction: 'incoming', role: 'responder', phase: 'pending', peer: from, peerBare: normalizeJid(from), jmi: false, state: 'ringing', video, announced: true });
    call.offer = contents;
    later(() => {
      void this.info(call, 'ringing'); // XEP-0167 §7.1
      this.incomingEmitter.fire({ id: sid, peer: call.peerBare, audio: true, video });
    });
  }

  // --- internals --------------------------------------------------------------------------------

  /** The call cannot go on: the peer is told why (session-terminate with `condition`), the call ends `reason`. */
  private fail(call: JingleCall, condition: string, reason: CallEndReason, detail: string): void {
    if (call.ended) return;
    this.terminate(call, condition, detail);
    this.book.end(call, reason, detail);
  }

  /** XEP-0166 §6.7: session-terminate with a reason; not awaited (the session is over for us either way). */
  private terminate(call: JingleCall, condition: string, text?: string): void {
    if (call.phase === 'proposed' || call.phase === 'proceeded' || call.phase === 'ended') return;
    void this.iq(call, xml('jingle', { xmlns: NS_JINGLE, action: 'session-terminate', sid: call.id }, reasonElement(condition, text))).catch(() => undefined);
  }

  /** XEP-0167 §7: an informational session-info. */
  private info(call: JingleCall, what: string, attrs: Record<string, string> = {}): Promise<void> {
    return this.iq(call, xml('jingle', { xmlns: NS_JINGLE, action: 'session-info', sid: call.id }, xml(what, { xmlns: NS_RTP_INFO, ...attrs })))
      .then(() => undefined, (err: unknown) => this.ctx.log.debug('call %s: session-info %s: %s', call.id, what, (err as Error).message));
  }

  private async iq(call: JingleCall, jingle: Element): Promise<Element> {
    return this.ctx.request(xml('iq', { type: 'set', to: call.peer }, jingle), IQ_TIMEOUT_MS);
  }

  /** What our own hangup means, by how far the call got. */
  private ownEnd(call: JingleCall): [CallEndReason, string] {
    if (call.phase === 'active') return ['hangup', 'success'];
    if (call.direction === 'outgoing') return ['cancelled', call.phase === 'proposed' ? 'retract' : 'cancel'];
    return ['no-answer', 'timeout'];
  }
}
