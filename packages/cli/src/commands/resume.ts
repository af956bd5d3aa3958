import { callCommand } from '../calls';

export const resume = callCommand({
  name: 'resume',
  summary: 'take a held call off hold',
  usage: 'confab resume CALL [--json]',
  act: (call) => call.Resume(),
  done: (id) => `resumed call ${id}`,
});
