/**
 * Long messages: RFC 1459 §2.3 limits a line to 512 bytes with CRLF, and the server relays ours with
 * a `:nick!user@host ` prefix we do not fully know. Split each line of the body so that the relayed
 * line fits, on UTF-8 character boundaries (never inside a code point), preferring a space near the end.
 */

/** Bytes of the body that fit in one PRIVMSG/NOTICE to `target` from `nick`. */
export function bodyBudget(nick: string, target: string, command: 'PRIVMSG' | 'NOTICE', action: boolean): number {
  // ":" nick "!" user(≤10) "@" host(≤63) " " command " " target " :" body CRLF — RFC 2812 §2.3.
  const prefix = 1 + Buffer.byteLength(nick) + 1 + 10 + 1 + 63 + 1;
  const fixed = prefix + command.length + 1 + Buffer.byteLength(target) + 2 + 2;
  const ctcp = action ? '\x01ACTION \x01'.length : 0;
  return Math.max(32, 512 - fixed - ctcp);
}

/** The body as lines of at most `maxBytes` UTF-8 bytes each; newlines start a new line; empty lines are dropped. */
export function splitMessage(body: string, maxBytes: number): string[] {
  const out: string[] = [];
  for (const line of body.split(/\r\n|\r|\n/)) {
    let rest = line;
    while (Buffer.byteLength(rest) > maxBytes) {
      let cut = 0;
      let bytes = 0;
      for (const ch of rest) {
        const b = Buffer.byteLength(ch);
        if (bytes + b > maxBytes) break;
        bytes += b;
        cut += ch.length;
      }
      const space = rest.lastIndexOf(' ', cut);
      if (space > cut * 0.7) cut = space + 1;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    if (rest.length > 0) out.push(rest);
  }
  return out;
}
