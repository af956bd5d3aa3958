import { callCommand } from '../calls';

export const hold = callCommand({
  name: 'hold',
  summary: 'put an active call on hold',
  usage: 'confab hold CALL [--json]',
  act: (call) => call.Hold(),
  done: (id) => `call ${id} on hold`,
});
