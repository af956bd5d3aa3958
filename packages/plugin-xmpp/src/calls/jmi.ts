/**
 * Jingle Message Initiation (XEP-0353, urn:xmpp:jingle-message:0): a call is proposed in a message to
 * the callee's bare JID, so that every resource rings (§3.1); a device answers `ringing` (§3.2),
 * `proceed` (it takes the call: the caller then sends the session-initiate to that full JID) or
 * `reject` (§3.3); the caller can `retract` (§3.4). Our answers are type chat, so that message
 * carbons (XEP-0280 §6) copy them to our other devices, which stop ringing; `accept` to our own bare
 * JID says the same to older clients (XEP-0353 0.2). A propose is stored (XEP-0334 `store`), so the
 * archive has it when the callee was offline: a missed call.
 */
import { randomUUID } from 'node:crypto';
import { xml, type Element } from '@xmpp/client';
import { NS_HINTS, NS_JMI, NS_RTP } from './jingle-ns';
import { reasonElement } from './jingle-reasons';
import type { Media } from './rtp-description';

export const JMI_KINDS = ['propose', 'ringing', 'proceed', 'accept', 'reject', 'retract', 'finish'] as const;
export type JmiKind = typeof JMI_KINDS[number];

export interface Jmi {
  readonly kind: JmiKind;
  /** The session id the Jingle session will have (§3.1). */
  readonly id: string;
  /** What a propose offers (its RTP descriptions' media). */
  readonly media: readonly Media[];
  /** A reject's or retract's reason condition, when it says one. */
  readonly reason?: string;
}

/** The JMI element of a message, if it has one with a usable id. */
export function readJmi(message: Element): Jmi | undefined {
  const el = message.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === NS_JMI);
  if (!el || !(JMI_KINDS as readonly string[]).includes(el.name)) return undefined;
  const id = el.attrs.id ?? '';
  if (!/^[^\s<>&]{1,128}$/.test(id)) return undefined;
  const media = el.getChildren('description', NS_RTP).slice(0, 4).map((d) => d.attrs.media).filter((m): m is Media => m === 'audio' || m === 'video');
  const reason = el.getChild('reason')?.children.find((c): c is Element => typeof c !== 'string' && c.name !== 'text')?.name;
  return { kind: el.name as JmiKind, id, media: [...new Set(media)], ...(reason ? { reason } : {}) };
}

/** A JMI message: type chat (carbons copy it, XEP-0280 §6.1), stored when it is a propose (XEP-0334 §4). */
export function jmiMessage(to: string, stanzaId: string, kind: JmiKind, id: string, opts: { media?: readonly Media[]; reason?: string } = {}): Element {
  const children: Element[] = (opts.media ?? []).map((m) => xml('description', { xmlns: NS_RTP, media: m }));
  if (opts.reason) children.push(reasonElement(opts.reason));
  return xml('message', { to, type: 'chat', id: stanzaId },
    xml(kind, { xmlns: NS_JMI, id }, ...children),
    ...(kind === 'propose' || kind === 'retract' ? [xml('store', { xmlns: NS_HINTS })] : []),
  );
}

let stanzas = 0;
/** A message id of ours (RFC 6120 §8.1.3: unique enough that an error can be matched to it). */
export function stanzaId(): string {
  return `confab-jmi-${++stanzas}-${randomUUID().slice(0, 8)}`;
}
