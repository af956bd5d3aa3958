/**
 * Tox conferences as rooms of the model (the SDK's RoomsFacet, as IRC channels and XMPP MUCs are),
 * over the engine of conferences.ts (c-toxcore 0.2.18 group.c, `tox_conference_*`):
 *
 * - A room is named by its conference id, 64 upper-case hex digits (tox_conference_get_id): the
 *   only name a conference has that does not change. The title is the room's topic.
 * - `join(id)`: a conference we are in (from the profile, or joined earlier) is joined at once; one
 *   we were invited to (`onInvited`, group.c's invite callback) is accepted (tox_conference_join)
 *   and resolves when the peer list names us (GROUPCHAT_STATUS_CONNECTED; 30 s at most, else it is
 *   dropped and the join fails NetworkError); any other id makes a new conference with that id, with
 *   us as its only member (tox_conference_new, but the id is the caller's).
 * - `leave` is tox_conference_delete (KILL_PEER to the others); `setTopic` is
 *   tox_conference_set_title; `invite` is tox_conference_invite to a friend who is online.
 * - Members are the active peers with their names, us included (tox_conference_peer_*); frozen
 *   peers (quiet for 60 s, or not heard from since a restart) are not members until heard again.
 * - Messages and actions (`/me`) both ways: received ones go to the model synchronously, from the
 *   packet's handler (stored before the turn ends); ours relayed back to us are not reported (the
 *   model has them already). Sending resolves when a member acknowledged it (conference-sends.ts).
 * - What the profile keeps (the CONFERENCES section, saved-conferences.ts) changes on join, leave,
 *   title, members and names: `hooks.changed` asks for a save. Kept across restarts as c-toxcore's
 *   save keeps them: `start` restores them connected, every other member frozen, and asks each
 *   friend among them to let us rejoin when its connection comes up (group.c REJOIN, packet 100).
 * @since 0.3.0
 */
import {
  ConfabError, Emitter, InvalidArgumentError, NetworkError, NotFoundError, OfflineError,
  type ChannelKind, type ChannelRef, type Disposable, type IncomingMessage, type Logger, type Member, type OutgoingMessage,
  type RoomChange, type RoomInvitation, type RoomsFacet, type SendReceipt,
} from '@confab/sdk';
import { toHex } from '../crypto/keys';
import { systemClock } from '../dht/clock';
import { splitUtf8 } from '../wire/text';
import type { Conference, ConferencePeer } from './conference';
import { Conferences, type ConferenceEvent, type ConferencesOptions } from './conferences';
import { ConferenceSends } from './conference-sends';
import { MAX_GROUP_MESSAGE_DATA_LEN } from './packets';
import { savedOf, type SavedConference } from './saved-conferences';

const JOIN_TIMEOUT_MS = 30_000;

/** What the rooms tell the connection. @since 0.3.0 */
export interface ConferenceRoomsHooks {
  readonly log: Logger;
  /** Messages received, for the model: called from the packet's handler. */
  messages(batch: readonly IncomingMessage[]): void;
  /** A room can take messages again (a link came up): the outbox may drain. */
  reachable(room: string): void;
  /** Something the profile keeps changed: save it soon. */
  changed(): void;
}

interface Session {
  readonly confs: Conferences;
  readonly opts: ConferencesOptions;
  readonly sends: ConferenceSends;
  readonly subs: Disposable[];
  /** Joins waiting for the peer list, by conference id. */
  readonly joining: Map<string, { resolve(): void; reject(e: Error): void }>;
}

const upper = (b: Uint8Array) => toHex(b).toUpperCase();

/** A room or contact argument as a 32-byte key in upper-case hex (a Tox ID gives its public key). */
export function keyArgument(text: string, what: string): string {
  const t = text.trim().replace(/^tox:/i, '');
  if (!/^[0-9A-Fa-f]{64}([0-9A-Fa-f]{12})?$/.test(t)) throw new InvalidArgumentError(`'${text}' is not a ${what} (64 hex digits)`);
  return t.slice(0, 64).toUpperCase();
}

export class ConferenceRooms implements RoomsFacet, Disposable {
  private readonly changedE = new Emitter<RoomChange>();
  private readonly invitedE = new Emitter<RoomInvitation>();
  readonly onRoomChanged = this.changedE.event;
  readonly onInvited = this.invitedE.event;
  private session?: Session;

  constructor(private readonly hooks: ConferenceRoomsHooks) {}

  /** The session's conferences, once the node runs; those of the profile restored (group.c load_group). */
  start(opts: ConferencesOptions, saved: readonly SavedConference[]): Conferences {
    this.stop();
    const confs = new Conferences(opts);
    const s: Session = { confs, opts, sends: new ConferenceSends(), subs: [], joining: new Map() };
    this.session = s;
    s.subs.push(confs.onEvent((e) => this.onEvent(s, e)));
    s.subs.push(opts.messenger.onEvent((e) => {
      if (e.kind === 'status' && !e.online) s.sends.offline(e.friend.realPk);
    }));
    for (const c of saved) {
      try {
        confs.restore(c);
      } catch (e) {
        this.hooks.log.warn('a conference of the profile was not restored: %s', (e as Error).message);
      }
    }
    return confs;
  }

  /** Tells the model of every conference we are in (after connecting: the rooms are joined). */
  announce(): void {
    for (const c of this.session?.confs.all ?? []) if (c.connected) this.joined(c);
  }

  /** The conferences as the profile keeps them (group.c conferences_save). */
  saved(): SavedConference[] {
    const s = this.session;
    if (!s) return [];
    const now = { clockNow: (s.opts.clock ?? systemClock).now(), unixNow: Math.floor(Date.now() / 1000) };
    return s.confs.all.map((c) => savedOf(c, s.opts.selfPk, now)).filter((c): c is SavedConference => c !== undefined);
  }

  /** The session ends: waits fail Offline (the outbox keeps the messages), the engine stops. */
  stop(): void {
    const s = this.session;
    if (!s) return;
    this.session = undefined;
    for (const j of s.joining.values()) j.reject(new OfflineError('disconnected'));
    s.joining.clear();
    for (const d of s.subs.splice(0)) d.dispose();
    s.sends.dispose();
    s.confs.dispose();
  }

  dispose(): void {
    this.stop();
    this.changedE.dispose();
    this.invitedE.dispose();
  }

  // ---- RoomsFacet ---------------------------------------------------------------------------

  async join(room: string): Promise<ChannelRef> {
    const s = this.live();
    const id = keyArgument(room, 'conference id');
    let c = s.confs.byId(id);
    if (!c) {
      const invited = s.confs.pendingInvite(id);
      if (invited) {
        const friend = s.opts.messenger.friend(invited.friendPk);
        if (!friend?.online) throw new OfflineError('the friend who sent the invite is offline');
        c = guard(() => s.confs.join(friend, invited.invite));
      } else {
        c = s.confs.create(Uint8Array.from(Buffer.from(id, 'hex')));
        this.hooks.changed();
      }
    }
    if (!c.connected) await this.connectedOf(s, c);
    this.joined(c);
    return { kind: 'room', target: id };
  }

  async leave(room: string): Promise<void> {
    const s = this.live();
    const c = s.confs.byId(keyArgument(room, 'conference id'));
    if (!c) return;
    s.joining.get(c.idHex)?.reject(new ConfabError('Cancelled', 'left before the join completed'));
    s.confs.leave(c);
    this.changedE.fire({ room: ref(c), joined: false, reason: 'left' });
    this.hooks.changed();
  }

  async setTopic(room: string, topic: string): Promise<void> {
    const s = this.live();
    const c = this.connected(s, room);
    guard(() => s.confs.setTitle(c, topic));
    this.changedE.fire({ room: ref(c), topic });
    this.hooks.changed();
  }

  async invite(room: string, contact: string): Promise<void> {
    const s = this.live();
    const c = this.connected(s, room);
    const pk = keyArgument(contact, 'Tox public key or ID');
    const friend = s.opts.messenger.friend(Buffer.from(pk, 'hex'));
    if (!friend) throw new NotFoundError(`${pk} is not a friend of this account`);
    if (!friend.online) throw new OfflineError(`${pk} is offline: an invite goes only to a friend online`);
    if (!s.confs.invite(c, friend)) throw new NetworkError('the invite could not be sent');
  }

  members(room: string): readonly Member[] {
    const c = this.session?.confs.byId(room);
    return c?.connected ? [...c.peers.values()].map(member) : [];
  }

  async kindOf(target: string): Promise<ChannelKind | undefined> {
    const s = this.session;
    if (!s || !/^[0-9A-F]{64}$/i.test(target)) return undefined;
    if (s.confs.byId(target) || s.confs.pendingInvite(target)) return 'room';
    return s.opts.messenger.friend(Buffer.from(target, 'hex')) ? 'direct' : undefined;
  }

  // ---- messages -----------------------------------------------------------------------------

  /**
   * A message or action (`/me text`, as qTox sends it) to a conference, in parts of at most 1,363
   * bytes (MAX_GROUP_MESSAGE_DATA_LEN); resolves when a member acknowledged every part. Offline
   * (kept in the outbox) while the conference is joining or no link is up.
   */
  async send(message: OutgoingMessage): Promise<SendReceipt> {
    const s = this.live();
    const c = s.confs.byId(message.channel.target);
    if (!c?.connected) throw new OfflineError(`conference ${message.channel.target} is not joined`);
    const me = message.kind === 'normal' && message.body.startsWith('/me ');
    const body = me ? message.body.slice(4) : message.body;
    if (body === '') throw new InvalidArgumentError('a conference message cannot be empty');
    const type = message.kind === 'action' || me ? 'action' : 'normal';
    const waits: Promise<void>[] = [];
    for (const part of splitUtf8(body, MAX_GROUP_MESSAGE_DATA_LEN)) {
      const sent = s.confs.sendTracked(c, part, type);
      if (!sent) throw new OfflineError('no member of the conference is connected');
      waits.push(s.sends.track(sent.packets));
    }
    await Promise.all(waits);
    return {};
  }

  // ---- internals ----------------------------------------------------------------------------

  private live(): Session {
    if (!this.session) throw new OfflineError('the Tox node is not running');
    return this.session;
  }

  private connected(s: Session, room: string): Conference {
    const c = s.confs.byId(keyArgument(room, 'conference id'));
    if (!c) throw new NotFoundError(`not in conference ${room}`);
    if (!c.connected) throw new OfflineError(`conference ${room} is still being joined`);
    return c;
  }

  private connectedOf(s: Session, c: Conference): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        s.joining.delete(c.idHex);
        if (s.confs.byId(c.idHex) === c && !c.connected) s.confs.leave(c);
        reject(new NetworkError('the conference did not send its peer list in 30 s'));
      }, JOIN_TIMEOUT_MS);
      timer.unref?.();
      s.joining.set(c.idHex, {
        resolve: () => { clearTimeout(timer); s.joining.delete(c.idHex); resolve(); },
        reject: (e) => { clearTimeout(timer); s.joining.delete(c.idHex); reject(e); },
      });
    });
  }

  /** The model learns the room is joined, with its topic and members. */
  private joined(c: Conference): void {
    this.changedE.fire({ room: ref(c), joined: true, topic: c.title, membersAdded: [...c.peers.values()].map(member) });
  }

  private onEvent(s: Session, e: ConferenceEvent): void {
    switch (e.kind) {
      case 'invited':
        this.invitedE.fire({ room: upper(e.invite.id), by: upper(e.friendPk) });
        return;
      case 'connected':
        this.hooks.changed();
        s.joining.get(e.conference.idHex)?.resolve();
        return;
      case 'linked':
        this.hooks.reachable(e.conference.idHex);
        return;
      case 'peers':
        if (!e.conference.connected) return;
        this.changedE.fire({ room: ref(e.conference), membersAdded: e.added.map(member), membersRemoved: e.removed.map((p) => upper(p.realPk)) });
        this.hooks.changed();
        if (e.added.length > 0) this.hooks.reachable(e.conference.idHex);
        return;
      case 'name':
        if (!e.conference.connected) return;
        this.changedE.fire({ room: ref(e.conference), membersAdded: [member(e.peer)] });
        this.hooks.changed();
        return;
      case 'title':
        this.changedE.fire({ room: ref(e.conference), topic: e.title });
        this.hooks.changed();
        return;
      case 'message':
        if (e.own) return; // ours, relayed back to us: the model has it (the outbox)
        this.hooks.messages([{
          channel: ref(e.conference), sender: { id: upper(e.peer.realPk), name: e.peer.nick || undefined },
          body: e.text, kind: e.type === 'action' ? 'action' : 'normal',
        }]);
        return;
    }
  }
}

function ref(c: Conference): ChannelRef {
  return { kind: 'room', target: c.idHex };
}

function member(p: ConferencePeer): Member {
  return { id: upper(p.realPk), name: p.nick, role: 'member' };
}

/** The engine's RangeErrors (a length, a type it cannot join) as the model's InvalidArgument. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError) throw new InvalidArgumentError(e.message);
    throw e;
  }
}
