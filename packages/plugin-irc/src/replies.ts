/**
 * Which reply answers which of our commands.
 *
 * With IRCv3 labeled-response (https://ircv3.net/specs/extensions/labeled-response) every command we
 * send carries `@label=<id>`, and the server tags its answer with it: one line, an `ACK` when it has
 * nothing to say, or a `BATCH` of type `labeled-response` around several lines. An error numeric in
 * the answer is the refusal; anything else means the server took the command.
 *
 * Without it, the command is followed by `PING :<id>`: a server handles one client's lines in order
 * (RFC 2812 §3.7.2), so an error numeric about the command's subject that arrives before the PONG
 * is the refusal, and the PONG without one is the acceptance.
 */
import { ConfabError } from '@confab/sdk';
import { rfc1459Lower } from './casemap';

/** A line from the server, as irc-framework's `ircLineParser` gives it. */
export interface ParsedLine {
  readonly command: string;
  readonly params: readonly string[];
  readonly tags: Readonly<Record<string, string | undefined>>;
}

export interface Reply {
  /** The line that answered (the first non-error line of a batch), if any: echo, RPL_*, ACK. */
  readonly line?: ParsedLine;
}

interface Waiter {
  readonly subjects: ReadonlySet<string>;
  timer?: NodeJS.Timeout;
  readonly resolve: (r: Reply) => void;
  readonly reject: (e: ConfabError) => void;
  error?: ConfabError;
  first?: ParsedLine;
}

/** RFC 2812 §5.2 error replies (and 4xx/5xx generally) as Confab errors. */
const ERROR_CODES: Record<string, ConfabError['code']> = {
  '401': 'NotFound', // ERR_NOSUCHNICK
  '403': 'NotFound', // ERR_NOSUCHCHANNEL
  '404': 'NotCapable', // ERR_CANNOTSENDTOCHAN
  '441': 'NotFound', // ERR_USERNOTINCHANNEL
  '442': 'NotAvailable', // ERR_NOTONCHANNEL
  '443': 'NotAvailable', // ERR_USERONCHANNEL
  '461': 'InvalidArgument', // ERR_NEEDMOREPARAMS
  '472': 'InvalidArgument', // ERR_UNKNOWNMODE
  '481': 'PermissionDenied', // ERR_NOPRIVILEGES
  '482': 'PermissionDenied', // ERR_CHANOPRIVSNEEDED
  '501': 'InvalidArgument', // ERR_UMODEUNKNOWNFLAG
};

export function isErrorNumeric(command: string): boolean {
  return /^[45]\d\d$/.test(command);
}

/** An error numeric as a ConfabError with the server's own words. */
export function numericError(line: ParsedLine): ConfabError {
  const code = ERROR_CODES[line.command] ?? (line.command.startsWith('48') ? 'PermissionDenied' : 'NotAvailable');
  const subject = line.params.length > 2 ? `${line.params.slice(1, -1).join(' ')}: ` : '';
  return new ConfabError(code, `${subject}${line.params[line.params.length - 1] ?? ''} (${line.command})`);
}

export class PendingReplies {
  private seq = 0;
  private readonly byLabel = new Map<string, Waiter>();
  private readonly batches = new Map<string, string>(); // batch id → label
  private readonly byPing = new Map<string, Waiter>();

  get size(): number {
    return this.byLabel.size + this.byPing.size;
  }

  /** A new label / PING token, unique on this connection. */
  next(): string {
    return `cf${++this.seq}`;
  }

  /** Waits for the labeled answer to the command sent with `label` (timeoutMs 0: until the connection ends). */
  expectLabel(label: string, subjects: readonly string[], timeoutMs: number): Promise<Reply> {
    return this.expect(this.byLabel, label, subjects, timeoutMs);
  }

  /** Waits for the PONG to `token`, collecting an error numeric that names one of `subjects` on the way. */
  expectPong(token: string, subjects: readonly string[], timeoutMs: number): Promise<Reply> {
    return this.expect(this.byPing, token, subjects, timeoutMs);
  }

  private expect(map: Map<string, Waiter>, key: string, subjects: readonly string[], timeoutMs: number): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const w: Waiter = { subjects: new Set(subjects.map(rfc1459Lower)), resolve, reject };
      if (timeoutMs > 0) {
        w.timer = setTimeout(() => {
          map.delete(key);
          reject(new ConfabError('NetworkError', `the server did not answer within ${timeoutMs / 1000} s`));
        }, timeoutMs);
      }
      map.set(key, w);
    });
  }

  /** Takes every server line while something waits; returns true when the line was an answer consumed here. */
  feed(line: ParsedLine): boolean {
    const label = line.tags.label;
    if (label !== undefined && this.byLabel.has(label)) return this.labeled(label, line);
    const batch = line.tags.batch;
    if (batch !== undefined && this.batches.has(batch)) {
      const w = this.byLabel.get(this.batches.get(batch)!);
      if (w) this.note(w, line);
      return false; // irc-framework handles the batch's lines as usual
    }
    if (line.command === 'BATCH' && line.params[0]?.startsWith('-')) {
      const id = line.params[0].slice(1);
      const l = this.batches.get(id);
      if (l !== undefined) {
        this.batches.delete(id);
        this.settle(this.byLabel, l);
      }
      return false;
    }
    if (line.command === 'PONG' && this.byPing.has(line.params[line.params.length - 1])) {
      this.settle(this.byPing, line.params[line.params.length - 1]);
      return true;
    }
    if (this.byPing.size > 0 && isErrorNumeric(line.command)) {
      // Without labels: the oldest waiter whose subject the numeric names.
      const named = line.params.slice(1).map(rfc1459Lower);
      for (const w of this.byPing.values()) {
        if (!w.error && named.some((n) => w.subjects.has(n))) {
          w.error = numericError(line);
          break;
        }
      }
    }
    return false;
  }

  /** The connection closed: everyone waiting gets `err`. */
  failAll(err: ConfabError): void {
    for (const w of [...this.byLabel.values(), ...this.byPing.values()]) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.byLabel.clear();
    this.byPing.clear();
    this.batches.clear();
  }

  private labeled(label: string, line: ParsedLine): boolean {
    const w = this.byLabel.get(label)!;
    if (line.command === 'BATCH' && line.params[0]?.startsWith('+')) {
      this.batches.set(line.params[0].slice(1), label); // answered by the lines of this batch
      return false;
    }
    this.note(w, line);
    this.settle(this.byLabel, label);
    return line.command === 'ACK';
  }

  private note(w: Waiter, line: ParsedLine): void {
    if (isErrorNumeric(line.command)) w.error ??= numericError(line);
    else w.first ??= line;
  }

  private settle(map: Map<string, Waiter>, key: string): void {
    const w = map.get(key);
    if (!w) return;
    map.delete(key);
    clearTimeout(w.timer);
    if (w.error) w.reject(w.error);
    else w.resolve({ line: w.first });
  }
}
