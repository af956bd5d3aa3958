/**
 * XEP-0176 ICE-UDP transports ↔ confab-media's ICE parameters (RFC 8445, RFC 8839): the transport's
 * `ufrag`/`pwd` and its `<candidate/>`s (component, foundation, generation, id, ip, network, port,
 * priority, protocol, type, rel-addr, rel-port: XEP-0176 §5.1), with the XEP-0320 fingerprint inside.
 * Our transports carry every candidate we gathered (we gather fully before session-initiate/accept);
 * the peer's may carry none and trickle them in transport-info (XEP-0176 §5.3; trickle.ts), ending
 * with `<gathering-complete/>` (XEP-0371's element, as StanzaJS sends it) when the peer says so.
 *
 * Read politely: TCP candidates (RFC 6544) and candidates whose address is a name (an mDNS `.local`
 * host, RFC 8839 § 5.1 allows FQDNs) are skipped — confab-media takes UDP to IP addresses only; a
 * candidate with a bad port, priority, component or type is MalformedJingle (bad-request), and so is
 * a transport with more candidates than any real client sends.
 */
import { xml, type Element } from '@xmpp/client';
import { isIP } from 'node:net';
import { CANDIDATE_TYPES, type CandidateType, type DtlsParameters, type IceCandidate, type IceParameters } from '@confab/media';
import { fingerprintElement, readFingerprint } from './dtls-fingerprint';
import { NS_ICE_UDP } from './jingle-ns';
import { MalformedJingle } from './rtp-description';

/** Per transport element: a browser gathers a handful per interface; more is not a call. */
export const MAX_ICE_CANDIDATES = 32;

export interface IceUdp {
  /** Empty in a trickled transport-info that repeats no credentials. */
  readonly ufrag: string;
  readonly pwd: string;
  readonly candidates: readonly IceCandidate[];
  readonly dtls?: DtlsParameters;
  /** The peer gathered all its candidates (`<gathering-complete/>`). */
  readonly complete: boolean;
}

/** Our transport (XEP-0176 §5.1): credentials, every candidate, and the XEP-0320 fingerprint. */
export function iceUdpTransport(ice: IceParameters, dtls: DtlsParameters | undefined, idOf: (n: number) => string): Element {
  return xml('transport', { xmlns: NS_ICE_UDP, ufrag: ice.ufrag, pwd: ice.pwd },
    ...(dtls ? [fingerprintElement(dtls)] : []),
    ...ice.candidates.map((c, i) => xml('candidate', {
      component: String(c.component), foundation: c.foundation, generation: '0', id: idOf(i), ip: c.address, network: '0',
      port: String(c.port), priority: String(c.priority), protocol: c.protocol.toLowerCase(), type: c.type,
      ...(c.relAddress !== undefined ? { 'rel-addr': c.relAddress, 'rel-port': String(c.relPort ?? 0) } : {}),
    })),
  );
}

const num = (v: string | undefined, max: number): number | undefined => (v !== undefined && /^\d{1,10}$/.test(v) && Number(v) <= max ? Number(v) : undefined);

/** One `<candidate/>`: the candidate, undefined when it is one we skip, MalformedJingle when it cannot be read. */
function readCandidate(c: Element): IceCandidate | undefined {
  const a = c.attrs as Record<string, string | undefined>;
  const component = num(a.component, 256);
  const port = num(a.port, 65535);
  const priority = num(a.priority, 0xffffffff);
  const type = a.type ?? 'host';
  const foundation = a.foundation ?? '';
  if (!component || !port || !priority || !(CANDIDATE_TYPES as readonly string[]).includes(type) || !/^[A-Za-z0-9+/]{1,32}$/.test(foundation)) {
    throw new MalformedJingle('an ice-udp candidate without a usable component, foundation, port, priority or type (XEP-0176 §5.1)');
  }
  if ((a.protocol ?? 'udp').toLowerCase() !== 'udp') return undefined; // RFC 6544 TCP: not taken
  const ip = a.ip ?? '';
  if (isIP(ip) === 0) return undefined; // a name (mDNS .local): not resolved here
  const relAddress = a['rel-addr'] !== undefined && isIP(a['rel-addr']) !== 0 ? a['rel-addr'] : undefined;
  const relPort = num(a['rel-port'], 65535);
  return {
    foundation, component, protocol: 'udp', priority, address: ip, port, type: type as CandidateType,
    ...(relAddress !== undefined ? { relAddress, relPort: relPort ?? 0 } : {}),
  };
}

/** Reads an ICE-UDP `<transport/>` (XEP-0176 §5.1); MalformedJingle when it cannot be read or is oversized. */
export function readIceUdp(t: Element): IceUdp {
  const els = t.getChildren('candidate');
  if (els.length > MAX_ICE_CANDIDATES) throw new MalformedJingle(`${els.length} candidates in one transport`);
  const ufrag = t.attrs.ufrag ?? '';
  const pwd = t.attrs.pwd ?? '';
  // RFC 8839 § 5.4: ice-chars; lengths are checked by confab-media when the description is set
  if (!/^[A-Za-z0-9+/]{0,256}$/.test(ufrag) || !/^[A-Za-z0-9+/]{0,256}$/.test(pwd)) throw new MalformedJingle('ufrag/pwd are ice-chars (RFC 8839 § 5.4)');
  const candidates: IceCandidate[] = [];
  for (const el of els) {
    const c = readCandidate(el);
    if (c && !candidates.some((x) => x.address === c.address && x.port === c.port && x.component === c.component)) candidates.push(c);
  }
  const dtls = readFingerprint(t);
  return { ufrag, pwd, candidates, ...(dtls ? { dtls } : {}), complete: t.getChild('gathering-complete') !== undefined };
}
