import { callCommand } from '../calls';

export const hangup = callCommand({
  name: 'hangup',
  summary: 'end a call in any state (cancels it before an answer)',
  usage: 'confab hangup CALL [--json]',
  act: (call) => call.Hangup(),
  done: (id) => `hung up call ${id}`,
});
