/**
 * Contacts' avatars: XEP-0084 (PEP metadata and data nodes) and the older vCard-based XEP-0153
 * (a photo hash in presence, the image in the vCard, XEP-0054). Images are kept in the account's
 * cache folder, named by their SHA-1 — the id both XEPs use — and written only when the bytes
 * hash to that id and stay under MAX_BYTES.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { xml, type Element } from '@xmpp/client';
import type { Logger } from '@confab/sdk';

export const NS_AVATAR_METADATA = 'urn:xmpp:avatar:metadata';
export const NS_AVATAR_DATA = 'urn:xmpp:avatar:data';
export const NS_VCARD_UPDATE = 'vcard-temp:x:update';
const NS_VCARD = 'vcard-temp';
const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
const MAX_BYTES = 1024 * 1024;
const TYPES: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

export class Avatars {
  private readonly files = new Map<string, string>(); // contact → image file
  private readonly busy = new Set<string>(); // hashes being fetched

  constructor(
    private readonly dir: string | undefined,
    private readonly request: (iq: Element) => Promise<Element>,
    private readonly log: Logger,
  ) {}

  fileOf(jid: string): string | undefined {
    return this.files.get(jid);
  }

  /** XEP-0084 §4.2 metadata (from an event or a fetch): fetches the data item unless we have it. */
  async metadata(jid: string, metadata: Element | undefined): Promise<void> {
    const info = metadata?.getChild('info');
    if (!metadata || !info) return void this.files.delete(jid); // §4.5: no avatar
    const id = (info.attrs.id ?? '').toLowerCase();
    const ext = TYPES[info.attrs.type ?? ''];
    if (!/^[0-9a-f]{40}$/.test(id) || !ext || Number(info.attrs.bytes) > MAX_BYTES) return;
    await this.fetch(jid, id, ext, async () => {
      const answer = await this.request(xml('iq', { type: 'get', to: jid }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node: NS_AVATAR_DATA }, xml('item', { id })))));
      return answer.getChild('pubsub', NS_PUBSUB)?.getChild('items')?.getChild('item')?.getChildText('data', NS_AVATAR_DATA) ?? '';
    });
  }

  /** Asks a contact's metadata node (XEP-0084 §4.3), when no notification came. */
  async ask(jid: string): Promise<void> {
    const answer = await this.request(xml('iq', { type: 'get', to: jid }, xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node: NS_AVATAR_METADATA, max_items: '1' }))));
    await this.metadata(jid, answer.getChild('pubsub', NS_PUBSUB)?.getChild('items')?.getChild('item')?.getChild('metadata', NS_AVATAR_METADATA));
  }

  /** XEP-0153 §3.2: a presence saying the vCard photo's hash. */
  async presence(jid: string, stanza: Element): Promise<void> {
    const photo = stanza.getChild('x', NS_VCARD_UPDATE)?.getChildText('photo');
    if (photo === null || photo === undefined) return; // not saying
    const id = photo.trim().toLowerCase();
    if (id === '') return void this.files.delete(jid);
    if (!/^[0-9a-f]{40}$/.test(id)) return;
    let ext = 'png';
    await this.fetch(jid, id, ext, async () => {
      const vcard = (await this.request(xml('iq', { type: 'get', to: jid }, xml('vCard', { xmlns: NS_VCARD })))).getChild('vCard', NS_VCARD)?.getChild('PHOTO');
      ext = TYPES[vcard?.getChildText('TYPE') ?? ''] ?? 'png';
      return vcard?.getChildText('BINVAL') ?? '';
    }, () => ext);
  }

  private async fetch(jid: string, id: string, ext: string, data: () => Promise<string>, extNow: () => string = () => ext): Promise<void> {
    if (!this.dir) return;
    const known = join(this.dir, `${id}.${ext}`);
    if (existsSync(known)) return void this.files.set(jid, known);
    if (this.busy.has(id)) return;
    this.busy.add(id);
    try {
      const base64 = (await data()).replace(/\s+/g, '');
      if (base64.length > (MAX_BYTES * 4) / 3 + 4) return this.log.debug('xmpp: avatar of %s too large', jid);
      const bytes = Buffer.from(base64, 'base64');
      if (createHash('sha1').update(bytes).digest('hex') !== id) return this.log.debug('xmpp: avatar of %s does not match its hash', jid);
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const file = join(this.dir, `${id}.${extNow()}`);
      writeFileSync(file, bytes, { mode: 0o600 });
      this.files.set(jid, file);
    } catch (e) {
      this.log.debug('xmpp: no avatar for %s: %s', jid, (e as Error).message);
    } finally {
      this.busy.delete(id);
    }
  }
}
