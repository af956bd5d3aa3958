/**
 * Stanzas for the handler tests. @xmpp/client is ESM only and jest cannot load it; its `xml` is
 * ltx's createElement and its elements are ltx's, whose CommonJS build jest does load. A test maps
 * the library with `jest.mock('@xmpp/client', () => ({ xml: require('ltx').createElement }))`
 * (jest hoists the call above the imports, so the factory cannot use this module's bindings).
 */
import type { ContactPresence, DeliveryReport, IncomingMessage, ChatStateChange, ConfabError, SubscriptionRequest } from '@confab/sdk';
import type { Element } from '@xmpp/client';
import type { Bookmark } from '../src/bookmarks';
import type { XmppContext } from '../src/handlers';
import type { ArchivePage } from '../src/handlers/mam';

const ltx = require('ltx') as { parse(text: string): Element };

/** One stanza, parsed from its XML as the library would give it. */
export function stanza(text: string): Element {
  return ltx.parse(text);
}

export const ME = 'me@example.org';

/** Everything the handlers told the connection, in order. */
export interface Recorded {
  live: Array<{ m: IncomingMessage; room?: string }>;
  emitted: IncomingMessage[];
  delivered: DeliveryReport[][];
  chatStates: ChatStateChange[];
  sent: string[];
  bounced: Array<{ id: string; error: ConfabError }>;
  presence: ContactPresence[][];
  requests: SubscriptionRequest[];
  joined: Bookmark[];
  left: string[];
  avatarMetadata: Array<{ jid: string; metadata?: string }>;
  avatarPresence: string[];
  /** Every call, by name, in order: to check what came before what. */
  calls: string[];
}

/** A context that records what the handlers do; `rooms` are the rooms we are in, `pages` the archive queries open. */
export function recordingContext(opts: { rooms?: string[]; pages?: Record<string, ArchivePage>; muc?: Partial<XmppContext['muc']> } = {}): { ctx: XmppContext; rec: Recorded } {
  const rec: Recorded = { live: [], emitted: [], delivered: [], chatStates: [], sent: [], bounced: [], presence: [], requests: [], joined: [], left: [], avatarMetadata: [], avatarPresence: [], calls: [] };
  const call = <T>(name: string, f: () => T): T => (rec.calls.push(name), f());
  const rooms = new Set(opts.rooms ?? []);
  const presence = new Map<string, ContactPresence>();
  let ids = 0;
  const ctx: XmppContext = {
    jid: ME,
    muc: { onPresence: () => false, onMessage: () => undefined, ...opts.muc },
    avatars: {
      metadata: async (jid, metadata) => call('avatarMetadata', () => void rec.avatarMetadata.push({ jid, metadata: metadata?.toString() })),
      presence: async (jid) => call('avatarPresence', () => void rec.avatarPresence.push(jid)),
    },
    book: {
      update: (s) => {
        const id = (s.attrs.from ?? '').split('/')[0]!;
        const p: ContactPresence = { id, status: s.attrs.type === 'unavailable' ? 'offline' : 'available', message: '' };
        if (presence.get(id)?.status === p.status) return undefined;
        presence.set(id, p);
        return p;
      },
    },
    nicks: new Map(),
    archive: { page: (id) => opts.pages?.[id] },
    rooms: {
      isRoom: (room) => rooms.has(room),
      join: (b) => call('join', () => void rec.joined.push(b)),
      leave: (room) => call('leave', () => void rec.left.push(room)),
    },
    live: (m, room?: string) => call('live', () => void rec.live.push({ m, ...(room ? { room } : {}) })),
    emit: (messages) => call('emit', () => void rec.emitted.push(...messages)),
    bounced: (id, error) => call('bounced', () => void rec.bounced.push({ id, error })),
    displayName: (jid) => (jid === 'alice@example.org' ? 'Alice' : jid),
    presenceChanged: (changes) => call('presence', () => void rec.presence.push([...changes])),
    subscriptionRequested: (r) => call('request', () => void rec.requests.push(r)),
    delivered: (reports) => call('delivered', () => void rec.delivered.push([...reports])),
    chatState: (change) => call('chatState', () => void rec.chatStates.push(change)),
    send: (el) => call('send', () => void rec.sent.push(el.toString())),
    nextId: () => ++ids,
  };
  return { ctx, rec };
}
