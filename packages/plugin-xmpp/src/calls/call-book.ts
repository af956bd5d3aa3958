/**
 * The calls of one connection and what the daemon is told of them: each call's state, the changes
 * it has been sent (held back until start() resolved, as CallsFacet asks), and its end — said once,
 * its media closed, its sid remembered a while so that late Jingle actions for it are answered as
 * for an ended session (jingle-session.ts).
 */
import type { CallChange, CallDirection, CallEndReason, CallOptions, CallState, Logger } from '@confab/sdk';
import { NotFoundError } from '@confab/sdk';
import type { LocalDescription, MediaSessionClient, RemoteDescription } from '@confab/media';
import { AUDIO, VIDEO, type JingleContent, type Role } from './jingle-contents';
import type { Phase, SessionView } from './jingle-session';
import type { Media } from './rtp-description';
import { RemoteCandidates } from './trickle';

/** An ended session is remembered this long. */
const TOMBSTONE_MS = 60_000;

export interface JingleCall {
  readonly id: string;
  readonly direction: CallDirection;
  readonly role: Role;
  phase: Phase;
  /** The peer's device (full JID) once known; its bare JID while our propose waits for a proceed. */
  peer: string;
  readonly peerBare: string;
  readonly jmi: boolean;
  options?: CallOptions;
  /** confab-media's transport: `webrtc` (XEP-0176 ICE-UDP + XEP-0320 DTLS) or `rtp` (XEP-0177 raw UDP); set with the media. */
  transport?: 'rtp' | 'webrtc';
  /** The peer's ICE candidates, collected until the remote description is applied (trickle.ts). */
  readonly candidates: RemoteCandidates;
  media?: MediaSessionClient;
  local?: LocalDescription;
  remote?: RemoteDescription;
  /** Their offer (a session-initiate we answer). */
  offer?: JingleContent[];
  /** accept() waits here for the session-initiate that follows our proceed. */
  offerWaiter?: (offer: JingleContent[] | Error) => void;
  state: CallState;
  video: boolean;
  codec: string;
  localHold: boolean;
  remoteHold: boolean;
  ended: boolean;
  announced: boolean;
  readonly queue: CallChange[];
}

export type NewCall = Pick<JingleCall, 'id' | 'direction' | 'role' | 'phase' | 'peer' | 'peerBare' | 'jmi' | 'state' | 'video' | 'announced'>;

export class CallBook {
  readonly calls = new Map<string, JingleCall>();
  readonly tombstones = new Map<string, SessionView>();

  constructor(private readonly fire: (change: CallChange) => void, private readonly log: Logger) {}

  track(c: NewCall): JingleCall {
    const call: JingleCall = { ...c, codec: 'none', localHold: false, remoteHold: false, ended: false, queue: [], candidates: new RemoteCandidates() };
    this.calls.set(call.id, call);
    return call;
  }

  get(id: string): JingleCall {
    const call = this.calls.get(id);
    if (!call) throw new NotFoundError(`no call ${id}`);
    return call;
  }

  /** start() resolved: what happened meanwhile goes out. */
  announce(call: JingleCall): void {
    call.announced = true;
    for (const change of call.queue.splice(0)) this.fire(change);
  }

  setState(call: JingleCall, state: CallState): void {
    if (call.ended || call.state === state) return;
    call.state = state;
    this.emit(call, { id: call.id, state });
  }

  videoChanged(call: JingleCall, video: boolean): void {
    if (call.ended || call.video === video) return;
    call.video = video;
    this.emit(call, { id: call.id, state: call.state, video });
  }

  heldState(call: JingleCall): CallState {
    return call.localHold || call.remoteHold ? 'held' : 'active';
  }

  /** Ends a call once: one `ended` change, the media closed, the sid remembered a while. */
  end(call: JingleCall, reason: CallEndReason, detail: string): void {
    if (call.ended) return;
    call.ended = true;
    call.state = 'ended';
    call.phase = 'ended';
    this.calls.delete(call.id);
    this.tombstones.set(call.id, { role: call.role, phase: 'ended', peer: call.peer });
    setTimeout(() => this.tombstones.delete(call.id), TOMBSTONE_MS).unref();
    this.log.info('call %s ended: %s%s', call.id, reason, detail ? ` (${detail})` : '');
    this.emit(call, { id: call.id, state: 'ended', reason, ...(detail ? { detail } : {}) });
    void call.media?.close().catch(() => undefined); // confab-media may be gone, and the session with it
  }

  private emit(call: JingleCall, change: CallChange): void {
    if (call.announced) this.fire(change);
    else call.queue.push(change);
  }
}

/** The contents the session has: the offer's when we answered one, else ours as initiator. */
export function contentsOf(call: JingleCall): Array<{ name: string; creator: Role; media: Media }> {
  if (call.offer) return call.offer.map((c) => ({ name: c.name, creator: c.creator, media: c.description.media }));
  const out: Array<{ name: string; creator: Role; media: Media }> = [{ name: AUDIO, creator: 'initiator', media: 'audio' }];
  if (call.local?.video) out.push({ name: VIDEO, creator: 'initiator', media: 'video' });
  return out;
}

/** A candidate's id (XEP-0177 §4: unique within the session). */
export function candidateId(call: JingleCall, media: Media, component: number): string {
  return `${call.id.slice(0, 8)}${media[0]}${component}`;
}
