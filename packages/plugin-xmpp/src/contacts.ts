/**
 * The account's contacts as Confab's ContactsFacet: the roster (RFC 6121 §2) mirrored as the server
 * says it, items added and removed there, subscription requests answered (§3), contacts' presence
 * (§4) aggregated by PresenceBook, and what they publish about themselves — nickname (XEP-0172)
 * and avatar (XEP-0084, XEP-0153) — for GetContactInfo. Inbound stanzas reach it through the
 * handler table (handlers/presence.ts, handlers/roster.ts, handlers/nick.ts).
 */
import { xml, type Element } from '@xmpp/client';
import {
  ConfabError, Emitter, type ContactInfo, type ContactPresence, type ContactsFacet, type DisposableStore, type Event, type RosterItem,
  type RosterUpdate, type SubscriptionRequest,
} from '@confab/sdk';
import type { Avatars } from './avatars';
import { askNick, nickOf } from './handlers/nick';
import { normalizeJid } from './jid';
import { NS_ROSTER, parseRoster, PresenceBook } from './roster';
import { iqError } from './stanza-errors';

const CONFIRM_TIMEOUT_MS = 60_000;
const INFO_TIMEOUT_MS = 5_000;

/** What the contacts need of the session. */
export interface ContactsIo {
  /** The session when connected; throws OfflineError otherwise. */
  live(): { send(el: Element): Promise<void>; request(iq: Element, timeoutMs: number): Promise<Element> };
  /** The session if there is one, connected or not yet. */
  session(): { request(iq: Element, timeoutMs: number): Promise<Element> } | undefined;
}

export class XmppContacts implements ContactsFacet {
  readonly book = new PresenceBook();
  /** Contact → the nickname they published (XEP-0172). */
  readonly nicks = new Map<string, string>();
  private readonly items = new Map<string, RosterItem>();
  private readonly presenceEmitter: Emitter<readonly ContactPresence[]>;
  private readonly rosterEmitter: Emitter<RosterUpdate>;
  private readonly requestEmitter: Emitter<SubscriptionRequest>;
  readonly onPresence: Event<readonly ContactPresence[]>;
  readonly onRoster: Event<RosterUpdate>;
  readonly onSubscriptionRequest: Event<SubscriptionRequest>;

  constructor(private readonly io: ContactsIo, private readonly avatars: Avatars, bag: DisposableStore) {
    this.presenceEmitter = bag.add(new Emitter<readonly ContactPresence[]>());
    this.rosterEmitter = bag.add(new Emitter<RosterUpdate>());
    this.requestEmitter = bag.add(new Emitter<SubscriptionRequest>());
    this.onPresence = this.presenceEmitter.event;
    this.onRoster = this.rosterEmitter.event;
    this.onSubscriptionRequest = this.requestEmitter.event;
  }

  readonly watch = (): void => undefined; // presence comes with roster subscriptions (RFC 6121 §3)

  readonly add = async (id: string, alias: string): Promise<void> => {
    const session = this.io.live();
    const known = this.items.get(id);
    // RFC 6121 §2.3 add the item (an update replaces it whole, §2.1.2: a known item keeps its name and groups), §3.1.1 ask to see their presence.
    try {
      await session.request(rosterSet(id, alias || known?.alias || '', known?.groups ?? []), CONFIRM_TIMEOUT_MS);
      await session.send(xml('presence', { to: id, type: 'subscribe' }));
    } catch (e) {
      throw iqError(e, `adding ${id} to the roster`); // a refusal, a timeout or a dropped stream: typed, never "internal"
    }
  };

  readonly remove = async (id: string): Promise<void> => {
    const session = this.io.live();
    // RFC 6121 §2.5: subscription "remove" also cancels both subscriptions.
    try {
      await session.request(xml('iq', { type: 'set' }, xml('query', { xmlns: NS_ROSTER }, xml('item', { jid: id, subscription: 'remove' }))), CONFIRM_TIMEOUT_MS);
    } catch (e) {
      throw iqError(e, `removing ${id} from the roster`);
    }
  };

  readonly setGroups = async (id: string, groups: readonly string[]): Promise<void> => {
    const session = this.io.live();
    const item = this.items.get(id);
    if (!item) throw new ConfabError('NotFound', `${id} is not in the roster`);
    // RFC 6121 §2.1.2.4: the item's groups are what the update lists; its name is sent again or it would go (§2.1.2).
    try {
      await session.request(rosterSet(id, item.alias, groups), CONFIRM_TIMEOUT_MS);
    } catch (e) {
      throw iqError(e, `setting the groups of ${id}`);
    }
  };

  readonly unsubscribe = async (id: string): Promise<void> => {
    // RFC 6121 §3.3.1: cancel our subscription to their presence; the item stays.
    await this.io.live().send(xml('presence', { to: id, type: 'unsubscribe' }));
  };

  readonly answerSubscription = async (id: string, allow: boolean): Promise<void> => {
    const session = this.io.live();
    // RFC 6121 §3.1.4 approve (and, like every current client, ask back) or §3.1.5 deny.
    if (!allow) return session.send(xml('presence', { to: id, type: 'unsubscribed' }));
    await session.send(xml('presence', { to: id, type: 'subscribed' }));
    const item = this.items.get(id);
    if (!item || !seesTheirPresence(item)) await session.send(xml('presence', { to: id, type: 'subscribe' }));
  };

  readonly info = async (id: string): Promise<ContactInfo> => {
    const item = this.items.get(normalizeJid(id));
    if (!item) throw new ConfabError('NotFound', `${id} is not in the roster`);
    const resources = this.book.resourcesOf(item.id);
    await this.learn(item);
    const avatar = this.avatars.fileOf(item.id);
    const nickname = this.nicks.get(item.id);
    return {
      jid: item.id,
      ...(avatar ? { avatar } : {}),
      ...(item.alias ? { name: item.alias } : {}),
      ...(nickname ? { nickname } : {}),
      subscription: item.subscription,
      ...(item.groups.length ? { groups: item.groups.join(', ') } : {}),
      ...(resources.length ? { resources: resources.join(', ') } : {}),
    };
  };

  /** The roster at login (`full`) or a push's changes. */
  applyRoster(query: Element, full: boolean): void {
    const { items, removed } = parseRoster(query);
    if (full) this.items.clear();
    for (const i of items) this.items.set(i.id, i);
    for (const id of removed) this.items.delete(id);
    this.rosterEmitter.fire({ full, items, removed });
  }

  /** The name to show for a contact: the user's alias (roster), else their own nickname (XEP-0172), else the JID. */
  displayName(jid: string): string {
    return this.items.get(jid)?.alias || this.nicks.get(jid) || jid;
  }

  presenceChanged(changes: readonly ContactPresence[]): void {
    this.presenceEmitter.fire(changes);
  }

  subscriptionRequested(r: SubscriptionRequest): void {
    this.requestEmitter.fire(r);
  }

  /** Asks what no notification told us yet: their nickname (XEP-0172 §4.5) and avatar (XEP-0084 §4.3). */
  private async learn(item: RosterItem): Promise<void> {
    const session = this.io.session();
    if (!this.nicks.has(item.id) && session && seesTheirPresence(item)) {
      try {
        const nick = nickOf(await session.request(askNick(item.id), INFO_TIMEOUT_MS));
        if (nick) this.nicks.set(item.id, nick);
      } catch {
        // no nickname published, or not visible to us: the contact information goes without one
      }
    }
    if (!this.avatars.fileOf(item.id) && this.io.session() && seesTheirPresence(item)) await this.avatars.ask(item.id).catch(() => undefined);
  }
}

/** A roster set of one item (RFC 6121 §2.3.2): its name when it has one, and each group (§2.1.2.4; empty names are not allowed). */
function rosterSet(id: string, name: string, groups: readonly string[]): Element {
  const children = [...new Set(groups.filter((g) => g !== ''))].map((g) => xml('group', {}, g));
  return xml('iq', { type: 'set' }, xml('query', { xmlns: NS_ROSTER }, xml('item', { jid: id, ...(name ? { name } : {}) }, ...children)));
}

/** RFC 6121 §2.1.2.5: subscription `to` or `both` — we may see their presence and PEP data. */
function seesTheirPresence(item: RosterItem): boolean {
  return /^(to|both)/.test(item.subscription);
}
