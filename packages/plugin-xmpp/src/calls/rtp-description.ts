/**
 * XEP-0167 RTP descriptions ↔ confab-media's codecs: `<payload-type id name clockrate channels>` with
 * its `<parameter name value/>`s (the SDP fmtp, XEP-0167 §6) and `<rtcp-mux/>` (XEP-0167 §5.2, RFC 5761).
 * Names are matched as SDP encoding names are (case-insensitive): opus, G722, PCMU, PCMA,
 * telephone-event; VP8, H264. A payload type we do not know is kept by number only (`formats`), as
 * an SDP m= line's formats are. Bounded: more payload types or parameters than any real client
 * sends is a malformed description, refused before anything else is read.
 */
import { xml, type Element } from '@xmpp/client';
import { codecByEncodingName, videoCodecByEncodingName, type Codec } from '@confab/media';
import { NS_RTP } from './jingle-ns';

/** More than any real client offers (Conversations ~12 audio, a browser ~20 video with rtx/red/ulpfec). */
export const MAX_PAYLOAD_TYPES = 32;
export const MAX_PARAMETERS = 16;

/** RFC 3551 §6: the static payload types we know when the payload type has no name (XEP-0167 §6: name is optional for static ones). */
const STATIC: Readonly<Record<number, Omit<Codec, 'pt'>>> = {
  0: { name: 'PCMU', clockRate: 8000, channels: 1, fmtp: '' },
  8: { name: 'PCMA', clockRate: 8000, channels: 1, fmtp: '' },
  9: { name: 'G722', clockRate: 8000, channels: 1, fmtp: '' },
};

export type Media = 'audio' | 'video';

export interface RtpDescription {
  readonly media: Media;
  /** Codecs we know, in the description's order, with its payload type ids. */
  readonly codecs: readonly Codec[];
  /** Every payload type id it lists, known or not. */
  readonly formats: readonly number[];
  readonly rtcpMux: boolean;
}

export class MalformedJingle extends Error {}

function int(v: string | undefined, max: number, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,10}$/.test(v) || Number(v) > max) throw new MalformedJingle(`bad ${what} '${v.slice(0, 20)}'`);
  return Number(v);
}

/** XEP-0167 §6: a parameter list as SDP's fmtp says it (`k=v;k=v`); telephone-event's events range is a bare value. */
function fmtpOf(pt: Element): string {
  const params = pt.getChildren('parameter');
  if (params.length > MAX_PARAMETERS) throw new MalformedJingle(`${params.length} parameters in one payload type`);
  return params
    .map((p) => ({ name: (p.attrs.name ?? '').trim(), value: (p.attrs.value ?? '').trim() }))
    .filter((p) => /^[\w.-]{0,64}$/.test(p.name) && /^[\w.,:=+/-]{0,128}$/.test(p.value) && (p.name || p.value))
    .map((p) => (p.name ? `${p.name}=${p.value}` : p.value))
    .join(';');
}

/** Reads a `<description xmlns='urn:xmpp:jingle:apps:rtp:1'/>`; MalformedJingle when it cannot be read or is oversized. */
export function readDescription(d: Element): RtpDescription {
  const media = d.attrs.media;
  if (media !== 'audio' && media !== 'video') throw new MalformedJingle(`media '${String(media).slice(0, 20)}' is not audio or video`);
  const pts = d.getChildren('payload-type');
  if (pts.length > MAX_PAYLOAD_TYPES) throw new MalformedJingle(`${pts.length} payload types`); // XEP-0166 §8: bad-request, never a session
  const codecs: Codec[] = [];
  const formats: number[] = [];
  for (const p of pts) {
    const id = int(p.attrs.id, 127, 'payload type id'); // XEP-0167 §6: id is required, 0–127
    if (id === undefined) throw new MalformedJingle('a payload type without id');
    if (formats.includes(id)) continue;
    formats.push(id);
    const name = p.attrs.name;
    if (!name) {
      const s = media === 'audio' ? STATIC[id] : undefined;
      if (s) codecs.push({ ...s, pt: id });
      continue;
    }
    const known = media === 'video' ? videoCodecByEncodingName(name) : codecByEncodingName(name);
    if (!known) continue;
    const clockRate = int(p.attrs.clockrate, 1_000_000, 'clockrate') ?? (media === 'video' ? 90000 : 8000);
    const channels = int(p.attrs.channels, 8, 'channels') ?? 1; // XEP-0167 §6: default 1
    codecs.push({ name: known, pt: id, clockRate, channels, fmtp: fmtpOf(p) });
  }
  return { media, codecs, formats, rtcpMux: d.getChild('rtcp-mux') !== undefined };
}

/** A description from our codecs (an offer: all we can receive; an answer: the offer's ids we take). */
export function descriptionElement(media: Media, codecs: readonly Codec[], rtcpMux: boolean): Element {
  return xml('description', { xmlns: NS_RTP, media },
    ...codecs.map(payloadType),
    ...(rtcpMux ? [xml('rtcp-mux')] : []), // XEP-0167 §5.2
  );
}

function payloadType(c: Codec): Element {
  // XEP-0167 §6: SDP's rtpmap as attributes (opus is named lower-case, RFC 7587 §7), fmtp as parameters
  const attrs: Record<string, string> = { id: String(c.pt), name: c.name === 'opus' ? 'opus' : c.name, clockrate: String(c.clockRate) };
  if (c.channels > 1) attrs.channels = String(c.channels);
  return xml('payload-type', attrs, ...parameters(c.fmtp));
}

function parameters(fmtp: string): Element[] {
  return fmtp.split(';').map((p) => p.trim()).filter(Boolean).map((p) => {
    const eq = p.indexOf('=');
    return eq > 0 ? xml('parameter', { name: p.slice(0, eq), value: p.slice(eq + 1) }) : xml('parameter', { name: '', value: p }); // telephone-event's `0-15`
  });
}
