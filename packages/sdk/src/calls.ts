/**
 * Calls: one model for SIP (INVITE, RFC 3261/3264), Jingle (XEP-0166/0167 with XEP-0353 initiation)
 * and ToxAV (MSI over lossless packet 69), so that a frontend cannot tell which protocol carries a call.
 * A plugin does the signalling only; its media runs in confab-media (`@confab/media`), never in the
 * daemon. See docs/calls.md for how each protocol maps onto these states and reasons.
 *
 * The daemon keeps the model (Call objects, history); SIP implements `CallsFacet` (issue 16), Jingle
 * and ToxAV are to come. @since 0.5.0
 */
import type { Event } from './events';

/**
 *   outgoing: dialing → ringing (180 / JMI ringing / MSI invite seen) → [early-media (183)] → active
 *   incoming: ringing → active (accepted here)
 *   active ⇄ held; every state → ended, with a reason.
 */
export type CallState = 'dialing' | 'ringing' | 'early-media' | 'active' | 'held' | 'ended';

/** Why a call ended; said once, with the `ended` state. */
export type CallEndReason =
  | 'hangup' // we hung up an answered call
  | 'remote-hangup' // they did (SIP BYE, Jingle session-terminate success, MSI end)
  | 'busy' // SIP 486/600, Jingle <busy/>
  | 'declined' // SIP 603, Jingle <decline/>, JMI reject, MSI reject
  | 'no-answer' // nobody answered in time (SIP 408/480 or our own timer), a missed call when incoming
  | 'cancelled' // the caller gave up before an answer (SIP CANCEL, JMI retract): a missed call when incoming
  | 'answered-elsewhere' // another device of ours took it (SIP 200 to a fork, JMI proceed/accept carbon)
  | 'unreachable' // no such user or not registered (SIP 404/480, Jingle item-not-found, Tox friend offline)
  | 'codec-mismatch' // no codec in common (SIP 488, Jingle <media-error/>/<unsupported-applications/>)
  | 'media-failed' // confab-media died or the media path broke (no RTP, ICE failed)
  | 'media-security' // an encrypted call could not be kept encrypted (DTLS fingerprint mismatch)
  | 'network-error'; // the account's connection went away and the call could not survive it

export type CallDirection = 'outgoing' | 'incoming';

/** What a call carries, and where its audio comes from and goes (confab-media's device choices). */
export interface CallOptions {
  readonly audio: boolean;
  readonly video: boolean;
  /** `default`, a device id, `file:/path.wav`, `tone:HZ`; absent for the default. */
  readonly microphone?: string;
  /** `default`, a device id, `file:/path.wav` (records what the far end says), `none`. */
  readonly speaker?: string;
  readonly camera?: string;
}

/** Someone calls us: the daemon makes a Call object, rings, and later answers through the facet. */
export interface IncomingCall {
  /** The plugin's id for the call, unique within the connection. */
  readonly id: string;
  /** The caller, as `Protocol.normalizeContact` gives contacts. */
  readonly peer: string;
  readonly audio: boolean;
  readonly video: boolean;
  /** When they called, if the protocol says (a JMI propose read back from the archive). */
  readonly at?: number;
}

export interface CallChange {
  readonly id: string;
  readonly state: CallState;
  /** Set with `ended`. */
  readonly reason?: CallEndReason;
  /** The protocol's own words, for people (SIP "486 Busy Here"); never a secret. */
  readonly detail?: string;
  /** What the call carries now, when that changed (video added, removed). */
  readonly audio?: boolean;
  readonly video?: boolean;
}

/** RTCP figures (RFC 3550 §6.4): what the far end reports of our stream and what we see of theirs. */
export interface CallStats {
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly packetsLost: number;
  /** Interarrival jitter of what we receive, ms. */
  readonly jitterMs: number;
  /** Round trip from RTCP SR/RR, ms; absent before the first report. */
  readonly roundTripMs?: number;
  readonly codec: string;
  /** Video frames encoded and sent; present while the call carries video. @since 0.5.0 */
  readonly videoFramesSent?: number;
  /** Video frames decoded from the far end's stream; present while the call carries video. @since 0.5.0 */
  readonly videoFramesDecoded?: number;
  /** How the media is protected: `srtp` (SDES keys), `dtls-srtp` (keyed by a DTLS handshake whose certificate matched, RFC 5763), `none`. @since 0.6.0 */
  readonly encryption?: 'none' | 'srtp' | 'dtls-srtp';
}

/**
 * Calls on one connection. Each method resolves when the protocol took the request (the INVITE sent,
 * the 200 OK answered) and rejects with a ConfabError naming why not; what follows comes as
 * `onCallChanged`. A call the plugin no longer knows is NotFound.
 */
export interface CallsFacet {
  readonly onIncoming: Event<IncomingCall>;
  readonly onCallChanged: Event<CallChange>;
  /** RFC 4733 telephone-events (or SIP INFO) the far end sent. */
  readonly onDtmf?: Event<{ readonly id: string; readonly digit: string }>;

  /**
   * Calls `target`; resolves with the call's id once the call is placed (`dialing`). No
   * `onCallChanged` for this call may fire before it resolves (the daemon knows the call by this id).
   */
  start(target: string, options: CallOptions): Promise<string>;
  accept(id: string, options: CallOptions): Promise<void>;
  /** Refuses an incoming call: `declined` (SIP 603), or `busy` (486). */
  reject(id: string, reason: 'declined' | 'busy'): Promise<void>;
  /** Ends a call in any state: CANCEL before an answer, BYE after. */
  hangup(id: string): Promise<void>;
  /** Hold (re-INVITE sendonly, Jingle senders, MSI pause) or resume. */
  hold(id: string, held: boolean): Promise<void>;
  /** Stops sending our audio; nothing is signalled. */
  setMuted(id: string, muted: boolean): Promise<void>;
  sendDtmf?(id: string, digits: string): Promise<void>;
  /** Adds or removes video in a call (re-INVITE, Jingle content-add/remove, MSI capabilities). */
  setVideo?(id: string, on: boolean): Promise<void>;
  stats(id: string): Promise<CallStats>;
}

/**
 * confab-media as the daemon gives it to connections (`ConnectionServices.media`): the daemon
 * starts the process on demand and watches it; a plugin reaches it with `@confab/media`'s
 * MediaClient on the same session bus. When it dies, the daemon ends every active call
 * `media-failed` and hangs each up through `CallsFacet.hangup` (whose session is gone then: a
 * plugin ignores the error of closing it). @since 0.5.0
 */
export interface MediaService {
  /**
   * Starts confab-media unless it runs; resolves once `im.confab.Media1` is owned on the session bus.
   * Rejects with NotAvailable (saying why: not installed, exited at start) when it cannot start.
   */
  ensure(): Promise<void>;
  /**
   * The STUN/TURN servers every call may use (confabd's `calls.iceServers`, the TURN credential from
   * the secret store): a plugin passes them to confab-media after its account's own. Credentials are
   * secrets: never logged, never in a property or an error. @since 0.6.0
   */
  iceServers?(): Promise<readonly IceServerConfig[]>;
}

/** A STUN or TURN server (RFC 7064/7065 URIs) with TURN long-term credentials. @since 0.6.0 */
export interface IceServerConfig {
  readonly urls: readonly string[];
  readonly username?: string;
  /** A secret. */
  readonly credential?: string;
}
