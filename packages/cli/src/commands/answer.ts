import { callCommand, MEDIA_OPTIONS, mediaOptions } from '../calls';

export const answer = callCommand({
  name: 'answer',
  summary: 'answer a ringing call',
  usage: 'confab answer CALL [--video] [--play FILE.wav] [--record FILE.wav] [--json]',
  options: MEDIA_OPTIONS,
  check: (p) => void mediaOptions(p.values),
  act: (call, p) => call.Accept(mediaOptions(p.values)),
  done: (id) => `answered call ${id}`,
});
