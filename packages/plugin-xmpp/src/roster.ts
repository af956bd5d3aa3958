/**
 * The roster (RFC 6121 §2) and contacts' presence (RFC 6121 §4) as Confab's contacts: roster items
 * parsed from `jabber:iq:roster` queries and pushes, and each contact's presence aggregated over its
 * resources — the most available one wins (RFC 6121 §4.7.2.1 show values).
 */
import type { Element } from '@xmpp/client';
import type { ContactPresence, PresenceStatus, RosterItem } from '@confab/sdk';
import { normalizeJid } from './jid';

export const NS_ROSTER = 'jabber:iq:roster';

/** Roster items of a query (result or push); `remove` items are returned apart. */
export function parseRoster(query: Element): { items: RosterItem[]; removed: string[] } {
  const items: RosterItem[] = [];
  const removed: string[] = [];
  for (const item of query.getChildren('item')) {
    let id: string;
    try {
      id = normalizeJid(item.attrs.jid ?? '');
    } catch {
      continue; // a malformed JID from the server: skipped, never fatal
    }
    const subscription = item.attrs.subscription ?? 'none';
    if (subscription === 'remove') {
      removed.push(id);
      continue;
    }
    items.push({
      id,
      alias: (item.attrs.name ?? '').slice(0, 256),
      groups: item.getChildren('group').map((g) => g.text()).slice(0, 50),
      subscription: item.attrs.ask === 'subscribe' ? `${subscription}+ask` : subscription,
    });
  }
  return { items, removed };
}

const RANK: Record<PresenceStatus, number> = { available: 5, away: 3, busy: 4, invisible: 1, offline: 0 };

/** Each contact's resources and what they say; reports the aggregate when it changes. */
export class PresenceBook {
  private readonly resources = new Map<string, Map<string, ContactPresence>>(); // bare → resource → presence
  private readonly last = new Map<string, ContactPresence>();

  /** A <presence/> (available, or type unavailable); returns the contact's new aggregate if it changed. */
  update(stanza: Element): ContactPresence | undefined {
    const full = stanza.attrs.from ?? '';
    const id = normalizeJid(full);
    const slash = full.indexOf('/');
    const resource = slash >= 0 ? full.slice(slash + 1) : '';
    let map = this.resources.get(id);
    if (!map) this.resources.set(id, (map = new Map()));
    if (stanza.attrs.type === 'unavailable') map.delete(resource);
    else {
      if (map.size >= 100 && !map.has(resource)) return undefined; // a contact with 100 resources is a flood
      map.set(resource, { id, status: statusOf(stanza.getChildText('show')), message: (stanza.getChildText('status') ?? '').slice(0, 1000) });
    }
    let best: ContactPresence = { id, status: 'offline', message: '' };
    for (const p of map.values()) if (RANK[p.status as PresenceStatus] > RANK[best.status as PresenceStatus]) best = p;
    if (map.size === 0) this.resources.delete(id);
    const before = this.last.get(id);
    if (before && before.status === best.status && before.message === best.message) return undefined;
    this.last.set(id, best);
    return best;
  }

  resourcesOf(id: string): string[] {
    return [...(this.resources.get(id)?.keys() ?? [])];
  }

  clear(): void {
    this.resources.clear();
    this.last.clear();
  }
}

/** RFC 6121 §4.7.2.1: away and xa are away, dnd is busy; chat or nothing is available. */
function statusOf(show: string | null): PresenceStatus {
  if (show === 'away' || show === 'xa') return 'away';
  if (show === 'dnd') return 'busy';
  return 'available';
}
