import { UsageError } from '../args';
import { callCommand } from '../calls';

export const dtmf = callCommand({
  name: 'dtmf',
  summary: 'send telephone keypad digits (0-9 * # A-D) in a call',
  usage: 'confab dtmf CALL DIGITS [--json]',
  positionals: 2,
  check: (p) => {
    if (!/^[0-9*#A-D]+$/.test(p.positionals[1])) throw new UsageError(`DIGITS must be 0-9, *, # or A-D, not '${p.positionals[1]}'`);
  },
  act: (call, p) => call.SendDtmf(p.positionals[1]),
  done: (id, p) => `sent ${p.positionals[1]} in call ${id}`,
});
