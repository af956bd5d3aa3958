/**
 * Multi-user chat (XEP-0045) as Confab rooms: join with a nick (and password), taken again with a
 * `_` when the nick is in use; occupants with roles from their affiliation and role; the subject;
 * groupchat messages, ours confirmed by the room's reflection of them (XEP-0045 §7.4); leave; kick,
 * roles and the subject as commands answered by the room; invitations, direct (XEP-0249) and
 * mediated (XEP-0045 §7.8.2).
 */
import { xml, type Element } from '@xmpp/client';
import {
  ConfabError, InvalidArgumentError, OfflineError,
  type ChannelRef, type IncomingMessage, type Logger, type Member, type MemberRole, type RoomChange, type RoomInvitation,
} from '@confab/sdk';
import { normalizeJid } from './jid';
import { conditionOf, iqError, stanzaError } from './stanza-errors';

const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const NS_MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
const NS_CONFERENCE = 'jabber:x:conference';
const NS_DELAY = 'urn:xmpp:delay';
const NS_SID = 'urn:xmpp:sid:0';
const JOIN_TIMEOUT_MS = 30_000;
const NICK_RETRIES = 2;
const MAX_OCCUPANTS = 10_000;

export interface MucIo {
  send(el: Element): Promise<void>;
  request(el: Element): Promise<Element>;
  /** The nick to join with. */
  nick(): string;
}

interface Room {
  nick: string;
  joined: boolean;
  occupants: Map<string, Member>;
  join?: { resolve(ref: ChannelRef): void; reject(e: Error): void; password?: string; tries: number; timer: NodeJS.Timeout };
  leave?: () => void;
}

/** XEP-0045 §5: affiliation first (owner, admin), then role (moderator → op, visitor… → member). */
function roleOf(item: Element | undefined): MemberRole {
  const affiliation = item?.attrs.affiliation;
  if (affiliation === 'owner') return 'owner';
  if (affiliation === 'admin') return 'admin';
  return item?.attrs.role === 'moderator' ? 'op' : 'member';
}

export class MucRooms {
  private readonly rooms = new Map<string, Room>();
  private readonly reflections = new Map<string, { resolve(): void; reject(e: Error): void }>(); // message id → waiting

  constructor(
    private readonly io: MucIo,
    private readonly changed: (c: RoomChange) => void,
    private readonly invited: (i: RoomInvitation) => void,
    private readonly log: Logger,
  ) {}

  /** The occupants of a joined room. */
  members(room: string): Member[] {
    const r = this.rooms.get(normalizeJid(room));
    return r?.joined ? [...r.occupants.values()] : [];
  }

  isRoom(jid: string): boolean {
    return this.rooms.has(jid);
  }

  join(room: string, key?: string, nick?: string): Promise<ChannelRef> {
    const jid = normalizeJid(room);
    if (!jid.includes('@')) return Promise.reject(new InvalidArgumentError(`'${room}' is not a room address (room@service)`));
    const existing = this.rooms.get(jid);
    if (existing?.joined) return Promise.resolve({ kind: 'room', target: jid });
    return new Promise<ChannelRef>((resolve, reject) => {
      const timer = setTimeout(() => this.failJoin(jid, new ConfabError('NetworkError', `no answer from ${jid} within ${JOIN_TIMEOUT_MS / 1000} s`)), JOIN_TIMEOUT_MS);
      this.rooms.set(jid, { nick: nick || this.io.nick(), joined: false, occupants: new Map(), join: { resolve, reject, password: key, tries: 0, timer } });
      this.sendJoin(jid);
    });
  }

  private sendJoin(jid: string): void {
    const r = this.rooms.get(jid)!;
    // XEP-0045 §7.2: presence to room/nick; no history (what we missed comes with the next step, MAM).
    const x = xml('x', { xmlns: NS_MUC }, xml('history', { maxstanzas: '0' }), ...(r.join?.password ? [xml('password', {}, r.join.password)] : []));
    this.io.send(xml('presence', { to: `${jid}/${r.nick}` }, x)).catch((e: Error) => this.failJoin(jid, e));
  }

  private failJoin(jid: string, e: Error): void {
    const r = this.rooms.get(jid);
    if (!r?.join) return;
    clearTimeout(r.join.timer);
    r.join.reject(e);
    this.rooms.delete(jid);
  }

  async leave(room: string, message?: string): Promise<void> {
    const jid = normalizeJid(room);
    const r = this.rooms.get(jid);
    if (!r) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 5000); // the room's answer, or not: we are gone either way
      r.leave = () => (clearTimeout(t), resolve());
      // XEP-0045 §7.14
      this.io.send(xml('presence', { to: `${jid}/${r.nick}`, type: 'unavailable' }, ...(message ? [xml('status', {}, message)] : []))).catch(() => resolve());
    });
    if (this.rooms.delete(jid)) this.changed({ room: { kind: 'room', target: jid }, joined: false, reason: 'left' });
  }

  /** Sends a groupchat message; resolves when the room reflects it back (XEP-0045 §7.4). */
  send(room: string, body: string, id: string, timeoutMs: number): Promise<void> {
    const r = this.rooms.get(room);
    if (!r?.joined) return Promise.reject(new ConfabError('NotAvailable', `not in ${room}`));
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        this.reflections.delete(id);
        reject(new ConfabError('NetworkError', `${room} did not reflect the message`));
      }, timeoutMs);
      this.reflections.set(id, { resolve: () => (clearTimeout(t), resolve()), reject: (e) => (clearTimeout(t), reject(e)) });
      this.io.send(xml('message', { to: room, type: 'groupchat', id }, xml('body', {}, body), xml('origin-id', { xmlns: NS_SID, id })))
        .catch((e: Error) => this.reflections.get(id)?.reject(e));
    });
  }

  async setTopic(room: string, topic: string): Promise<void> {
    this.requireJoined(room);
    // XEP-0045 §8.1: a subject change; a refusal comes back as an error message.
    await this.io.send(xml('message', { to: room, type: 'groupchat' }, xml('subject', {}, topic)));
  }

  async kick(room: string, member: string, reason?: string): Promise<void> {
    this.requireJoined(room);
    await this.admin(room, { nick: member, role: 'none' }, reason); // XEP-0045 §8.2
  }

  async setRole(room: string, member: string, role: MemberRole): Promise<void> {
    this.requireJoined(room);
    // XEP-0045 §8.4/§8.6 roles; owner/admin are affiliations (§9), given by bare JID: not by nick here.
    const muc = role === 'op' ? 'moderator' : role === 'voice' || role === 'member' ? 'participant' : undefined;
    if (!muc) throw new ConfabError('NotCapable', `${role} is an affiliation in XMPP rooms, given by address; not supported yet`);
    await this.admin(room, { nick: member, role: muc });
  }

  async invite(room: string, contact: string): Promise<void> {
    this.requireJoined(room);
    // XEP-0249 direct invitation.
    await this.io.send(xml('message', { to: normalizeJid(contact) }, xml('x', { xmlns: NS_CONFERENCE, jid: room })));
  }

  private async admin(room: string, item: Record<string, string>, reason?: string): Promise<void> {
    try {
      await this.io.request(xml('iq', { type: 'set', to: room }, xml('query', { xmlns: NS_MUC_ADMIN }, xml('item', item, ...(reason ? [xml('reason', {}, reason)] : [])))));
    } catch (e) {
      throw iqError(e, room);
    }
  }

  private requireJoined(room: string): void {
    if (!this.rooms.get(room)?.joined) throw new ConfabError('NotAvailable', `not in ${room}`);
  }

  /** A presence from a room: occupants, our own join/leave, nick conflicts. False when not a room's. */
  onPresence(stanza: Element): boolean {
    const occupant = this.occupantOf(stanza);
    if (!occupant) return false;
    const { jid, nick, room: r } = occupant;
    const ref: ChannelRef = { kind: 'room', target: jid };
    if (stanza.attrs.type === 'error') {
      const condition = conditionOf(stanza);
      if (r.join && condition === 'conflict' && r.join.tries < NICK_RETRIES) {
        r.join.tries++;
        r.nick += '_'; // XEP-0045 §7.2.9: the nick is taken
        this.sendJoin(jid);
        return true;
      }
      this.failJoin(jid, stanzaError(condition, `${jid} refused us`));
      return true;
    }
    const x = stanza.getChild('x', NS_MUC_USER);
    const codes = new Set((x?.getChildren('status') ?? []).map((s) => s.attrs.code));
    const item = x?.getChild('item');
    const self = codes.has('110') || nick === r.nick;
    if (stanza.attrs.type === 'unavailable') {
      if (codes.has('303') && item?.attrs.nick) {
        // XEP-0045 §7.6: a nick change
        const renamed = r.occupants.get(nick);
        r.occupants.delete(nick);
        const m: Member = { id: item.attrs.nick, name: item.attrs.nick, role: renamed?.role ?? 'member' };
        r.occupants.set(m.id, m);
        if (self) r.nick = item.attrs.nick;
        this.changed({ room: ref, membersRemoved: [nick], membersAdded: [m], reason: 'nick' });
        return true;
      }
      if (self) {
        r.leave?.();
        const kicked = codes.has('307') ? 'kicked' : codes.has('301') ? 'banned' : 'left';
        this.rooms.delete(jid);
        this.changed({ room: ref, joined: false, reason: kicked });
        return true;
      }
      if (r.occupants.delete(nick)) this.changed({ room: ref, membersRemoved: [nick], reason: codes.has('307') ? 'kicked' : undefined });
      return true;
    }
    const m: Member = { id: nick, name: nick, role: roleOf(item) };
    if (!r.occupants.has(nick) && r.occupants.size >= MAX_OCCUPANTS) return true;
    r.occupants.set(nick, m);
    if (self && r.join) {
      // XEP-0045 §7.2.3: our own presence (status 110) ends the occupant list: we are in.
      clearTimeout(r.join.timer);
      const done = r.join;
      r.join = undefined;
      r.joined = true;
      r.nick = nick;
      this.changed({ room: ref, joined: true, membersAdded: [...r.occupants.values()] });
      done.resolve(ref);
      return true;
    }
    if (r.joined) this.changed({ room: ref, membersAdded: [m] });
    return true;
  }

  /**
   * A message from a room, or an invitation to one. Returns the message to store, or 'handled' when
   * it was a subject, a reflection of ours or an invitation, or undefined when it is not a room's.
   */
  onMessage(stanza: Element): IncomingMessage | 'handled' | undefined {
    const invitation = this.invitation(stanza);
    if (invitation) {
      this.invited(invitation);
      return 'handled';
    }
    const occupant = this.occupantOf(stanza);
    if (!occupant) return undefined;
    const { jid, nick, room: r } = occupant;
    if (stanza.attrs.type === 'error') {
      const w = stanza.attrs.id ? this.reflections.get(stanza.attrs.id) : undefined;
      if (w) {
        this.reflections.delete(stanza.attrs.id!);
        w.reject(stanzaError(conditionOf(stanza), jid));
      }
      return 'handled';
    }
    if (stanza.attrs.type !== 'groupchat') return undefined; // a private message through the room: a direct one
    const subject = stanza.getChild('subject');
    const body = stanza.getChildText('body');
    if (subject && body === null) {
      this.changed({ room: { kind: 'room', target: jid }, topic: subject.text() }); // XEP-0045 §8.1
      return 'handled';
    }
    if (body === null) return 'handled';
    const id = stanza.getChild('origin-id', NS_SID)?.attrs.id ?? stanza.attrs.id;
    if (nick === r.nick && id) {
      const w = this.reflections.get(id);
      if (w) {
        this.reflections.delete(id);
        w.resolve();
        return 'handled'; // our own message, stored when it was sent
      }
    }
    const stamp = stanza.getChild('delay', NS_DELAY)?.attrs.stamp;
    const time = stamp ? new Date(stamp) : undefined;
    const sid = stanza.getChildren('stanza-id', NS_SID).find((s) => s.attrs.by && normalizeJid(s.attrs.by) === jid)?.attrs.id;
    return roomMessage(jid, nick, body, time, sid, nick === r.nick);
  }

  /** A stanza's sender as an occupant of a room we are in (XEP-0045 §4.1: room@service/nick), or undefined. */
  private occupantOf(stanza: Element): { jid: string; nick: string; room: Room } | undefined {
    const from = stanza.attrs.from;
    if (!from || this.rooms.size === 0) return undefined;
    const slash = from.indexOf('/');
    const jid = normalizeJid(slash >= 0 ? from.slice(0, slash) : from);
    const room = this.rooms.get(jid);
    return room ? { jid, nick: slash >= 0 ? from.slice(slash + 1) : '', room } : undefined;
  }

  /**
   * A message from a room's archive (XEP-0313 on a MUC). Our own, sent from a Confab client (origin-id
   * with our prefix) under our nick, is skipped: it was stored when it was sent.
   */
  fromArchive(room: string, msg: Element, archiveId: string | undefined, time: Date | undefined, ownPrefix: string): IncomingMessage | undefined {
    const from = msg.attrs.from ?? '';
    const slash = from.indexOf('/');
    if (slash < 0 || msg.attrs.type !== 'groupchat') return undefined;
    const body = msg.getChildText('body');
    if (body === null) return undefined;
    const nick = from.slice(slash + 1);
    const ours = nick === this.rooms.get(room)?.nick;
    if (ours && (msg.getChild('origin-id', NS_SID)?.attrs.id ?? msg.attrs.id ?? '').startsWith(ownPrefix)) return undefined;
    return roomMessage(room, nick, body, time, archiveId, ours);
  }

  private invitation(stanza: Element): RoomInvitation | undefined {
    const direct = stanza.getChild('x', NS_CONFERENCE); // XEP-0249
    if (direct?.attrs.jid && stanza.attrs.from) return { room: normalizeJid(direct.attrs.jid), by: normalizeJid(stanza.attrs.from) };
    if (!stanza.attrs.from) return undefined;
    const mediated = stanza.getChild('x', NS_MUC_USER)?.getChild('invite'); // XEP-0045 §7.8.2
    if (mediated && stanza.attrs.from) return { room: normalizeJid(stanza.attrs.from), by: mediated.attrs.from ? normalizeJid(mediated.attrs.from) : '' };
    return undefined;
  }

  /** The connection is gone: every room is left, every waiter told. */
  clear(): void {
    const offline = new OfflineError('the connection was lost');
    for (const w of this.reflections.values()) w.reject(offline);
    this.reflections.clear();
    for (const [jid, r] of this.rooms) {
      if (r.join) {
        clearTimeout(r.join.timer);
        r.join.reject(offline);
      }
      if (r.joined) this.changed({ room: { kind: 'room', target: jid }, joined: false, reason: 'disconnected' });
    }
    this.rooms.clear();
  }
}

/** A groupchat message in Confab's model; `/me` (XEP-0245) as an action. */
function roomMessage(room: string, nick: string, body: string, time: Date | undefined, protocolId: string | undefined, outgoing: boolean): IncomingMessage {
  const action = body.startsWith('/me ');
  return {
    channel: { kind: 'room', target: room },
    sender: { id: nick, name: nick },
    body: action ? body.slice(4) : body,
    kind: action ? 'action' : 'normal',
    serverTime: time && !Number.isNaN(time.getTime()) ? time : undefined,
    protocolId,
    outgoing,
  };
}

