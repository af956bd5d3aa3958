/**
 * The UDP sockets of an RTP session, made here (Gio) and handed to udpsrc and udpsink, so that one
 * socket both sends and receives (symmetric RTP, RFC 4961 § 4) and the local port is known before the
 * pipeline runs. Bound only to the address asked for. Without RTCP multiplexing (RFC 5761) RTCP gets
 * its own socket on the next port up, so the RTP port is even (RFC 3550 § 11).
 * @since 0.1.0
 */
import { gio, type GioSocket } from '../gst/gi';

export interface SocketPair {
  readonly rtp: GioSocket;
  /** Absent with RTCP multiplexed on the RTP socket. */
  readonly rtcp?: GioSocket;
  readonly address: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
}

const TRIES = 50;
const FIRST = 20000;
const LAST = 59998;

function udpSocket(address: string, port: number): GioSocket | undefined {
  const Gio = gio();
  const family = address.includes(':') ? Gio.SocketFamily.IPV6 : Gio.SocketFamily.IPV4;
  const where = Gio.InetSocketAddress.newFromString(address, port);
  if (!where) throw new Error(`not an IP address: ${address}`);
  const socket = Gio.Socket.new(family, Gio.SocketType.DATAGRAM, Gio.SocketProtocol.UDP);
  try {
    socket.bind(where, false);
    return socket;
  } catch {
    socket.close();
    return undefined;
  }
}

/** Binds the session's socket(s) on `address`; throws when no port is free after a few tries. */
export function bindSockets(address: string, rtcpMux: boolean, random: () => number = Math.random): SocketPair {
  for (let i = 0; i < TRIES; i++) {
    const port = FIRST + 2 * Math.floor(random() * ((LAST - FIRST) / 2));
    const rtp = udpSocket(address, port);
    if (!rtp) continue;
    if (rtcpMux) return { rtp, address, rtpPort: port, rtcpPort: port };
    const rtcp = udpSocket(address, port + 1);
    if (rtcp) return { rtp, rtcp, address, rtpPort: port, rtcpPort: port + 1 };
    rtp.close();
  }
  throw new Error(`no free UDP port pair on ${address}`);
}

export function closeSockets(p: SocketPair): void {
  p.rtp.close();
  p.rtcp?.close();
}
