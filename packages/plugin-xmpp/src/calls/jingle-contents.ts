/**
 * Jingle contents (XEP-0166 §7.1: `<content creator name senders>` with one application description
 * and one transport) ↔ the offer/answer structures of `@confab/media`. A Jingle offer or answer is
 * read into a ParsedSdp — the structure confab-media's SDP parser gives — so that the negotiation
 * itself is confab-media's, the same that SIP calls use (`answerSdp`, `remoteFromSdp`: codecs in
 * common with the offer's ids, telephone-event at the chosen rate, rtcp-mux when both say it, video
 * taken or refused). Our contents are written from the LocalDescription and the SdpMediaChoice that
 * negotiation made. Nothing here is SDP text.
 *
 * Direction (XEP-0166 §7.1 `senders`, XEP-0167 §5.2 hold) is RFC 3264's seen from the sessions' roles:
 * `both` sendrecv, `none` inactive, the author's own role sendonly, the other's recvonly.
 *
 * A refused stream: SDP says port 0; Jingle leaves the content out of the session-accept (XEP-0166
 * §7.2.10: the accept lists the contents taken) — read back here as no video at all, which is what
 * confab-media's negotiation makes of port 0 too.
 *
 * Transports: XEP-0176 ICE-UDP with XEP-0320 DTLS fingerprints (ice-udp.ts, dtls-fingerprint.ts), read
 * into the `ice`/`dtls` fields of confab-media's `webrtc` transport; XEP-0177 raw UDP (raw-udp.ts) for
 * a peer that offers it, on the `rtp` transport. A session uses one kind for all its contents (the
 * audio content's), as confab-media runs one transport per session; with ICE the contents are one
 * BUNDLE group (XEP-0338, grouping.ts) on the same credentials, whose candidates are merged.
 */
import { xml, type Element } from '@xmpp/client';
import type { Codec, Direction, DtlsParameters, IceCandidate, IceParameters, LocalDescription, ParsedSdp, SdpAudio, SdpMediaChoice, SdpVideo } from '@confab/media';
import { iceUdpTransport, readIceUdp, type IceUdp } from './ice-udp';
import { NS_ICE_UDP, NS_RAW_UDP, NS_RTP } from './jingle-ns';
import { rawUdpTransport, readRawUdp, type UdpEndpoint } from './raw-udp';
import { MalformedJingle, descriptionElement, readDescription, type Media, type RtpDescription } from './rtp-description';

/** XEP-0166 §7.1: a session has a few contents; any more is not a call of ours (audio, video, and a spare). */
export const MAX_CONTENTS = 4;

export type Role = 'initiator' | 'responder';
export type Senders = 'both' | 'initiator' | 'responder' | 'none';

const ROLES: readonly string[] = ['initiator', 'responder'];
const SENDERS: readonly string[] = ['both', 'initiator', 'responder', 'none'];

export const other = (r: Role): Role => (r === 'initiator' ? 'responder' : 'initiator');

/** A transport as read: XEP-0177 raw UDP, or XEP-0176 ICE-UDP with its XEP-0320 fingerprint. */
export type JingleTransport =
  | { readonly kind: 'raw-udp'; readonly endpoint?: UdpEndpoint }
  | { readonly kind: 'ice-udp'; readonly ice: IceUdp };

export interface JingleContent {
  readonly name: string;
  readonly creator: Role;
  readonly senders: Senders;
  readonly description: RtpDescription;
  readonly transport: JingleTransport;
}

/** What a session cannot take, as XEP-0166 §7.4 reasons: the session-initiate is refused with a session-terminate. */
export class Unsupported extends Error {
  constructor(readonly reason: 'unsupported-applications' | 'unsupported-transports', message: string) {
    super(message);
  }
}

/** The `<content/>`s of a `<jingle/>`; MalformedJingle (bad-request) or Unsupported (a terminate reason). */
export function readContents(jingle: Element): JingleContent[] {
  const els = jingle.getChildren('content');
  if (els.length > MAX_CONTENTS) throw new MalformedJingle(`${els.length} contents`);
  return els.map((c) => {
    const name = c.attrs.name ?? '';
    const creator = c.attrs.creator ?? '';
    const senders = c.attrs.senders ?? 'both'; // XEP-0166 §7.1: default both
    if (!/^[^\s<>&]{1,64}$/.test(name) || !ROLES.includes(creator) || !SENDERS.includes(senders)) throw new MalformedJingle('a content without a valid name, creator or senders');
    const d = c.getChild('description', NS_RTP);
    if (!d) throw new Unsupported('unsupported-applications', `content ${name} is not RTP`); // XEP-0166 §7.4
    const description = readDescription(d);
    const ice = c.getChild('transport', NS_ICE_UDP); // XEP-0176: preferred over raw UDP when a content has both
    if (ice) return { name, creator: creator as Role, senders: senders as Senders, description, transport: { kind: 'ice-udp', ice: readIceUdp(ice) } };
    const t = c.getChild('transport', NS_RAW_UDP);
    if (!t) throw new Unsupported('unsupported-transports', `content ${name} has neither an ice-udp nor a raw-udp transport`); // XEP-0166 §7.4
    return { name, creator: creator as Role, senders: senders as Senders, description, transport: { kind: 'raw-udp', endpoint: readRawUdp(t) } };
  });
}

/**
 * The confab-media transport a set of contents needs: `webrtc` for ICE-UDP with a DTLS fingerprint,
 * `rtp` for raw UDP (the audio content's transport decides; every content must use the same kind).
 * ICE-UDP without XEP-0320 would be ICE with unencrypted RTP: not offered by confab-media, refused.
 */
export function transportKindOf(contents: readonly JingleContent[]): 'webrtc' | 'rtp' {
  const audio = contents.find((c) => c.description.media === 'audio');
  const kind = audio?.transport.kind ?? 'raw-udp';
  if (contents.some((c) => c.transport.kind !== kind)) throw new Unsupported('unsupported-transports', 'contents with different transports');
  if (kind === 'raw-udp') return 'rtp';
  if (contents.some((c) => c.transport.kind === 'ice-udp' && !c.transport.ice.dtls)) throw new Unsupported('unsupported-transports', 'ICE-UDP without a DTLS-SRTP fingerprint (XEP-0320)');
  return 'webrtc';
}

/**
 * The peer's ICE and DTLS parameters from its ICE-UDP contents: the credentials and fingerprint of
 * the audio content (BUNDLE: one transport, XEP-0338), the candidates of every content that has the
 * same credentials. Undefined for raw UDP.
 */
export function peerTransportOf(contents: readonly JingleContent[]): { ice: IceParameters; dtls: DtlsParameters; complete: boolean } | undefined {
  const ices = contents.flatMap((c) => (c.transport.kind === 'ice-udp' ? [c.transport.ice] : []));
  const main = ices[0];
  if (!main?.dtls) return undefined;
  const candidates: IceCandidate[] = [];
  for (const i of ices) {
    if (i.ufrag && i.ufrag !== main.ufrag) continue; // another transport: BUNDLE puts everything on the first
    for (const c of i.candidates) if (!candidates.some((x) => x.address === c.address && x.port === c.port && x.component === c.component)) candidates.push(c);
  }
  return { ice: { ufrag: main.ufrag, pwd: main.pwd, candidates }, dtls: main.dtls, complete: ices.some((i) => i.complete) };
}

/** RFC 3264 § 6.1 in Jingle's words: the author's direction from `senders`. */
export function directionOf(senders: Senders, author: Role): Direction {
  if (senders === 'both') return 'sendrecv';
  if (senders === 'none') return 'inactive';
  return senders === author ? 'sendonly' : 'recvonly';
}

/** `senders` for a direction said by `author`. */
export function sendersOf(direction: Direction, author: Role): Senders {
  switch (direction) {
    case 'sendrecv': return 'both';
    case 'inactive': return 'none';
    case 'sendonly': return author;
    case 'recvonly': return other(author);
  }
}

/**
 * The contents of an offer or an answer written by `author` as confab-media's parsed SDP: the first
 * audio content and the first video one. A content without candidates is MalformedJingle (raw UDP
 * has no trickle: XEP-0177 §4 puts them in the initiate and the accept).
 */
export function asParsedSdp(contents: readonly JingleContent[], author: Role, sid: string): ParsedSdp {
  const stream = (media: Media): SdpVideo | undefined => {
    const c = contents.find((x) => x.description.media === media);
    if (!c) return undefined;
    // ICE: the address of the first candidate, or SDP's placeholder until candidates come (RFC 8840 § 4.1.1)
    const first = c.transport.kind === 'ice-udp' ? c.transport.ice.candidates.find((x) => x.component === 1) : undefined;
    const e = c.transport.kind === 'raw-udp' ? c.transport.endpoint : { address: first?.address ?? '0.0.0.0', port: first?.port ?? 9 };
    if (!e) throw new MalformedJingle(`content ${c.name} has no raw-udp candidate`);
    const d = c.description;
    return { port: e.port, profile: 'RTP/AVP', codecs: d.codecs, formats: d.formats, rtcpPort: e.rtcpPort, rtcpMux: d.rtcpMux, crypto: [], direction: directionOf(c.senders, author), address: e.address };
  };
  const audio: SdpAudio | undefined = stream('audio');
  const video = stream('video');
  return { sessionId: sid, sessionVersion: '0', ...(audio ? { audio } : {}), ...(video ? { video } : {}) };
}

/** One content of ours: what we can receive (or take), where, and who sends. */
export function contentElement(
  c: { readonly name: string; readonly creator: Role; readonly senders: Senders },
  media: Media, codecs: readonly Codec[], rtcpMux: boolean, endpoint: UdpEndpoint, idOf: (component: number) => string, local?: LocalDescription,
): Element {
  return xml('content', { creator: c.creator, name: c.name, senders: c.senders },
    descriptionElement(media, codecs, rtcpMux),
    // webrtc: XEP-0176 with our credentials, every candidate and the XEP-0320 fingerprint (BUNDLE: the same in each content)
    local?.ice ? iceUdpTransport(local.ice, local.dtls, (n) => idOf(n + 1)) : rawUdpTransport(endpoint, idOf),
  );
}

/** Names of our contents in a session we initiate. */
export const AUDIO = 'audio';
export const VIDEO = 'video';

/**
 * The contents of a session-initiate or content-add of ours (the offer): every codec we receive,
 * audio always, video while the session has it; senders from our direction as initiator.
 */
export function offerContents(local: LocalDescription, direction: Direction, role: Role, idOf: (media: Media, component: number) => string): Element[] {
  const senders = sendersOf(direction, role);
  const out = [contentElement({ name: AUDIO, creator: role, senders }, 'audio', local.codecs, local.rtcpMux, local, (n) => idOf('audio', n), local)];
  const v = local.video;
  if (v) out.push(contentElement({ name: VIDEO, creator: role, senders }, 'video', v.codecs, v.rtcpMux, { address: local.address, port: v.port, rtcpPort: v.rtcpPort }, (n) => idOf('video', n), local));
  return out;
}

/**
 * The contents of our session-accept: the offer's contents we take (their names and creators), with
 * the payload types negotiation chose; a refused video content is left out (XEP-0166 §7.2.10).
 */
export function answerContents(offer: readonly JingleContent[], local: LocalDescription, choice: SdpMediaChoice, idOf: (media: Media, component: number) => string): Element[] {
  const audio = offer.find((c) => c.description.media === 'audio')!;
  const out = [contentElement({ name: audio.name, creator: audio.creator, senders: sendersOf(choice.direction, 'responder') }, 'audio', choice.codecs, choice.rtcpMux, local, (n) => idOf('audio', n), local)];
  const v = choice.video;
  const offered = offer.find((c) => c.description.media === 'video');
  if (v && !('refused' in v) && offered && local.video) {
    out.push(contentElement({ name: offered.name, creator: offered.creator, senders: sendersOf(v.direction, 'responder') }, 'video', v.codecs, v.rtcpMux,
      { address: local.address, port: local.video.port, rtcpPort: local.video.rtcpPort }, (n) => idOf('video', n), local));
  }
  return out;
}
