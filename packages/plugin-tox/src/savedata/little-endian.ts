/**
 * Little-endian integers on top of the bounds-checked `Reader`/`Writer`: unlike the network protocol,
 * the savedata stores its section headers (and the self nospam) little-endian (c-toxcore 0.2.18
 * `toxcore/state.h`; Tox spec, "State Format": "Little Endian unless stated otherwise").
 */
import { Reader, Writer } from '../wire/bytes';

export function readU32le(r: Reader, what: string): number {
  const b = r.bytes(4, what);
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

export function writeU32le(w: Writer, v: number): Writer {
  return w.u8(v).u8(v >>> 8).u8(v >>> 16).u8(v >>> 24);
}
