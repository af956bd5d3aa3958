/**
 * The onion's fixed-size IP_Port (19 bytes), which c-toxcore's onion.c writes with its own
 * ipport_pack — not the packed node format: the family byte (2 = IPv4, 10 = IPv6, as
 * TOX_AF_INET/TOX_AF_INET6), 16 address bytes (an IPv4 address in the first 4, zeros after), the
 * port big-endian. Request layers name the next hop in it (spec § "Onion", "IP_Port of node B");
 * return data holds the previous hop in it. A relay accepts only UDP families for a next hop
 * (c-toxcore's ipport_unpack without disable_family_check).
 * @since 0.1.0
 */
import { Malformed, Reader, Writer } from '../wire/bytes';
import { bytesToIp, ipToBytes, type SocketAddress } from '../wire/ip';
import { IP_PORT_SIZE } from './constants';

const FAMILY_IPV4 = 2;
const FAMILY_IPV6 = 10;

/** Writes `a` in the 19-byte layout. Throws `Malformed` for a host that is no IP literal. @since 0.1.0 */
export function writeIpPort(w: Writer, a: SocketAddress): Writer {
  const ip = ipToBytes(a.host);
  const padded = new Uint8Array(16);
  padded.set(ip);
  return w.u8(ip.length === 4 ? FAMILY_IPV4 : FAMILY_IPV6).bytes(padded).u16(a.port);
}

/** The 19 bytes of `a`. @since 0.1.0 */
export function encodeIpPort(a: SocketAddress): Uint8Array {
  return writeIpPort(new Writer(IP_PORT_SIZE), a).finish();
}

/** Reads a UDP IPv4/IPv6 IP_Port; any other family is `Malformed`. @since 0.1.0 */
export function readIpPort(r: Reader): SocketAddress {
  const family = r.u8('ip family');
  const ip = r.bytes(16, 'ip address');
  const port = r.u16('port');
  if (family === FAMILY_IPV4) return { host: bytesToIp(ip.subarray(0, 4)), port };
  if (family === FAMILY_IPV6) return { host: bytesToIp(ip), port };
  throw new Malformed(`onion ip family ${family}`);
}
