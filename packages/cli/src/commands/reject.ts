import { callCommand } from '../calls';

export const reject = callCommand({
  name: 'reject',
  summary: 'refuse a ringing call (declined, or busy with --busy)',
  usage: 'confab reject CALL [--busy] [--json]',
  options: { busy: { type: 'boolean' } },
  act: (call, p) => call.Reject(p.values.busy ? 'busy' : 'declined'),
  done: (id, p) => `rejected call ${id} (${p.values.busy ? 'busy' : 'declined'})`,
});
