/**
 * Text from the wire. Tox carries names, status messages, messages and friend requests as bytes
 * that should be UTF-8 (Tox spec § "Messenger"); a peer may send anything. Decoding replaces each
 * invalid byte with U+FFFD, which is three bytes of UTF-8, so 128 bytes of garbage would become a
 * 384-byte name that no savedata field can hold (c-toxcore's friend record has 128 bytes for it).
 * `decodeBounded` keeps the decoded text within the byte bound it arrived under.
 * @since 0.1.0
 */

const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/**
 * `bytes` as text, invalid sequences replaced, cut at a character boundary so that its UTF-8 is
 * at most `maxBytes` long (only replaced sequences can make it longer than `bytes`).
 * @since 0.1.0
 */
export function decodeBounded(bytes: Uint8Array, maxBytes: number): string {
  const text = decoder.decode(bytes);
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = encoder.encode(ch).length;
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return out;
}

/** `text` in pieces of at most `max` bytes of UTF-8, cut between code points. @since 0.3.0 */
export function splitUtf8(text: string, max: number): string[] {
  const out: string[] = [];
  let part = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max && part) {
      out.push(part);
      part = '';
      bytes = 0;
    }
    part += ch;
    bytes += n;
  }
  if (part || out.length === 0) out.push(part);
  return out;
}
