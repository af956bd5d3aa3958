/**
 * ToxAV calls with Tox friends as the SDK's CallsFacet (docs/calls.md, ToxAV): MSI in lossless packet
 * 69 (msi.ts), audio in lossy packets 192 (av-rtp.ts, frames-bridge.ts), media in confab-media's
 * `frames` transport. One call per friend, as msi.c keeps one MSICall per friend number.
 *
 *   outgoing: start → media session + init (capabilities) → `dialing`, `ringing` at once (MSI has no
 *             ringing: the invite is delivered or the friend is offline) → their push → `active`.
 *   incoming: their init → `ringing` (onIncoming) → accept: media + our push → `active`.
 *   A pop ends it: while we invite, the friend rejected (`declined`, msi.c handle_pop REQUESTING);
 *   while they invite, they cancelled (`cancelled`: a missed call); while active, `remote-hangup`.
 *   A pop with an error header: `unreachable` before an answer (e.g. a friend without toxav answers
 *   MSI_E_HANDLE or STRAY), `media-failed` after. The friend going offline: `unreachable` before an
 *   answer, `network-error` after (msi.c on_peer_status). A friend offline at start: `unreachable`.
 *   Hold: a push with capabilities 0, resume: the previous ones (toxav.c call_control_handle_pause /
 *   _resume). A friend's capabilities without receive-audio stop our frames (we send nothing to a
 *   friend that paused or muted us).
 * Malformed MSI is counted and answered as msi.c handle_msi_packet does: a pop with INVALID_MESSAGE;
 * a push or pop for no call gets STRAY_MESSAGE. Every MSI packet received is counted once.
 * @since 0.2.0
 */
import {
  ConfabError, Emitter, InvalidArgumentError, NotFoundError, type CallChange, type CallEndReason, type CallOptions, type CallsFacet,
  type CallStats, type IncomingCall, type Logger,
} from '@confab/sdk';
import type { MediaAccess, MediaSessionClient } from '@confab/media';
import { FramesBridge } from './frames-bridge';
import { callCapabilities, decodeMsi, encodeMsi, MsiCaps, MsiError, type MsiMessage } from './msi';

/** A friend as the calls see it (the account's MessengerFriend and its friend connection). */
export interface AvFriend {
  readonly online: boolean;
  /** Lossless (net_crypto) packet, id first; false when it could not go. */
  sendLossless(packet: Uint8Array): boolean;
  sendLossy(packet: Uint8Array): boolean;
}

type Phase = 'requesting' | 'requested' | 'active';

interface ToxCall {
  readonly id: string;
  readonly friend: string;
  phase: Phase;
  state: CallChange['state'];
  selfCaps: number;
  peerCaps: number;
  held: boolean;
  options?: CallOptions;
  media?: MediaSessionClient;
  bridge?: FramesBridge;
  /** When the invite went or came (set-up figures). */
  readonly at: number;
}

export interface ToxCallsCounters {
  msiReceived: number;
  msiMalformed: number;
  msiStray: number;
  lossyReceived: number;
  /** Lossy 192/193 of no call, or not for audio. */
  lossyStray: number;
}

export class ToxCalls implements CallsFacet {
  private readonly calls = new Map<string, ToxCall>(); // by friend id: one call per friend (msi.c)
  private readonly incomingE = new Emitter<IncomingCall>();
  private readonly changedE = new Emitter<CallChange>();
  private seq = 0;
  readonly onIncoming = this.incomingE.event;
  readonly onCallChanged = this.changedE.event;
  readonly counters: ToxCallsCounters = { msiReceived: 0, msiMalformed: 0, msiStray: 0, lossyReceived: 0, lossyStray: 0 };

  constructor(private readonly friendOf: (id: string) => AvFriend | undefined, private readonly media: MediaAccess, private readonly log: Logger) {}

  async start(target: string, options: CallOptions): Promise<string> {
    const f = this.friendOf(target);
    if (!f) throw new ConfabError('NotCapable', `${target} is not a friend of this account`);
    if (!options.audio) throw new InvalidArgumentError('a ToxAV call carries audio');
    if (options.video) throw new ConfabError('NotCapable', 'ToxAV video is not implemented yet');
    if (this.calls.has(target)) throw new ConfabError('NotAvailable', `already in a call with ${target}`); // msi_invite: "Already in a call"
    const call: ToxCall = { id: this.newId(), friend: target, phase: 'requesting', state: 'dialing', selfCaps: callCapabilities(false), peerCaps: 0, held: false, options, at: Date.now() };
    this.calls.set(target, call);
    if (!f.online) {
      setImmediate(() => this.end(call, 'unreachable', 'the friend is offline'));
      return call.id;
    }
    try {
      await this.openMedia(call, f);
    } catch (err) {
      this.calls.delete(target);
      throw err;
    }
    if (this.calls.get(target) !== call) return call.id; // ended while the media was made
    f.sendLossless(encodeMsi({ request: 'init', capabilities: call.selfCaps })); // msi.c msi_invite
    setImmediate(() => {
      if (call.state === 'dialing') this.setState(call, 'ringing'); // the invite went to an online friend
    });
    return call.id;
  }

  async accept(id: string, options: CallOptions): Promise<void> {
    const call = this.get(id);
    if (call.phase !== 'requested') throw new ConfabError('NotAvailable', `call ${id} is not ringing`);
    const f = this.friendOf(call.friend);
    if (!f?.online) throw new ConfabError('NotAvailable', 'the friend went offline');
    call.options = { ...options, video: false };
    await this.openMedia(call, f);
    if (this.calls.get(call.friend) !== call) return;
    call.phase = 'active';
    f.sendLossless(encodeMsi({ request: 'push', capabilities: call.selfCaps })); // msi.c msi_answer
    await this.begin(call);
  }

  async reject(id: string, _reason: 'declined' | 'busy'): Promise<void> {
    const call = this.get(id);
    if (call.phase !== 'requested') throw new ConfabError('NotAvailable', `call ${id} is not ringing`);
    this.friendOf(call.friend)?.sendLossless(encodeMsi({ request: 'pop' })); // msi.c has no busy: a pop is a reject
    this.end(call, 'declined');
  }

  async hangup(id: string): Promise<void> {
    const call = this.get(id);
    this.friendOf(call.friend)?.sendLossless(encodeMsi({ request: 'pop' })); // msi.c msi_hangup
    this.end(call, call.phase === 'active' ? 'hangup' : call.phase === 'requesting' ? 'cancelled' : 'declined');
  }

  async hold(id: string, held: boolean): Promise<void> {
    const call = this.get(id);
    if (call.phase !== 'active' || !call.media) throw new ConfabError('NotAvailable', `call ${id} is not answered`);
    if (call.held === held) return;
    call.held = held;
    // toxav.c call_control_handle_pause: capabilities 0; _resume: the previous ones
    this.friendOf(call.friend)?.sendLossless(encodeMsi({ request: 'push', capabilities: held ? 0 : call.selfCaps }));
    this.updateSending(call);
    try {
      await (held ? call.media.hold() : call.media.resume());
    } catch (err) {
      this.log.debug('call %s: media %s: %s', id, held ? 'hold' : 'resume', (err as Error).message); // signalled; the gate follows
    }
    this.setState(call, held ? 'held' : 'active');
  }

  async setMuted(id: string, muted: boolean): Promise<void> {
    const media = this.get(id).media;
    if (!media) throw new ConfabError('NotAvailable', `call ${id} has no media yet`);
    await media.setMuted(muted); // nothing is signalled (docs/calls.md)
  }

  async stats(id: string): Promise<CallStats> {
    const call = this.get(id);
    if (!call.media) throw new ConfabError('NotAvailable', `call ${id} has no media yet`);
    const s = await call.media.stats();
    const n = (k: string) => (Number.isFinite(s[k]) ? s[k]! : 0);
    const b = call.bridge?.counters;
    return {
      packetsSent: b?.framesSent ?? n('packets-sent'),
      packetsReceived: b?.framesReceived ?? n('packets-received'),
      packetsLost: n('packets-lost'),
      jitterMs: n('jitter-ms'),
      codec: 'opus',
      encryption: 'none', // as SDK CallStats says it: no SRTP; Tox's net_crypto encrypts every packet
    };
  }

  /** A lossless packet 69 from a friend (Messenger.c handle_packet → msi.c handle_msi_packet). */
  onMsiPacket(friend: string, payload: Uint8Array): void {
    this.counters.msiReceived++;
    const f = this.friendOf(friend);
    const m = decodeMsi(payload);
    if (!m) {
      this.counters.msiMalformed++;
      f?.sendLossless(encodeMsi({ request: 'pop', error: MsiError.INVALID_MESSAGE }));
      return;
    }
    const call = this.calls.get(friend);
    if (!call) {
      if (m.request !== 'init') {
        this.counters.msiStray++;
        // a stray pop is not answered: two pops crossing would ping-pong errors (msi.c answers STRAY to
        // pushes and pops alike; its own pop-with-error is then stray for it and answered again, once)
        if (m.request === 'push') f?.sendLossless(encodeMsi({ request: 'pop', error: MsiError.STRAY_MESSAGE }));
        return;
      }
      this.invited(friend, m);
      return;
    }
    if (m.request === 'init') this.reinvited(call, m, f);
    else if (m.request === 'push') this.pushed(call, m, f);
    else this.popped(call, m);
  }

  /** A lossy packet 192/193 from a friend: the call's audio, or counted and dropped. */
  onLossyPacket(friend: string, packet: Uint8Array): void {
    this.counters.lossyReceived++;
    const call = this.calls.get(friend);
    if (!call?.bridge || call.phase !== 'active') {
      this.counters.lossyStray++;
      return;
    }
    call.bridge.fromFriend(packet);
  }

  /** The friend went offline (msi.c on_peer_status → MSI_ON_PEERTIMEOUT). */
  friendOffline(friend: string): void {
    const call = this.calls.get(friend);
    if (call) this.end(call, call.phase === 'active' ? 'network-error' : 'unreachable', 'the friend went offline');
  }

  /** The account goes offline (or the friend is removed): its call ends, the friend told when it can be. */
  friendGone(friend: string): void {
    const call = this.calls.get(friend);
    if (!call) return;
    this.friendOf(friend)?.sendLossless(encodeMsi({ request: 'pop' }));
    this.end(call, 'network-error', 'the account went offline');
  }

  /** How many frames each live call bridged (tests, figures). */
  bridgeOf(id: string): FramesBridge | undefined {
    return [...this.calls.values()].find((c) => c.id === id)?.bridge;
  }

  private invited(friend: string, m: MsiMessage): void {
    if (m.capabilities === undefined) {
      this.counters.msiMalformed++; // msi.c try_handle_init: INVALID_MESSAGE
      this.friendOf(friend)?.sendLossless(encodeMsi({ request: 'pop', error: MsiError.INVALID_MESSAGE }));
      return;
    }
    const call: ToxCall = { id: this.newId(), friend, phase: 'requested', state: 'ringing', selfCaps: callCapabilities(false), peerCaps: m.capabilities, held: false, at: Date.now() };
    this.calls.set(friend, call);
    this.incomingE.fire({ id: call.id, peer: friend, audio: (m.capabilities & MsiCaps.SEND_AUDIO) !== 0, video: false });
  }

  /** msi.c try_handle_init on a known call: active → answered again (a re-call); otherwise an error. */
  private reinvited(call: ToxCall, m: MsiMessage, f: AvFriend | undefined): void {
    if (call.phase === 'active') {
      f?.sendLossless(encodeMsi({ request: 'push', capabilities: call.held ? 0 : call.selfCaps }));
      if (m.capabilities !== undefined) this.peerCapabilities(call, m.capabilities);
      return;
    }
    f?.sendLossless(encodeMsi({ request: 'pop', error: MsiError.INVALID_STATE }));
    this.end(call, 'media-failed', 'MSI: an invite in the wrong state');
  }

  /** msi.c handle_push: the answer to our invite, or a change of capabilities. */
  private pushed(call: ToxCall, m: MsiMessage, f: AvFriend | undefined): void {
    if (m.capabilities === undefined) {
      this.counters.msiMalformed++;
      f?.sendLossless(encodeMsi({ request: 'pop', error: MsiError.INVALID_MESSAGE }));
      this.end(call, call.phase === 'active' ? 'media-failed' : 'unreachable', 'MSI: a push without capabilities');
      return;
    }
    if (call.phase === 'requested') return; // "Pushes during initialization state are ignored"
    if (call.phase === 'requesting') {
      call.phase = 'active';
      call.peerCaps = m.capabilities;
      void this.begin(call);
      return;
    }
    this.peerCapabilities(call, m.capabilities);
  }

  private popped(call: ToxCall, m: MsiMessage): void {
    if (m.error !== undefined) {
      this.end(call, call.phase === 'active' ? 'media-failed' : 'unreachable', `MSI error ${m.error}`);
      return;
    }
    this.end(call, call.phase === 'active' ? 'remote-hangup' : call.phase === 'requesting' ? 'declined' : 'cancelled');
  }

  private peerCapabilities(call: ToxCall, caps: number): void {
    call.peerCaps = caps;
    this.updateSending(call);
  }

  private updateSending(call: ToxCall): void {
    if (call.bridge) call.bridge.sending = call.phase === 'active' && !call.held && (call.peerCaps & MsiCaps.RECEIVE_AUDIO) !== 0;
  }

  /** A media session on the frames transport, and its bridge to the friend's lossy packets. */
  private async openMedia(call: ToxCall, f: AvFriend): Promise<void> {
    const bridge = new FramesBridge((p) => f.sendLossy(p));
    const port = await bridge.open();
    let media: MediaSessionClient | undefined;
    try {
      const o = call.options;
      media = await this.media.createSession({
        audio: true, video: false, transport: 'frames', address: '127.0.0.1', codecs: ['opus'],
        ...(o?.microphone ? { microphone: o.microphone } : {}), ...(o?.speaker ? { speaker: o.speaker } : {}),
      });
      const local = await media.localDescription();
      const opus = local.codecs.find((c) => c.name === 'opus')!;
      bridge.connect(local.port, opus.pt);
      await media.setRemote({ address: '127.0.0.1', port, rtcpMux: true, codecs: [opus] });
    } catch (err) {
      bridge.close();
      void media?.close().catch(() => undefined);
      throw err;
    }
    if (this.calls.get(call.friend) !== call) {
      bridge.close();
      void media.close().catch(() => undefined);
      return;
    }
    call.bridge = bridge;
    call.media = media;
    media.onStateChanged((state, reason) => {
      if (state === 'ended' && this.calls.get(call.friend) === call) {
        this.friendOf(call.friend)?.sendLossless(encodeMsi({ request: 'pop' }));
        this.end(call, 'media-failed', reason);
      }
    });
  }

  /** Both sides agreed: media runs, frames go. */
  private async begin(call: ToxCall): Promise<void> {
    this.updateSending(call);
    try {
      await call.media?.start();
    } catch (err) {
      this.friendOf(call.friend)?.sendLossless(encodeMsi({ request: 'pop' }));
      this.end(call, 'media-failed', (err as Error).message);
      return;
    }
    if (this.calls.get(call.friend) === call) this.setState(call, 'active');
  }

  private setState(call: ToxCall, state: CallChange['state']): void {
    if (call.state === state || call.state === 'ended') return;
    call.state = state;
    this.changedE.fire({ id: call.id, state });
  }

  /** Ends a call once: one `ended` change, media and bridge closed, the call forgotten. */
  private end(call: ToxCall, reason: CallEndReason, detail?: string): void {
    if (call.state === 'ended') return;
    if (this.calls.get(call.friend) === call) this.calls.delete(call.friend);
    call.state = 'ended';
    call.bridge?.close();
    void call.media?.close().catch(() => undefined); // gone with confab-media: nothing to close
    this.changedE.fire({ id: call.id, state: 'ended', reason, ...(detail ? { detail } : {}) });
  }

  private get(id: string): ToxCall {
    for (const c of this.calls.values()) if (c.id === id) return c;
    throw new NotFoundError(`no call ${id}`);
  }

  private newId(): string {
    return `tox-${Date.now().toString(36)}-${++this.seq}`;
  }
}
