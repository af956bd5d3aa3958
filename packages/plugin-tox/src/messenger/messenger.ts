/**
 * The messenger (Tox spec § "Messenger"; c-toxcore's Messenger.c, 0.2.18) on top of
 * friend_connection: online (24) and offline (25), name (48), status message (49), user status
 * (50), typing (51), message (64) and action (65).
 *
 * A friend is online for the messenger once the friend connection is up *and* the friend's online
 * packet arrived; until then every other packet is dropped, as c-toxcore drops them. Going online
 * we send our online packet, then (at the next tick, repeated until it goes) our name, status
 * message, user status and typing state. A message's id is the net_crypto packet number it went
 * out as; the friend's acknowledgement of that number is the read receipt (c-toxcore's receipts).
 * Receipts of messages still unacknowledged when the friend goes offline are lost, as in c-toxcore:
 * the outbox above us resends them.
 * @since 0.1.0
 */
import { Emitter, type Disposable, type Event } from '@confab/sdk';
import { toHex } from '../crypto/keys';
import { contained, systemScheduler, type Scheduler } from '../dht/clock';
import { MAX_CRYPTO_DATA_SIZE } from '../net-crypto/constants';
import { MAX_NAME_LENGTH, MAX_STATUS_MESSAGE_LENGTH } from '../savedata/friends'; // Messenger.h bounds
import type { UserStatus } from '../savedata/user-status';
import { decodeBounded } from '../wire/text';
import type { FriendConnection, FriendConnections, FriendStatusEvent } from '../friend-connection/friend-connections';

/** Packet ids (net_crypto.h PACKET_ID_*). @since 0.1.0 */
export const MessengerPacketId = {
  ONLINE: 24, OFFLINE: 25, NICKNAME: 48, STATUSMESSAGE: 49, USERSTATUS: 50, TYPING: 51, MESSAGE: 64, ACTION: 65,
} as const;
/** A message is at most 1372 bytes (MAX_CRYPTO_DATA_SIZE − 1). */
export const MAX_MESSAGE_LENGTH = MAX_CRYPTO_DATA_SIZE - 1;

/** USERSTATUS values in packet 50 (Messenger.h USERSTATUS_NONE, _AWAY, _BUSY); 'available' is NONE. */
const USER_STATUS: readonly UserStatus[] = ['available', 'away', 'busy'];
/** @since 0.1.0 */
export type MessageKind = 'normal' | 'action';

/** Events of one friend; one shape per kind, each with the friend. @since 0.1.0 */
export type MessengerEvent =
  | { readonly kind: 'status'; readonly friend: MessengerFriend; readonly online: boolean; readonly reason?: string }
  | { readonly kind: 'message'; readonly friend: MessengerFriend; readonly type: MessageKind; readonly text: string; readonly bytes: Uint8Array }
  | { readonly kind: 'name'; readonly friend: MessengerFriend; readonly name: string }
  | { readonly kind: 'status-message'; readonly friend: MessengerFriend; readonly statusMessage: string }
  | { readonly kind: 'user-status'; readonly friend: MessengerFriend; readonly userStatus: UserStatus }
  | { readonly kind: 'typing'; readonly friend: MessengerFriend; readonly typing: boolean }
  | { readonly kind: 'read-receipt'; readonly friend: MessengerFriend; readonly messageId: number };

const utf8 = new TextEncoder();
const text = new TextDecoder('utf-8', { fatal: false });

/** A friend as the messenger sees it. @since 0.1.0 */
export class MessengerFriend {
  private onlineV = false;
  name = '';
  statusMessage = '';
  userStatus: UserStatus = 'available';
  typing = false;
  /** Our typing state towards this friend. */
  private ourTyping = false;
  private pending = { name: true, statusMessage: true, userStatus: true, typing: true };
  private readonly subs: Disposable[];
  private readonly awaiting = new Set<number>();

  constructor(private readonly messenger: Messenger, readonly connection: FriendConnection) {
    this.subs = [
      connection.onStatus((e) => this.onConnection(e)),
      connection.onData((d) => this.onPacket(d)),
      connection.onAcknowledged((n) => {
        if (this.awaiting.delete(n)) this.messenger.emit({ kind: 'read-receipt', friend: this, messageId: n });
      }),
    ];
    if (connection.online) this.sendOnline();
  }

  get realPk(): Uint8Array {
    return this.connection.realPk;
  }

  /** Online for the messenger: connected, and the friend's online packet arrived. */
  get online(): boolean {
    return this.onlineV;
  }

  /**
   * Sends a message or action; its id (the packet number), whose read receipt will follow, or
   * `undefined` when the friend is offline or the text does not fit (1–1372 bytes of UTF-8).
   */
  sendMessage(message: string, type: MessageKind = 'normal'): number | undefined {
    const b = utf8.encode(message);
    if (b.length === 0 || b.length > MAX_MESSAGE_LENGTH || !this.onlineV) return undefined;
    const id = this.send(type === 'action' ? MessengerPacketId.ACTION : MessengerPacketId.MESSAGE, b);
    if (id !== undefined) this.awaiting.add(id);
    return id;
  }

  /** Our typing state towards this friend (spec § "Messenger": packet 51). */
  setTyping(typing: boolean): void {
    if (this.ourTyping === typing) return;
    this.ourTyping = typing;
    this.pending.typing = true;
    this.flush();
  }

  /** @internal a self field changed: send it again. */
  markChanged(field: 'name' | 'statusMessage' | 'userStatus'): void {
    this.pending[field] = true;
    this.flush();
  }

  /** @internal resend what did not go (c-toxcore's do_friends). */
  flush(): void {
    if (!this.onlineV) return;
    const m = this.messenger;
    if (this.pending.name && this.send(MessengerPacketId.NICKNAME, utf8.encode(m.name)) !== undefined) this.pending.name = false;
    if (this.pending.statusMessage && this.send(MessengerPacketId.STATUSMESSAGE, utf8.encode(m.statusMessage)) !== undefined) this.pending.statusMessage = false;
    if (this.pending.userStatus && this.send(MessengerPacketId.USERSTATUS, Uint8Array.of(USER_STATUS.indexOf(m.userStatus))) !== undefined) this.pending.userStatus = false;
    if (this.pending.typing && this.send(MessengerPacketId.TYPING, Uint8Array.of(this.ourTyping ? 1 : 0)) !== undefined) this.pending.typing = false;
  }

  /** @internal */
  dispose(): void {
    for (const s of this.subs.splice(0)) s.dispose();
  }

  private send(id: number, payload: Uint8Array): number | undefined {
    const p = new Uint8Array(1 + payload.length);
    p[0] = id;
    p.set(payload, 1);
    return this.connection.send(p);
  }

  private sendOnline(): void {
    this.connection.send(Uint8Array.of(MessengerPacketId.ONLINE));
  }

  private onConnection(e: FriendStatusEvent): void {
    if (e.online) {
      this.sendOnline();
      return;
    }
    this.wentOffline(e.reason);
  }

  /** Offline, by connection or by the friend's offline packet: as c-toxcore's check_friend_connectionstatus, receipts are dropped. */
  private wentOffline(reason: string): void {
    this.awaiting.clear();
    if (!this.onlineV) return;
    this.onlineV = false;
    this.typing = false; // a friend who is not online is not typing (the fuzz saw it stay true)
    this.messenger.emit({ kind: 'status', friend: this, online: false, reason });
  }

  /** c-toxcore's m_handle_packet; lengths checked before anything is read. */
  private onPacket(d: Uint8Array): void {
    const c = this.messenger.counters;
    c.received++;
    const outcome = this.handle(d);
    c[outcome]++;
  }

  /** One packet (spec § "Messenger"), judged as c-toxcore judges it; the verdict is counted. */
  private handle(d: Uint8Array): 'handled' | 'beforeOnline' | 'malformed' | 'unknown' {
    const id = d[0];
    const data = d.subarray(1);
    if (!this.onlineV) {
      if (id !== MessengerPacketId.ONLINE || d.length !== 1) return 'beforeOnline';
      this.onlineV = true;
      this.pending = { name: true, statusMessage: true, userStatus: true, typing: true };
      this.sendOnline();
      this.messenger.emit({ kind: 'status', friend: this, online: true });
      this.flush();
      return 'handled';
    }
    switch (id) {
      case MessengerPacketId.ONLINE: // again while online: nothing to do, as in c-toxcore
        return data.length === 0 ? 'handled' : 'malformed';
      case MessengerPacketId.OFFLINE:
        if (data.length > 0) return 'malformed';
        this.wentOffline('offline-packet');
        return 'handled';
      case MessengerPacketId.NICKNAME:
        if (data.length > MAX_NAME_LENGTH) return 'malformed';
        this.name = decodeBounded(data, MAX_NAME_LENGTH); // invalid UTF-8 must not outgrow the savedata field
        this.messenger.emit({ kind: 'name', friend: this, name: this.name });
        return 'handled';
      case MessengerPacketId.STATUSMESSAGE:
        if (data.length > MAX_STATUS_MESSAGE_LENGTH) return 'malformed';
        this.statusMessage = decodeBounded(data, MAX_STATUS_MESSAGE_LENGTH);
        this.messenger.emit({ kind: 'status-message', friend: this, statusMessage: this.statusMessage });
        return 'handled';
      case MessengerPacketId.USERSTATUS: {
        if (data.length !== 1 || data[0] >= USER_STATUS.length) return 'malformed';
        this.userStatus = USER_STATUS[data[0]];
        this.messenger.emit({ kind: 'user-status', friend: this, userStatus: this.userStatus });
        return 'handled';
      }
      case MessengerPacketId.TYPING:
        if (data.length !== 1) return 'malformed';
        this.typing = data[0] !== 0;
        this.messenger.emit({ kind: 'typing', friend: this, typing: this.typing });
        return 'handled';
      case MessengerPacketId.MESSAGE:
      case MessengerPacketId.ACTION:
        if (data.length === 0) return 'malformed';
        this.messenger.emit({
          kind: 'message', friend: this, type: id === MessengerPacketId.ACTION ? 'action' : 'normal', text: text.decode(data), bytes: data.slice(),
        });
        return 'handled';
      default:
        return 'unknown';
    }
  }
}

/** @since 0.1.0 */
export interface MessengerOptions {
  readonly friendConnections: FriendConnections;
  readonly scheduler?: Scheduler;
  /** How often unsent fields are retried (default 1000 ms). */
  readonly tickMs?: number;
}

/** The messenger of one Tox instance; see the header of this file. @since 0.1.0 */
export class Messenger implements Disposable {
  private nameV = '';
  private statusMessageV = '';
  private userStatusV: UserStatus = 'available';
  private readonly friends = new Map<string, MessengerFriend>();
  private readonly events = new Emitter<MessengerEvent>();
  private readonly timer: Disposable;
  /** Every messenger event, of every friend. */
  readonly onEvent: Event<MessengerEvent> = this.events.event;
  /**
   * Every packet a friend connection hands up is `received` and then counted once: `handled`,
   * `beforeOnline` (dropped: the friend's online packet has not arrived), `malformed` (a known id
   * with a length or value c-toxcore refuses) or `unknown` (an id we do not handle).
   */
  readonly counters = { received: 0, handled: 0, beforeOnline: 0, malformed: 0, unknown: 0 };

  constructor(private readonly opts: MessengerOptions) {
    // issue 6: a throwing flush is reported by the contained scheduler, never fatal
    this.timer = contained(opts.scheduler ?? systemScheduler).every(opts.tickMs ?? 1000, () => {
      for (const f of this.friends.values()) f.flush();
    }, 'messenger');
  }

  get name(): string { return this.nameV; }
  get statusMessage(): string { return this.statusMessageV; }
  get userStatus(): UserStatus { return this.userStatusV; }

  /** Our name, at most 128 bytes of UTF-8; sent to every online friend. */
  setName(name: string): void {
    if (utf8.encode(name).length > MAX_NAME_LENGTH) throw new RangeError(`a name is at most ${MAX_NAME_LENGTH} bytes`);
    this.nameV = name;
    for (const f of this.friends.values()) f.markChanged('name');
  }

  setStatusMessage(message: string): void {
    if (utf8.encode(message).length > MAX_STATUS_MESSAGE_LENGTH) throw new RangeError(`a status message is at most ${MAX_STATUS_MESSAGE_LENGTH} bytes`);
    this.statusMessageV = message;
    for (const f of this.friends.values()) f.markChanged('statusMessage');
  }

  setUserStatus(status: UserStatus): void {
    this.userStatusV = status;
    for (const f of this.friends.values()) f.markChanged('userStatus');
  }

  /** A friend (its friend connection is made if new). */
  addFriend(realPk: Uint8Array): MessengerFriend {
    const id = toHex(realPk);
    let f = this.friends.get(id);
    if (f === undefined) {
      f = new MessengerFriend(this, this.opts.friendConnections.add(realPk));
      this.friends.set(id, f);
    }
    return f;
  }

  friend(realPk: Uint8Array): MessengerFriend | undefined {
    return this.friends.get(toHex(realPk));
  }

  removeFriend(realPk: Uint8Array): void {
    const f = this.friends.get(toHex(realPk));
    if (f === undefined) return;
    f.dispose();
    f.connection.remove();
    this.friends.delete(toHex(realPk));
  }

  /** @internal */
  emit(e: MessengerEvent): void {
    this.events.fire(e);
  }

  dispose(): void {
    this.timer.dispose();
    for (const f of this.friends.values()) f.dispose();
    this.friends.clear();
    this.events.dispose();
  }
}
