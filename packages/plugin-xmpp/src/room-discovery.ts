/**
 * Is a JID a room? Its syntax cannot tell: `room@service` and `user@server` look alike. So the
 * address is asked what it is, with service discovery:
 *
 * - the bare JID's disco#info (XEP-0030 §3.1): a room has an identity of category `conference`
 *   (XEP-0045 §6.4); anything else that answers (a server answering an IQ for its user, RFC 6121
 *   §8.5.2) is direct;
 * - no such entity (an error answer, e.g. item-not-found for a room no one created yet): its domain
 *   is asked, and a MUC service is `conference` too (XEP-0045 §6.1): a room name on it is a room,
 *   which joining creates;
 * - no answer at all (a timeout, the connection gone): undefined, and the caller decides (the
 *   daemon opens a direct channel).
 */
import type { Element } from '@xmpp/client';
import type { ChannelKind } from '@confab/sdk';
import { NS_DISCO_INFO } from './caps';

export interface DiscoIdentity {
  readonly category: string;
  readonly type: string;
}

/** An entity's disco#info identities; undefined when the entity answered with an error; rejects when nothing answered. */
export type DiscoInfo = (jid: string) => Promise<readonly DiscoIdentity[] | undefined>;

/**
 * disco#info (XEP-0030 §3.1) through `request`, which sends an IQ get with this query to a JID and
 * resolves its result (rejecting as @xmpp/iq does: a StanzaError with its condition, or a timeout).
 */
export function discoInfoVia(request: (to: string, query: { name: 'query'; xmlns: string }) => Promise<Element>): DiscoInfo {
  return async (jid) => {
    try {
      const answer = await request(jid, { name: 'query', xmlns: NS_DISCO_INFO });
      return (answer.getChild('query', NS_DISCO_INFO)?.getChildren('identity') ?? []).map((i) => ({ category: i.attrs.category ?? '', type: i.attrs.type ?? '' }));
    } catch (e) {
      if (typeof (e as { condition?: unknown }).condition === 'string') return undefined; // an error answer (RFC 6120 §8.3): no such entity
      throw e;
    }
  };
}

/** Room or direct for a bare JID (normalized), or undefined when nothing answered. */
export async function roomOrDirect(jid: string, info: DiscoInfo): Promise<ChannelKind | undefined> {
  const at = jid.lastIndexOf('@');
  if (at < 0) return 'direct'; // a domain is a server, a service or a gateway; a room is room@service (XEP-0045 §4.1, Room JID)
  try {
    const identities = (await info(jid)) ?? (await info(jid.slice(at + 1))) ?? [];
    return identities.some((i) => i.category === 'conference') ? 'room' : 'direct'; // XEP-0045 §6.1, §6.4
  } catch {
    return undefined; // nothing answered: "cannot tell" is the answer, and the daemon opens a direct channel
  }
}
