/**
 * The DHT section: its own cookie, then sections of the same container with the DHT's cookie; type 4
 * holds the packed nodes the DHT knew (c-toxcore 0.2.18 `toxcore/DHT.c` `dht_save`, `dht_load`; Tox
 * spec, "State Format", "DHT"):
 *
 *     0x0159000d u32le | sections (cookie 0x11ce): type 4 = nodes
 *
 * At most `MAX_SAVED_DHT_NODES` = ((DHT_FAKE_FRIEND_NUMBER 2 × MAX_FRIEND_CLIENTS 8) + LCLIENT_LIST
 * 1024) × 2 = 2080 nodes, UDP families only. Other DHT sections are kept verbatim.
 */
import { Malformed, Reader, Writer } from '../wire/bytes';
import { readU32le, writeU32le } from './little-endian';
import { SavedNode, readNodes, writeNodes } from './nodes';
import { RawSection, readSections, writeSection } from './sections';

const DHT_STATE_COOKIE_GLOBAL = 0x0159000d;
const DHT_STATE_COOKIE_TYPE = 0x11ce;
const DHT_STATE_TYPE_NODES = 4;
export const MAX_SAVED_DHT_NODES = 2080;

export interface DhtState {
  readonly nodes: SavedNode[];
  readonly otherSections: RawSection[];
}

export function readDht(data: Uint8Array): DhtState {
  const r = new Reader(data);
  const cookie = readU32le(r, 'DHT cookie');
  if (cookie !== DHT_STATE_COOKIE_GLOBAL) throw new Malformed(`DHT section cookie 0x${cookie.toString(16)}, not 0x159000d`);
  const { sections } = readSections(r, DHT_STATE_COOKIE_TYPE, 'DHT');
  const nodes: SavedNode[] = [];
  const otherSections: RawSection[] = [];
  for (const s of sections) {
    if (s.type !== DHT_STATE_TYPE_NODES) {
      otherSections.push(s);
      continue;
    }
    const max = MAX_SAVED_DHT_NODES - nodes.length;
    nodes.push(...readNodes(s.data, { tcpAllowed: false, max, what: 'DHT nodes' }));
  }
  return { nodes, otherSections };
}

export function writeDht(state: DhtState): Uint8Array {
  if (state.nodes.length > MAX_SAVED_DHT_NODES) throw new Malformed(`${state.nodes.length} DHT nodes, at most ${MAX_SAVED_DHT_NODES}`);
  if (state.nodes.some((n) => n.tcp)) throw new Malformed('a DHT node is UDP, not TCP');
  const nodes = new Writer();
  writeNodes(nodes, state.nodes, 'DHT node');
  const w = new Writer();
  writeU32le(w, DHT_STATE_COOKIE_GLOBAL);
  writeSection(w, DHT_STATE_COOKIE_TYPE, DHT_STATE_TYPE_NODES, nodes.finish());
  for (const s of state.otherSections) writeSection(w, DHT_STATE_COOKIE_TYPE, s.type, s.data);
  return w.finish();
}
