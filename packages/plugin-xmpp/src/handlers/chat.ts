/**
 * One-to-one messages (RFC 6121 §5): a `chat` or `normal` message with a body, as Confab's model,
 * and the receipt asked for it (XEP-0184) once it is stored. Ours, sent by another client of the
 * account, are outgoing.
 */
import type { Element } from '@xmpp/client';
import type { IncomingMessage } from '@confab/sdk';
import { normalizeJid } from '../jid';
import { HANDLED, type HandlerTable } from './handler';
import { receiptFor, receiptRequested } from './receipts';

const NS_DELAY = 'urn:xmpp:delay';
const NS_SID = 'urn:xmpp:sid:0';

export interface ChatContext {
  /** Our bare JID. */
  readonly jid: string;
  /** The name to show for a contact (roster alias, else their nickname, else the JID). */
  displayName(jid: string): string;
  /** A live message: stored, and the archive mark advanced once the catch-up is done (mam.ts). */
  live(m: IncomingMessage): void;
  /** Sends a stanza, if connected; failures are not reported (a receipt is a courtesy). */
  send(el: Element): void;
  /** A fresh number for our stanza ids. */
  nextId(): number;
}

/** A chat message as Confab's model; ours (sent from another client of this account) as outgoing. */
export function toIncoming(msg: Element, me: string, displayName: (jid: string) => string, archived?: { archiveId?: string; time?: Date }): IncomingMessage | undefined {
  const type = msg.attrs.type ?? 'normal';
  if (type !== 'chat' && type !== 'normal') return undefined; // groupchat and headline come later
  const body = msg.getChildText('body');
  if (body === null || !msg.attrs.from) return undefined; // chat states alone, receipts…: later
  const from = normalizeJid(msg.attrs.from);
  const outgoing = from === me;
  if (outgoing && !msg.attrs.to) return undefined;
  const peer = outgoing ? normalizeJid(msg.attrs.to!) : from;
  const stamp = msg.getChild('delay', NS_DELAY)?.attrs.stamp; // XEP-0203
  const time = archived?.time ?? (stamp ? new Date(stamp) : undefined);
  // XEP-0359: a stanza-id is only trusted when our own server (by = our bare JID) set it.
  const sid = archived?.archiveId ?? msg.getChildren('stanza-id', NS_SID).find((s) => s.attrs.by && normalizeJid(s.attrs.by) === me)?.attrs.id;
  const action = body.startsWith('/me '); // XEP-0245
  return {
    channel: { kind: 'direct', target: peer },
    sender: { id: from, name: outgoing ? from : displayName(from) },
    body: action ? body.slice(4) : body,
    kind: action ? 'action' : 'normal',
    serverTime: time && !Number.isNaN(time.getTime()) ? time : undefined,
    protocolId: sid ?? undefined,
    outgoing,
  };
}

export const chatHandlers: HandlerTable<ChatContext> = [
  {
    stanza: 'message',
    children: [['body']],
    handle: (ctx, stanza) => {
      const m = toIncoming(stanza, ctx.jid, (jid) => ctx.displayName(jid));
      if (!m) return HANDLED;
      ctx.live(m);
      // XEP-0184 §5.1: a requested receipt once the message is stored (it was, as it was emitted).
      if (!m.outgoing && receiptRequested(stanza)) ctx.send(receiptFor(stanza, ctx.nextId()));
      return HANDLED;
    },
  },
];
