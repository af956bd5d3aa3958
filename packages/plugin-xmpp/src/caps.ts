/**
 * Service discovery (XEP-0030) of this client, and its entity capabilities (XEP-0115) — the hash
 * that lets others (and our server's PEP, XEP-0163 §4) know what we support without asking.
 */
import { createHash } from 'node:crypto';

export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
export const NS_CAPS = 'http://jabber.org/protocol/caps';
export const CAPS_NODE = 'https://confab.im';

export const IDENTITY = { category: 'client', type: 'pc', name: 'Confab' };

/** What we do, as disco features; `+notify` asks PEP to push those nodes (XEP-0163 §4). */
export const FEATURES: readonly string[] = [
  NS_CAPS,
  NS_DISCO_INFO,
  'http://jabber.org/protocol/muc',
  'jabber:x:conference',
  'urn:xmpp:ping',
  'http://jabber.org/protocol/chatstates',
  'urn:xmpp:receipts',
  'urn:xmpp:chat-markers:0',
  'urn:xmpp:carbons:2',
  'urn:xmpp:mam:2',
  'urn:xmpp:sid:0',
  'urn:xmpp:bookmarks:1+notify',
  'http://jabber.org/protocol/nick+notify',
  'urn:xmpp:avatar:metadata+notify',
].slice().sort();

/** XEP-0115 §5.1: the verification string, SHA-1, base64. */
export function capsVersion(identity: { category: string; type: string; name: string; lang?: string }, features: readonly string[]): string {
  let s = `${identity.category}/${identity.type}/${identity.lang ?? ''}/${identity.name}<`;
  for (const f of [...features].sort()) s += `${f}<`;
  return createHash('sha1').update(s, 'utf8').digest('base64');
}
