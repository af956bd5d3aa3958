/**
 * Addresses: how a contact is known across networks, for linking contacts into people. An address
 * is `user@host`, lower-cased — the shape an XMPP bare JID (RFC 7622 §3) and a SIP AOR's user@host
 * (RFC 3261 §19.1) share, so the same person's JID and SIP URI compare equal. A display name is
 * never an address.
 * @since 0.3.0
 */

/** URI schemes whose user@host part is an address (RFC 5122 xmpp:, RFC 3261 sip:/sips:, RFC 6068 mailto:). */
const SCHEMES = /^(?:xmpp|sip|sips|mailto):/i;
const ADDRESS = /^[a-z0-9._%+\-!$&'*=^`{|}~]{1,64}@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*$/;
const MAX_ADDRESSES = 8;

/** `xmpp:Carol@Example.org`, `<sip:carol@example.org;transport=tcp>` or `carol@example.org` → `carol@example.org`; undefined when it is not an address. */
export function normalizeAddress(text: string): string | undefined {
  let s = text.trim().replace(/^<|>$/g, '');
  s = s.replace(SCHEMES, '');
  s = s.replace(/^\/\//, '').split(/[;?/]/, 1)[0]; // parameters, query, resource (xmpp:a@b/res)
  s = s.toLowerCase();
  return s.length <= 255 && ADDRESS.test(s) ? s : undefined;
}

/**
 * The addresses written in a free text a contact gives about themselves (an IRC realname, a vCard
 * note): every word that is an address, at most a few.
 */
export function findAddresses(text: string): string[] {
  const out = new Set<string>();
  for (const word of text.slice(0, 1024).split(/[\s,()"]+/)) {
    if (!word.includes('@')) continue;
    const a = normalizeAddress(word);
    if (a) out.add(a);
    if (out.size >= MAX_ADDRESSES) break;
  }
  return [...out];
}
