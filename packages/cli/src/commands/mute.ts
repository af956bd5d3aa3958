import { UsageError, type Parsed } from '../args';
import { callCommand } from '../calls';

const muted = (p: Parsed) => (p.positionals[1] ?? 'on') === 'on';

export const mute = callCommand({
  name: 'mute',
  summary: 'stop (on, the default) or restart (off) sending your audio in a call',
  usage: 'confab mute CALL [on|off] [--json]',
  check: (p) => {
    if (!['on', 'off', undefined].includes(p.positionals[1])) throw new UsageError(`expected on or off, got '${p.positionals[1]}'`);
  },
  act: (call, p) => call.SetMuted(muted(p)),
  done: (id, p) => `call ${id} ${muted(p) ? 'muted' : 'unmuted'}`,
});
