/**
 * What a MESSAGE (RFC 3428) body says, by its Content-Type: the text types peers send (text/plain,
 * text/html from some softphones, message/cpim wrappers from IMS and linphone, RFC 3862) and
 * isComposing indications (RFC 3994), which are chat states, not messages. Free of sip.js.
 */
import type { ChatState } from '@confab/sdk';

export type MessageContent =
  | { readonly type: 'text'; readonly body: string }
  | { readonly type: 'chat-state'; readonly state: ChatState }
  | { readonly type: 'unsupported'; readonly contentType: string };

/** What we answer a 415 with (RFC 3261 §21.4.13: Accept lists what we take). */
export const ACCEPTED_TYPES = ['text/plain', 'text/html', 'message/cpim', 'application/im-iscomposing+xml'];
export const ISCOMPOSING_TYPE = 'application/im-iscomposing+xml';

const MAX_DEPTH = 3; // CPIM inside CPIM is legal; loops of it are not useful

export function decodeMessage(contentType: string | undefined, body: string, depth = 0): MessageContent {
  const type = (contentType ?? 'text/plain').split(';', 1)[0].trim().toLowerCase(); // RFC 3428 §9: text/plain when absent is common
  switch (type) {
    case 'text/plain':
      return { type: 'text', body };
    case 'text/html':
      return { type: 'text', body: htmlToText(body) };
    case 'message/cpim':
      return depth < MAX_DEPTH ? decodeCpim(body, depth) : { type: 'unsupported', contentType: type };
    case ISCOMPOSING_TYPE:
      return { type: 'chat-state', state: composingState(body) };
    default:
      return { type: 'unsupported', contentType: type };
  }
}

/** RFC 3862 §3: CPIM headers, a blank line, then a MIME entity (its headers, a blank line, its body). */
function decodeCpim(body: string, depth: number): MessageContent {
  const [, rest] = splitOnce(body, /\r?\n\r?\n/);
  const [mimeHeaders, content] = splitOnce(rest, /\r?\n\r?\n/);
  const ct = /^content-type:\s*(.+)$/im.exec(mimeHeaders)?.[1]?.trim();
  return decodeMessage(ct, content, depth + 1);
}

/** RFC 3994 §4: `active` while typing, `idle` after; absent or unreadable means the composer stopped. */
function composingState(body: string): ChatState {
  const state = /<(?:\w+:)?state>\s*([a-z]+)\s*<\/(?:\w+:)?state>/i.exec(body)?.[1]?.toLowerCase();
  return state === 'active' ? 'composing' : 'paused';
}

/** RFC 3994 §3 document for our own typing state. */
export function buildIsComposing(state: ChatState): string {
  const active = state === 'composing';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    '<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">' +
    `<state>${active ? 'active' : 'idle'}</state><contenttype>text/plain</contenttype>${active ? '<refresh>90</refresh>' : ''}` +
    '</isComposing>\r\n'
  );
}

function splitOnce(s: string, sep: RegExp): [string, string] {
  const m = sep.exec(s);
  return m ? [s.slice(0, m.index), s.slice(m.index + m[0].length)] : [s, ''];
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The text of an HTML fragment: line breaks kept, tags dropped, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p\s*>/gi, '\n')
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .trim();
}
