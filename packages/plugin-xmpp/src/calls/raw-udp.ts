/**
 * XEP-0177 raw UDP: the transport of a content is one candidate per component — 1 for RTP, 2 for
 * RTCP (XEP-0177 §4) — with ip, port, generation and id. Ours come from confab-media's local
 * description (its sockets' address and ports); theirs become the remote address and ports. With
 * rtcp-mux only component 1 is needed (RFC 5761); a peer's component 2 is still read (a peer that
 * does not multiplex sends its RTCP from there).
 */
import { xml, type Element } from '@xmpp/client';
import { isIP } from 'node:net';
import { NS_RAW_UDP } from './jingle-ns';
import { MalformedJingle } from './rtp-description';

/** More than RTP + RTCP of a few generations. */
export const MAX_CANDIDATES = 8;

export interface UdpEndpoint {
  readonly address: string;
  readonly port: number;
  /** Absent: port + 1, or the port itself with rtcp-mux. */
  readonly rtcpPort?: number;
}

/** Our candidates (XEP-0177 §4): component 1 the RTP socket, component 2 the RTCP one when it is another. */
export function rawUdpTransport(e: UdpEndpoint, idOf: (component: number) => string): Element {
  const candidate = (component: number, port: number) =>
    xml('candidate', { component: String(component), generation: '0', id: idOf(component), ip: e.address, port: String(port) });
  return xml('transport', { xmlns: NS_RAW_UDP },
    candidate(1, e.port),
    ...(e.rtcpPort !== undefined && e.rtcpPort !== e.port ? [candidate(2, e.rtcpPort)] : []),
  );
}

/**
 * The peer's endpoint from its raw-udp transport: the newest generation's candidates (XEP-0177 §4:
 * a transport-info with a higher generation replaces them). Undefined when the transport has no RTP
 * candidate (a transport of another kind, or candidates to come in a transport-info).
 */
export function readRawUdp(t: Element): UdpEndpoint | undefined {
  const cands = t.getChildren('candidate');
  if (cands.length > MAX_CANDIDATES) throw new MalformedJingle(`${cands.length} candidates`);
  let best: { gen: number; rtp?: UdpEndpoint; rtcp?: number } = { gen: -1 };
  for (const c of cands) {
    const ip = c.attrs.ip ?? '';
    const port = Number(c.attrs.port);
    const component = c.attrs.component;
    const gen = /^\d{1,9}$/.test(c.attrs.generation ?? '0') ? Number(c.attrs.generation ?? '0') : -1;
    if (isIP(ip) === 0 || !/^\d{1,5}$/.test(c.attrs.port ?? '') || port < 1 || port > 65535 || gen < 0) throw new MalformedJingle('a raw-udp candidate without a usable ip, port or generation');
    if (gen < best.gen) continue;
    if (gen > best.gen) best = { gen };
    if (component === '1') best.rtp = { address: ip, port };
    else if (component === '2') best.rtcp = port;
  }
  return best.rtp ? { ...best.rtp, ...(best.rtcp !== undefined ? { rtcpPort: best.rtcp } : {}) } : undefined;
}
