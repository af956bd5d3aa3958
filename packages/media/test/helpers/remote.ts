/**
 * What an answerer would signal back for a local description: its codecs (payload types kept,
 * RFC 3264 § 6.1), address, ports and key; its video stream too when it has one.
 */
import type { LocalDescription, RemoteDescription } from '../../src/session/types';

export function remoteOf(l: LocalDescription, codec = 'opus'): RemoteDescription {
  const send = l.codecs.find((c) => c.name === codec) ?? l.codecs[0]!;
  const te = l.codecs.find((c) => c.name === 'telephone-event' && c.clockRate === send.clockRate);
  const v = l.video;
  const video = v ? { port: v.port, rtcpPort: v.rtcpPort, rtcpMux: v.rtcpMux, codecs: v.codecs, ...(v.crypto ? { crypto: v.crypto } : {}) } : undefined;
  return { address: l.address, port: l.port, rtcpPort: l.rtcpPort, rtcpMux: l.rtcpMux, codecs: te ? [send, te] : [send], ...(l.crypto ? { crypto: l.crypto } : {}), ...(video ? { video } : {}) };
}
