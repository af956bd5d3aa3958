/**
 * confab call ACCOUNT TARGET: places a call and, unless --detach, stays with it — one line per State
 * change until it ended; Ctrl-C hangs up. Exit code 0 when the call had been answered, 1 otherwise.
 */
import { accountPath, CALL, describeError, lastElement, type Confab } from '../bus';
import { callLine, callState, followCall, MEDIA_OPTIONS, mediaOptions, statsLine } from '../calls';
import type { Command, Context } from './context';

export const call: Command = {
  name: 'call',
  summary: 'call a contact and follow the call until it ends (Ctrl-C hangs up)',
  usage: 'confab call ACCOUNT TARGET [--video] [--play FILE.wav] [--record FILE.wav] [--detach] [--json]',
  options: { ...MEDIA_OPTIONS, detach: { type: 'boolean' } },
  positionals: 2,
  async run(ctx, p) {
    const [account, target] = p.positionals;
    const options = mediaOptions(p.values);
    const c = await ctx.confab();
    const path = (await (await c.manager()).StartCall(accountPath(account), target, options)) as string;
    if (p.values.detach) return ctx.out.json ? ctx.out.data({ call: lastElement(path), path }) : ctx.out.print(lastElement(path));
    process.stderr.write(`confab: calling ${target} (call ${lastElement(path)}; Ctrl-C hangs up)\n`);
    return follow(ctx, c, path);
  },
};

/** How often `confab call` prints the call's statistics (they change every 2 s). */
const STATS_EVERY_MS = 10_000;

/** Prints each State of the call, and its statistics every 10 s, until it ended; resolves with the exit code. */
async function follow(ctx: Context, c: Confab, path: string): Promise<number> {
  const id = lastElement(path);
  const print = (props: Record<string, unknown>) => {
    const s = callState(path, props);
    return ctx.out.json ? ctx.out.data(s) : ctx.out.print(callLine(s));
  };
  let settle: (code: number) => void = () => {};
  const settled = new Promise<number>((resolve) => (settle = resolve));
  const fail = (why: string) => {
    process.stderr.write(`confab: ${why}\n`);
    settle(1);
  };
  let interrupts = 0;
  const interrupt = () => {
    if (++interrupts > 1) return fail(`left call ${id} without waiting for it to end`);
    process.stderr.write(`confab: hanging up call ${id}\n`);
    c.call(path).then((k) => k.Hangup()).catch((e: unknown) => fail(describeError(e)));
  };
  let stop = () => {};
  let statsShown = 0;
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    await c.onGone(fail);
    stop = await followCall(c, path, (props) => {
      if (props.State !== 'ended') return print(props);
      void final(c, path, props).then((last) => {
        print(last);
        settle(Number(last.AnsweredAt) > 0 ? 0 : 1);
      });
    }, undefined, (stats) => {
      if (Date.now() - statsShown < STATS_EVERY_MS) return;
      statsShown = Date.now();
      return ctx.out.json ? ctx.out.data({ call: id, stats }) : ctx.out.print(`  ${statsLine(stats)}`);
    });
    return await settled;
  } finally {
    stop();
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
}

/** The ended call's properties: read again, in case EndReason or AnsweredAt changed apart from State. */
async function final(c: Confab, path: string, props: Record<string, unknown>): Promise<Record<string, unknown>> {
  try {
    return { ...props, ...(await c.props(path, CALL)) };
  } catch {
    return props;
  }
}
