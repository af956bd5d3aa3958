/**
 * The section container of c-toxcore's state format (c-toxcore 0.2.18 `toxcore/state.c` `state_load`,
 * `state_write_section_header`; Tox spec, "State Format"). A run of sections, each
 *
 *     length u32le | type u16le | cookie u16le | data (length bytes)
 *
 * (the middle two are one u32le, `cookie << 16 | type`). The same container nests inside the DHT section
 * with another cookie. Reading stops at the END section; c-toxcore ignores whatever follows it, and
 * `tox_get_savedata` leaves zeros there (it sizes the TCP relay and path node sections for their maximum).
 */
import { copyBytes } from '../wire/copy';
import { Malformed, Reader, Truncated, Writer } from '../wire/bytes';
import { readU32le, writeU32le } from './little-endian';

/** A section as it is stored: its type and its data (a copy, not a view on the input). @since 0.1.0 */
export interface RawSection {
  readonly type: number;
  readonly data: Uint8Array;
}

const HEADER_SIZE = 8;

/**
 * Reads sections until `endType` (whose length must be 0) or the end of the input. A section longer
 * than what is left is `Truncated`, a cookie other than `cookie` is `Malformed`, and so is a tail too
 * short for a header (c-toxcore: "unparsed data in state file").
 */
export function readSections(
  r: Reader,
  cookie: number,
  name: string,
  endType?: number,
): { sections: RawSection[]; ended: boolean } {
  const sections: RawSection[] = [];
  while (r.remaining >= HEADER_SIZE) {
    const length = readU32le(r, `${name} section length`);
    const cookieType = readU32le(r, `${name} section type`);
    const type = cookieType & 0xffff;
    if (cookieType >>> 16 !== cookie) {
      throw new Malformed(`${name} section of type ${type} has cookie 0x${(cookieType >>> 16).toString(16)}, not 0x${cookie.toString(16)}`);
    }
    if (type === endType) {
      if (length !== 0) throw new Malformed(`${name} END section has length ${length}, not 0`);
      return { sections, ended: true };
    }
    sections.push({ type, data: copyBytes(r.bytes(length, `${name} section of type ${type}`)) });
  }
  if (r.remaining !== 0) throw new Truncated(`${name} section header`, HEADER_SIZE, r.remaining);
  return { sections, ended: false };
}

export function writeSection(w: Writer, cookie: number, type: number, data: Uint8Array): void {
  writeU32le(w, data.length);
  writeU32le(w, ((cookie << 16) | type) >>> 0);
  w.bytes(data);
}
