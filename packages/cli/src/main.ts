#!/usr/bin/env node
/**
 * confab — the command-line client of confabd, over D-Bus only.
 * Exit codes: 0 success, 1 a failure (one line on stderr), 2 a usage error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, requirePositionals, UsageError } from './args';
import { CliError, Confab, describeError } from './bus';
import { account } from './commands/account';
import { ack } from './commands/ack';
import { answer } from './commands/answer';
import { call } from './commands/call';
import { calls } from './commands/calls';
import { devices } from './commands/devices';
import { contact } from './commands/contact';
import { dtmf } from './commands/dtmf';
import { hangup } from './commands/hangup';
import { hold } from './commands/hold';
import type { Command, Context } from './commands/context';
import { history } from './commands/history';
import { inbox } from './commands/inbox';
import { people, person } from './commands/people';
import { search } from './commands/search';
import { join as joinCmd } from './commands/join';
import { mute } from './commands/mute';
import { presence } from './commands/presence';
import { protocols } from './commands/protocols';
import { reject } from './commands/reject';
import { resume } from './commands/resume';
import { room } from './commands/room';
import { rooms } from './commands/rooms';
import { send } from './commands/send';
import { status } from './commands/status';
import { watch } from './commands/watch';
import { output } from './format';

const COMMANDS: readonly Command[] = [
  status, protocols, account, presence, joinCmd, room, rooms, contact, people, person, send, watch, inbox, history, search, ack,
  call, calls, answer, reject, hangup, hold, resume, mute, dtmf, devices,
];
const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: confab COMMAND [ARGS] [--json] [--help]

The command-line client of confabd (im.confab.Confab1 on the session bus).

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Every command takes --json (machine-readable output) and --help.
Run \`confab COMMAND --help\` for a command's arguments.
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return 0;
  }
  if (name === '--version') {
    process.stdout.write(`confab ${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`confab: unknown command '${name}' (see \`confab --help\`)\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.summary}\n\n${command.usage.startsWith('usage') ? command.usage : `usage: ${command.usage}`}\n`);
    return 0;
  }
  let confab: Confab | undefined;
  const ctx: Context = {
    argv: rest,
    out: output(rest.includes('--json')),
    confab: async () => (confab ??= await Confab.connect()),
    stdin: () => new Promise((resolve, reject) => {
      let text = '';
      process.stdin.setEncoding('utf8');
      process.stdin.on('data', (d: string) => (text += d));
      process.stdin.on('end', () => resolve(text));
      process.stdin.on('error', reject);
    }),
  };
  try {
    const args = parse(rest, command.options);
    requirePositionals(args, command.positionals ?? 0, command.usage);
    const code = await command.run(ctx, args);
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`confab ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`confab: ${err instanceof CliError ? err.message : describeError(err)}\n`);
    return 1;
  } finally {
    confab?.close();
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
