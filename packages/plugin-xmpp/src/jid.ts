/** JIDs (RFC 7622). Kept apart from the connection so that it loads without @xmpp/client. */
import type { Element } from '@xmpp/client';
import { InvalidArgumentError } from '@confab/sdk';

/** A bare JID, case-folded where RFC 7622 folds it (localpart and domain), resource dropped. */
export function normalizeJid(raw: string): string {
  const s = raw.trim();
  const slash = s.indexOf('/');
  const bare = slash >= 0 ? s.slice(0, slash) : s;
  const at = bare.lastIndexOf('@');
  const local = at >= 0 ? bare.slice(0, at) : '';
  const domain = at >= 0 ? bare.slice(at + 1) : bare;
  // RFC 7622 §3.3.1: these characters are not allowed in a localpart.
  if (/[\s"&'/:<>@]/.test(local) || local.length > 1023) throw new InvalidArgumentError(`'${raw}' is not a valid JID: bad localpart`);
  if (!/^[^\s@/]+$/.test(domain) || domain.length > 1023) throw new InvalidArgumentError(`'${raw}' is not a valid JID: bad domain`);
  return (local ? `${local.toLowerCase()}@` : '') + domain.toLowerCase();
}

/**
 * Whether a stanza comes from our own account: without `from` (the server, on our behalf) or from
 * our bare JID (RFC 6120 §8.1.2.1). Forwarded copies are believed only from there (XEP-0280 §11,
 * XEP-0313 §5.1.2, XEP-0163 §4.3).
 */
export function fromOwnAccount(stanza: Element, jid: string): boolean {
  return !stanza.attrs.from || normalizeJid(stanza.attrs.from) === jid;
}
