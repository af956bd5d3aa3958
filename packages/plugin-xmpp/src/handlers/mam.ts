/**
 * The archive (XEP-0313, paged with XEP-0059 RSM): after every login, everything archived after the
 * newest archive id stored — our own archive's, or a room's — oldest first, at most MAM_MAX_PAGES
 * pages; the first time, the newest page only. Results arrive as messages before the IQ that ends
 * the query and are collected by its `queryid`, believed only from the archive asked.
 *
 * The archive mark (the newest archive id stored, kept in AccountState) is what the next catch-up
 * starts after. Live messages advance it only once the catch-up is done, so that a gap is never
 * skipped; what comes twice (live, then archived) the daemon drops by stanza-id (= archive id).
 */
import { xml, type Element } from '@xmpp/client';
import type { AccountState, IncomingMessage, Logger } from '@confab/sdk';
import { normalizeJid } from '../jid';
import { NS_FORWARD } from './carbons';
import { HANDLED, type HandlerTable } from './handler';

export const NS_MAM = 'urn:xmpp:mam:2';
const NS_RSM = 'http://jabber.org/protocol/rsm';
const NS_DELAY = 'urn:xmpp:delay';
const MAM_PAGE = 100;
/** Bounded catch-up: 50 pages of 100 messages, then the rest waits for the next login. */
const MAM_MAX_PAGES = 50;
/** AccountState key of the archive id of the newest message stored: our own archive's, or a room's. */
const archiveMark = (room?: string) => (room ? `mam-last:${room}` : 'mam-last');

interface Archived {
  readonly forwarded: Element;
  readonly archiveId?: string;
}

/** The results of one query so far, and whose archive it asked (our bare JID, or the room). */
export interface ArchivePage {
  readonly from: string;
  readonly items: Archived[];
}

export interface ArchiveIo {
  /** Our bare JID. */
  jid(): string;
  /** Stores messages (the daemon stores them as they are emitted). */
  fire(messages: readonly IncomingMessage[]): void;
  /** A fresh number for our query ids. */
  nextId(): number;
  /** A message of our own archive as Confab's (chat.ts). */
  ownMessage(inner: Element, archived: { archiveId?: string; time?: Date }): IncomingMessage | undefined;
  /** A message of a room's archive as Confab's (muc.ts). */
  roomMessage(room: string, inner: Element, archiveId: string | undefined, time: Date | undefined): IncomingMessage | undefined;
  readonly state?: AccountState;
  readonly log: Logger;
}

/** The session a catch-up runs on; it stops when that session is no longer the current one. */
export interface ArchiveSession {
  request(iq: Element): Promise<Element>;
  /** Our full JID in this session: what this very client sent is skipped (stored when sent). */
  readonly ownJid?: string;
  current(): boolean;
}

export class Archive {
  private readonly pages = new Map<string, ArchivePage>(); // queryid → results so far
  private ownCaughtUp = false;
  private readonly roomsCaughtUp = new Set<string>(); // rooms whose live messages now advance their mark

  constructor(private readonly io: ArchiveIo) {}

  /** The query a result names, if we asked it. */
  page(queryid: string): ArchivePage | undefined {
    return this.pages.get(queryid);
  }

  /** Stores messages, then remembers the newest archive id they cover: the next catch-up starts after it. */
  emit(messages: readonly IncomingMessage[], archivedUpTo?: string, room?: string): void {
    if (messages.length > 0) this.io.fire(messages);
    if (archivedUpTo) this.io.state?.set(archiveMark(room), archivedUpTo);
  }

  /** A live message: its archive id becomes the mark only once that archive caught up. */
  live(m: IncomingMessage, room?: string): void {
    const caughtUp = room ? this.roomsCaughtUp.has(room) : this.ownCaughtUp;
    this.emit([m], caughtUp ? m.protocolId : undefined, room);
  }

  /** A new login: live messages leave our own mark alone until `ownDone`. */
  loggedIn(): void {
    this.ownCaughtUp = false;
  }

  /** Our own archive caught up (or could not be): live messages advance its mark from now on. */
  ownDone(): void {
    this.ownCaughtUp = true;
  }

  /** The connection is gone: every room catches up again when joined again. */
  clear(): void {
    this.roomsCaughtUp.clear();
  }

  /**
   * XEP-0313 §4 catch-up of our archive, or a room's (§4.1.1: the query goes to the room): page by
   * page (XEP-0059 §2.2 `after`), oldest first; the first time, the newest page only (§2.5 `before`).
   */
  async catchUp(session: ArchiveSession, room?: string): Promise<void> {
    if (room) this.roomsCaughtUp.delete(room);
    let after = this.io.state?.get(archiveMark(room));
    const first = after === undefined;
    for (let page = 0; page < MAM_MAX_PAGES && session.current(); page++) {
      const fin = await this.query(session, after, room);
      if (!session.current()) return;
      const messages = fin.items.map((a) => this.toMessage(a, session.ownJid, room)).filter((m): m is IncomingMessage => m !== undefined);
      const last = fin.fin?.getChild('set', NS_RSM)?.getChildText('last') ?? undefined;
      this.emit(messages, last, room);
      this.io.log.debug('xmpp: archive %s page %d: %d messages, last %s', room ?? 'own', page, messages.length, last ?? '-');
      if (first || fin.fin?.attrs.complete === 'true' || !last) break;
      after = last;
    }
    if (room) this.roomsCaughtUp.add(room);
  }

  /** One page: its results as they came, and the <fin/> that ended it. */
  private async query(session: ArchiveSession, after: string | undefined, room?: string): Promise<{ items: Archived[]; fin?: Element }> {
    const queryid = `mam${this.io.nextId()}`;
    const items: Archived[] = [];
    this.pages.set(queryid, { from: room ?? this.io.jid(), items });
    try {
      const rsm = xml('set', { xmlns: NS_RSM }, xml('max', {}, String(MAM_PAGE)), after ? xml('after', {}, after) : xml('before'));
      const answer = await session.request(xml('iq', { type: 'set', ...(room ? { to: room } : {}) }, xml('query', { xmlns: NS_MAM, queryid }, rsm)));
      return { items, fin: answer.getChild('fin', NS_MAM) };
    } finally {
      this.pages.delete(queryid);
    }
  }

  private toMessage({ forwarded, archiveId }: Archived, ownJid: string | undefined, room?: string): IncomingMessage | undefined {
    const inner = forwarded.getChild('message');
    if (!inner || (ownJid && inner.attrs.from === ownJid)) return undefined; // sent by this very client: stored when it was sent
    const stamp = forwarded.getChild('delay', NS_DELAY)?.attrs.stamp; // XEP-0313 §5.1.2: XEP-0203 delay in the forward
    const time = stamp ? new Date(stamp) : undefined;
    return room ? this.io.roomMessage(room, inner, archiveId, time) : this.io.ownMessage(inner, { archiveId, time });
  }
}

export interface MamContext {
  /** Our bare JID. */
  readonly jid: string;
  readonly archive: Pick<Archive, 'page'>;
}

export const mamHandlers: HandlerTable<MamContext> = [
  {
    // XEP-0313 §5.1.2: a result of one of our queries; results are believed only from the archive
    // we asked (our own account, or that room), and never go further (they are no live messages).
    stanza: 'message',
    children: [['result', NS_MAM]],
    handle: (ctx, stanza) => {
      const result = stanza.getChild('result', NS_MAM)!;
      const inner = result.getChild('forwarded', NS_FORWARD);
      const page = ctx.archive.page(result.attrs.queryid ?? '');
      const fromArchive = page && (stanza.attrs.from ? normalizeJid(stanza.attrs.from) === page.from : page.from === ctx.jid);
      if (fromArchive && inner) page.items.push({ forwarded: inner, archiveId: result.attrs.id });
      return HANDLED;
    },
  },
];
