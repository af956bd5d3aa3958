/**
 * Listing the public rooms of a MUC service (XEP-0045 §6.3: "Discovering Rooms" is disco#items,
 * XEP-0030 §4, on the service). Which service: the one the caller names, else the first item of the
 * server's own disco#items whose disco#info has an identity `conference`/`text` (XEP-0045 §6.1), at
 * most MAX_SERVICE_PROBES asked.
 *
 * A big service's answer is paged with Result Set Management (XEP-0059 §2.1: `<set><max/>`, then
 * `<after>` the page's `<last/>`) where the service pages (its answer carries a `<set>`); a service that
 * does not gives everything in one answer, of which at most `maxRooms` are passed on. Each page is
 * handed over as it comes. Member counts and topics are in each room's disco#info (XEP-0045 §6.4,
 * `muc#roominfo_occupants`, `muc#roominfo_subject`): one IQ per room, so asked only for the first
 * INFO_ROOMS rooms of a listing, INFO_PARALLEL at a time — cheap for a small service, bounded for a big one.
 */
import { xml, type Element } from '@xmpp/client';
import { ConfabError, type ListedRoom, type RoomListEnd, type RoomListOptions } from '@confab/sdk';
import { NS_DISCO_INFO } from './caps';
import { normalizeJid } from './jid';

export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
const NS_RSM = 'http://jabber.org/protocol/rsm';
const NS_DATA = 'jabber:x:data';
const PAGE = 100;
const MAX_SERVICE_PROBES = 20;
const INFO_ROOMS = 100;
const INFO_PARALLEL = 5;

/** Sends an IQ get and resolves its result (rejecting with a StanzaError or a timeout, as @xmpp/iq does). */
export type IqGet = (to: string, query: Element) => Promise<Element>;

export async function listMucRooms(get: IqGet, domain: string, options: RoomListOptions, onRooms: (batch: readonly ListedRoom[]) => void, signal: AbortSignal): Promise<RoomListEnd> {
  const checked = <T>(p: Promise<T>): Promise<T> => p.then((v) => {
    if (signal.aborted) throw new ConfabError('Cancelled', 'the room listing was stopped');
    return v;
  });
  const server = options.server ? normalizeJid(options.server) : await checked(findMucService(get, domain));
  const filter = options.filter?.trim().toLowerCase() || undefined;
  let given = 0;
  let skipped = 0;
  let after: string | undefined;
  for (let page = 0; page <= Math.ceil(options.maxRooms / PAGE) && given < options.maxRooms; page++) {
    const set = xml('set', { xmlns: NS_RSM }, xml('max', {}, String(PAGE)), ...(after ? [xml('after', {}, after)] : []));
    const answer = await checked(get(server, xml('query', { xmlns: NS_DISCO_ITEMS }, set)).catch((e: unknown) => {
      throw toListError(e, server);
    }));
    const query = answer.getChild('query', NS_DISCO_ITEMS);
    const rooms: ListedRoom[] = [];
    for (const item of query?.getChildren('item') ?? []) {
      const room = listedRoom(item);
      if (!room) skipped++;
      else if (given + rooms.length < options.maxRooms && (!filter || room.name.toLowerCase().includes(filter) || room.id.includes(filter))) rooms.push(room);
    }
    const described = given < INFO_ROOMS ? await checked(describe(get, rooms.slice(0, INFO_ROOMS - given))) : [];
    const batch = rooms.map((r, i) => described[i] ?? r);
    given += batch.length;
    if (batch.length > 0) onRooms(batch);
    const rsm = query?.getChild('set', NS_RSM);
    after = rsm?.getChildText('last') ?? undefined;
    if (!rsm || !after || (query?.getChildren('item').length ?? 0) === 0) break; // XEP-0059 §2.5: no <set>, or no <last>: that was all
  }
  return { server, skipped };
}

/** An item of a MUC service's disco#items: a room's bare JID (room@service), its name; undefined when it names none. */
export function listedRoom(item: Element): ListedRoom | undefined {
  const raw = item.attrs.jid;
  if (typeof raw !== 'string' || !raw.includes('@') || raw.includes('/')) return undefined;
  let id: string;
  try {
    id = normalizeJid(raw);
  } catch {
    return undefined;
  }
  const name = typeof item.attrs.name === 'string' && item.attrs.name.trim() ? item.attrs.name.trim() : id.slice(0, id.indexOf('@'));
  return { id, name, topic: '' };
}

/** The room's disco#info (XEP-0045 §6.4): its name, subject and occupants from the muc#roominfo form, where it says. */
export function describedRoom(room: ListedRoom, info: Element): ListedRoom {
  const query = info.getChild('query', NS_DISCO_INFO);
  const identity = query?.getChildren('identity').find((i) => i.attrs.category === 'conference');
  const form = query?.getChildren('x', NS_DATA).find((x) => x.getChildren('field').some((f) => f.attrs.var === 'FORM_TYPE' && f.getChildText('value') === 'http://jabber.org/protocol/muc#roominfo'));
  const field = (name: string) => form?.getChildren('field').find((f) => f.attrs.var === name)?.getChildText('value') ?? undefined;
  const occupants = Number(field('muc#roominfo_occupants'));
  return {
    ...room,
    name: typeof identity?.attrs.name === 'string' && identity.attrs.name.trim() ? identity.attrs.name.trim() : room.name,
    topic: field('muc#roominfo_subject') ?? room.topic,
    ...(Number.isSafeInteger(occupants) && occupants >= 0 ? { members: occupants } : {}),
  };
}

async function describe(get: IqGet, rooms: readonly ListedRoom[]): Promise<ListedRoom[]> {
  const out: ListedRoom[] = [];
  for (let i = 0; i < rooms.length; i += INFO_PARALLEL) {
    const part = rooms.slice(i, i + INFO_PARALLEL);
    // A room that does not answer is listed as the service named it: its info is a nicety.
    out.push(...(await Promise.all(part.map((r) => get(r.id, xml('query', { xmlns: NS_DISCO_INFO })).then((info) => describedRoom(r, info), () => r)))));
  }
  return out;
}

/** The server's first MUC service (XEP-0045 §6.1): NotCapable when it has none. */
async function findMucService(get: IqGet, domain: string): Promise<string> {
  const items = await get(domain, xml('query', { xmlns: NS_DISCO_ITEMS })).catch((e: unknown) => {
    throw toListError(e, domain);
  });
  const jids = (items.getChild('query', NS_DISCO_ITEMS)?.getChildren('item') ?? []).map((i) => i.attrs.jid).filter((j): j is string => typeof j === 'string' && j !== '');
  for (const jid of jids.slice(0, MAX_SERVICE_PROBES)) {
    const info = await get(jid, xml('query', { xmlns: NS_DISCO_INFO })).catch(() => undefined);
    const identities = info?.getChild('query', NS_DISCO_INFO)?.getChildren('identity') ?? [];
    if (identities.some((i) => i.attrs.category === 'conference' && i.attrs.type === 'text')) return jid;
  }
  throw new ConfabError('NotCapable', `${domain} names no multi-user chat service`);
}

function toListError(e: unknown, jid: string): ConfabError {
  if (e instanceof ConfabError) return e;
  const condition = (e as { condition?: unknown }).condition;
  if (typeof condition === 'string') {
    // RFC 6120 §8.3.3: what the service answered
    const code = condition === 'item-not-found' || condition === 'remote-server-not-found' ? 'NotFound'
      : condition === 'forbidden' || condition === 'not-authorized' ? 'PermissionDenied' : 'NotAvailable';
    return new ConfabError(code, `${jid} refused to list its rooms: ${condition}`);
  }
  return new ConfabError('NetworkError', `${jid} did not answer: ${e instanceof Error ? e.message : String(e)}`);
}
