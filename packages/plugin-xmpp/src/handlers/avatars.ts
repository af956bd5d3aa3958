/**
 * Contacts' avatars as they are announced: XEP-0084 metadata in PEP notifications, and the XEP-0153
 * vCard photo hash in available presence. The images are fetched and kept by `Avatars` (../avatars.ts).
 */
import type { Avatars } from '../avatars';
import { NS_AVATAR_METADATA, NS_VCARD_UPDATE } from '../avatars';
import { normalizeJid } from '../jid';
import { HANDLED, type HandlerTable } from './handler';
import type { PepHandler } from './pep';

export interface AvatarsContext {
  /** Our bare JID. */
  readonly jid: string;
  readonly avatars: Pick<Avatars, 'metadata' | 'presence'>;
}

/** XEP-0084 §4.2: a contact's avatar metadata (none: §4.5, no avatar). */
export const avatarEvent: PepHandler<AvatarsContext> = (ctx, stanza, items) => {
  if (!stanza.attrs.from) return; // not a contact's
  const who = normalizeJid(stanza.attrs.from);
  void ctx.avatars.metadata(who, items.getChild('item')?.getChild('metadata', NS_AVATAR_METADATA));
  return HANDLED;
};

export const avatarHandlers: HandlerTable<AvatarsContext> = [
  {
    // XEP-0153 §3.2: an available presence saying the vCard photo's hash. Not HANDLED: the same
    // presence tells the contact's availability (presence.ts).
    stanza: 'presence',
    children: [['x', NS_VCARD_UPDATE]],
    handle: (ctx, stanza) => {
      if (!stanza.attrs.from || stanza.attrs.type !== undefined) return;
      const id = normalizeJid(stanza.attrs.from);
      if (id !== ctx.jid) void ctx.avatars.presence(id, stanza); // not our own resources
    },
  },
];
