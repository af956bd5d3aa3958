/**
 * webrtcbin's ICE agent (GstWebRTCICE, libnice inside: `ice-agent` property): where candidates are
 * gathered, and the STUN/TURN servers it uses.
 *
 * Trap (measured here): reading `ice-agent` through node-gtk 4.1.1 and letting the wrapper be
 * collected frees the agent under webrtcbin (GST_IS_WEBRTC_ICE assertions, then ICE stuck in
 * `checking` in 1 call of 3, or free(): invalid pointer). The wrapper is therefore kept for the
 * process's life (a few bytes a session), never collected.
 * @since 0.3.0
 */
import { InvalidArgumentError } from '@confab/sdk';
import type { GObjectLike, GstElement } from '../gst/gi';
import type { IceServer } from './types';

const kept = new Set<GObjectLike>();

/** Keeps a node-gtk wrapper of an object webrtcbin owns (its ICE agent, transceiver, DTLS transport) uncollected: see above. */
export function keepWrapper(o: object): void {
  kept.add(o as GObjectLike);
}

/**
 * Limits gathering to the session's address: GstWebRTCICE `add-local-ip-address` (GStreamer 1.22,
 * libnice `nice_agent_add_local_address`): once one is given, libnice gathers host candidates on it
 * only — never the machine's other interfaces — and STUN/TURN from it.
 */
export function bindIceAgent(webrtc: GstElement, address: string): void {
  const ice = webrtc.iceAgent as GObjectLike | null;
  if (!ice) throw new Error('webrtcbin has no ICE agent');
  kept.add(ice);
  if (ice.emit('add-local-ip-address', address) !== true) throw new InvalidArgumentError(`ICE cannot gather on ${address}`);
}

/** `host:port` of a stun:/turn: URI (RFC 7064 § 3.1, RFC 7065 § 3.1), default port 3478 (5349 for the s forms). */
function hostPort(uri: string): { scheme: string; host: string; port: number; transport?: string } {
  const m = /^(stuns?|turns?):(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/.exec(uri);
  if (!m) throw new InvalidArgumentError('an ICE server URL must be stun:, stuns:, turn: or turns: host[:port][?transport=udp|tcp]');
  const scheme = m[1]!;
  return { scheme, host: m[2]!, port: m[3] ? Number(m[3]) : scheme.endsWith('s') ? 5349 : 3478, ...(m[4] ? { transport: m[4] } : {}) };
}

/** Checks the servers (never echoing credentials in an error). */
export function checkIceServers(servers: readonly IceServer[] | undefined): void {
  for (const s of servers ?? []) {
    if (s.urls.length === 0) throw new InvalidArgumentError('an ICE server needs at least one URL');
    for (const u of s.urls) {
      const { scheme } = hostPort(u);
      if (scheme.startsWith('turn') && (!s.username || !s.credential)) throw new InvalidArgumentError('a TURN server needs a username and a credential');
    }
  }
}

/** Whether the servers include a TURN server: the session then has a relayed candidate to wait for (RFC 8445 § 5.1.1.2). */
export function hasTurnServer(servers: readonly IceServer[] | undefined): boolean {
  return (servers ?? []).some((s) => s.urls.some((u) => /^turns?:/.test(u)));
}

/**
 * webrtcbin's `stun-server` (one, `stun://host:port`) and `add-turn-server`
 * (`turn(s)://user:pass@host:port`, user and password URI-encoded). The TURN URL holds the secret: it
 * is handed to webrtcbin and never kept, logged or returned.
 */
export function applyIceServers(webrtc: GstElement, servers: readonly IceServer[] | undefined): void {
  let stun = false;
  for (const s of servers ?? []) {
    for (const u of s.urls) {
      const h = hostPort(u);
      if (h.scheme === 'stun' && !stun) {
        webrtc.stunServer = `stun://${h.host}:${h.port}`;
        stun = true;
      } else if (h.scheme.startsWith('turn')) {
        const auth = `${encodeURIComponent(s.username ?? '')}:${encodeURIComponent(s.credential ?? '')}`;
        const query = h.transport ? `?transport=${h.transport}` : '';
        webrtc.emit('add-turn-server', `${h.scheme}://${auth}@${h.host}:${h.port}${query}`);
      }
    }
  }
}
