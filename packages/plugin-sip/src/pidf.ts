/**
 * Presence documents: PIDF (RFC 3863) with the RPID activities of RFC 4480 for away/busy, the
 * format of SIP presence (RFC 3856 §6) that kamailio's presence_xml, baresip and linphone use.
 * Free of sip.js.
 */
import { parseString, processors } from 'xml2js';
import type { ContactPresence, Presence, PresenceStatus } from '@confab/sdk';

export const PIDF_TYPE = 'application/pidf+xml';

/** Bounded: a presence document bigger than this is refused unread. */
const MAX_DOCUMENT = 64 * 1024;

/** Our presence as a PIDF document for PUBLISH (RFC 3903). `invisible` and `offline` publish `closed`. */
export function buildPidf(entity: string, presence: Presence): string {
  const open = presence.status === 'available' || presence.status === 'away' || presence.status === 'busy';
  const activity = presence.status === 'away' ? '<rpid:away/>' : presence.status === 'busy' ? '<rpid:busy/>' : '';
  const note = presence.message && open ? `<note>${escapeXml(presence.message)}</note>` : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${escapeXml(entity)}">\r\n` +
    `<tuple id="confab"><status><basic>${open ? 'open' : 'closed'}</basic></status>${note}</tuple>\r\n` + // RFC 3863 §4.1.4
    (activity ? `<dm:person id="p"><rpid:activities>${activity}</rpid:activities></dm:person>\r\n` : '') + // RFC 4480 §3.2
    '</presence>\r\n'
  );
}

// RFC 4480 §3.2 activities, mapped to the model's statuses.
const BUSY = new Set(['busy', 'on-the-phone', 'meeting', 'performance', 'presentation', 'worship', 'in-transit', 'playing', 'working']);
const AWAY = new Set(['away', 'sleeping', 'vacation', 'travel', 'appointment', 'holiday', 'permanent-absence', 'steering', 'lookingForWork']);

type Node = { [key: string]: unknown };

/**
 * A contact's presence from a NOTIFY body. An empty body (RFC 3856 §6.6.2: a pending or terminated
 * subscription) or a document we cannot read is `unknown`; a closed one is `offline`.
 */
export function parsePidf(id: string, body: string): ContactPresence {
  const unknown: ContactPresence = { id, status: 'unknown', message: '' };
  if (!body.trim() || body.length > MAX_DOCUMENT) return unknown;
  let doc: Node | undefined;
  // xml2js calls back synchronously with async: false (its default); no entity expansion beyond XML's five.
  parseString(body, { tagNameProcessors: [processors.stripPrefix], attrNameProcessors: [processors.stripPrefix], explicitArray: true, async: false }, (err, result: Node) => {
    if (!err) doc = result;
  });
  const root = doc?.presence;
  const presence = root && typeof root === 'object' ? (root as Node) : undefined; // the root element is not wrapped in an array
  if (!presence) return unknown;
  const tuples = list(presence.tuple);
  const basics = tuples.map((t) => text(first(first(t.status)?.basic)).toLowerCase());
  const notes = [...tuples.map((t) => t.note), presence.note, ...list(presence.person).map((p) => p.note)].map(text).filter(Boolean);
  const activities = list(presence.person).flatMap((p) => list(p.activities)).flatMap((a) => Object.keys(a).filter((k) => k !== '$' && k !== '_'));
  let status: PresenceStatus | 'unknown';
  if (basics.includes('open')) {
    status = activities.some((a) => BUSY.has(a)) ? 'busy' : activities.some((a) => AWAY.has(a)) ? 'away' : 'available';
  } else if (basics.includes('closed')) {
    status = 'offline';
  } else {
    status = 'unknown';
  }
  return { id, status, message: notes[0] ?? '' };
}

function list(v: unknown): Node[] {
  return Array.isArray(v) ? v.filter((x): x is Node => typeof x === 'object' && x !== null) : [];
}

function first(v: unknown): Node | undefined {
  return Array.isArray(v) ? (v[0] as Node | undefined) : undefined;
}

/** The text of an element that xml2js gave as a string or as `{ _: text, $: attrs }`. */
function text(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (Array.isArray(v)) return text(v[0]);
  if (v && typeof v === 'object' && typeof (v as Node)._ === 'string') return ((v as Node)._ as string).trim();
  return '';
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`);
}
