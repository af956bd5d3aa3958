#!/usr/bin/env node
/**
 * confab-media: `confab-media [serve]` owns im.confab.Media1 on the session bus;
 * `confab-media aec-check …` runs a call's capture processing on two recordings.
 * @since 0.1.0
 */
import { AEC_CHECK_USAGE, aecCheckCommand } from './cli/aec-check-command';
import { quitMainLoop, runMainLoop } from './gst/main-loop';

const USAGE = `usage: confab-media [serve]\n       ${AEC_CHECK_USAGE}`;

function report(where: string, err: unknown): void {
  process.stderr.write(`confab-media: ${where}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}

/** Runs `task` inside the GLib main loop; exits with 0 when it resolves, 1 when it rejects. */
function runInLoop(task: () => Promise<void>): void {
  let code = 0;
  setImmediate(() => {
    task().then(
      () => quitMainLoop(),
      (err: unknown) => {
        process.stderr.write(`confab-media: ${err instanceof Error ? err.message : String(err)}\n`);
        code = 1;
        quitMainLoop();
      },
    );
  });
  runMainLoop();
  process.exit(code);
}

function main(argv: readonly string[]): void {
  const command = argv[0] ?? 'serve';
  if (command === 'aec-check') return runInLoop(() => aecCheckCommand(argv.slice(1), report));
  if (command === 'serve') {
    return runInLoop(async () => {
      const { serve } = await import('./service/serve');
      await serve(report);
    });
  }
  process.stderr.write(`${USAGE}\n`);
  process.exit(command === '--help' || command === 'help' ? 0 : 2);
}

main(process.argv.slice(2));
