/** Building the lines we send (RFC 1459 §2.3.1 message format), refusing what would break framing. */
import { InvalidArgumentError } from '@confab/sdk';

/**
 * `COMMAND a b :last words`: the last parameter gets its colon when it is empty, has a space or
 * starts with one; the others must be single words. CR, LF and NUL end a line on the wire and are
 * refused anywhere, so that no argument can inject a second command.
 */
export function buildLine(args: readonly string[]): string {
  const last = args.length - 1;
  return args.map((a, i) => {
    if (/[\r\n\0]/.test(a)) throw new InvalidArgumentError('a line break or NUL cannot be sent to IRC');
    const trailing = a === '' || a.startsWith(':') || /\s/.test(a);
    if (!trailing) return a;
    if (i === last && i > 0) return `:${a}`;
    throw new InvalidArgumentError(`'${a}' must be one word`);
  }).join(' ');
}
