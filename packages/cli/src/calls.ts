/**
 * What the call commands share: the media options of `call` and `answer`, following a call's State
 * through PropertiesChanged on its object, and a call's state as a line or a JSON object.
 */
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import type { Options, Parsed } from './args';
import { CALL, callPath, CliError, lastElement, PROPERTIES, unwrap, variant, type Confab, type Iface } from './bus';
import type { Command } from './commands/context';
import { time } from './format';

/** `--video`, `--play FILE.wav`, `--record FILE.wav` (call and answer). */
export const MEDIA_OPTIONS: Options = {
  video: { type: 'boolean' },
  play: { type: 'string' },
  record: { type: 'string' },
};

/** The a{sv} options of StartCall and Accept: audio always, video on --video, files as `file:/abs/path`. */
export function mediaOptions(values: Parsed['values']): Record<string, unknown> {
  const options: Record<string, unknown> = { audio: variant('b', true), video: variant('b', Boolean(values.video)) };
  const play = values.play as string | undefined;
  const record = values.record as string | undefined;
  if (play !== undefined) {
    try {
      accessSync(play, constants.R_OK);
    } catch {
      throw new CliError(`cannot read '${play}' (--play)`);
    }
    options.microphone = variant('s', `file:${resolve(play)}`);
  }
  if (record !== undefined) options.speaker = variant('s', `file:${resolve(record)}`);
  return options;
}

/** One call state, as `confab call` and `confab watch` print it. */
export interface CallState {
  call: string;
  state: string;
  reason: string;
  detail: string;
}

export function callState(path: string, props: Record<string, unknown>): CallState {
  return { call: lastElement(path), state: String(props.State ?? ''), reason: String(props.EndReason ?? ''), detail: String(props.EndDetail ?? '') };
}

/** `call 3 ringing`, `call 3 ended (remote-hangup): 486 Busy Here`. */
export function callLine(s: CallState): string {
  if (s.state !== 'ended') return `call ${s.call} ${s.state}`;
  return `call ${s.call} ended${s.reason ? ` (${s.reason})` : ''}${s.detail ? `: ${s.detail}` : ''}`;
}

/** `opus: sent 250, received 248, lost 0, jitter 2.1 ms, round trip 0.4 ms` from a call's Stats. */
export function statsLine(s: Record<string, unknown>): string {
  const ms = (x: unknown) => `${Number(x).toFixed(1)} ms`;
  const parts = [`sent ${Number(s['packets-sent'] ?? 0)}`, `received ${Number(s['packets-received'] ?? 0)}`, `lost ${Number(s['packets-lost'] ?? 0)}`, `jitter ${ms(s['jitter-ms'] ?? 0)}`];
  if (s['round-trip-ms'] !== undefined) parts.push(`round trip ${ms(s['round-trip-ms'])}`);
  return `${String(s.codec ?? '?')}: ${parts.join(', ')}`;
}

/** A row of `confab calls`: ID, ACCOUNT, PEER, DIRECTION, STATE, REASON, STARTED. */
export function callRow(c: Record<string, unknown> & { path: string }): string[] {
  return [lastElement(c.path), lastElement(String(c.Account)), String(c.Peer), String(c.Direction), String(c.State), String(c.EndReason || '-'), time(Number(c.StartedAt))];
}

/**
 * Follows a call's properties: `onState` gets them (all known so far) each time State changes,
 * first with the current State unless it is `known`; `onStats` gets each new Stats. Resolves once
 * following (the match rule is in place: the GetAll after it answered), with a function that stops.
 */
export async function followCall(
  c: Confab, path: string, onState: (props: Record<string, unknown>) => void, known?: string, onStats?: (stats: Record<string, unknown>) => void,
): Promise<() => void> {
  const p = await c.iface(path, PROPERTIES);
  const props: Record<string, unknown> = {};
  let last = known;
  const update = (changed: Record<string, unknown>) => {
    Object.assign(props, changed);
    if (props.State === undefined || props.State === last) return;
    last = String(props.State);
    onState({ ...props });
  };
  const handler = (iface: string, changed: Record<string, { value: unknown }>) => {
    if (iface !== CALL) return;
    const u = unwrap(changed);
    update(u);
    if (onStats && u.Stats && typeof u.Stats === 'object' && Object.keys(u.Stats).length > 0) onStats(u.Stats as Record<string, unknown>);
  };
  p.on('PropertiesChanged', handler);
  update(unwrap((await p.GetAll(CALL)) as Record<string, { value: unknown }>));
  return () => p.removeListener('PropertiesChanged', handler);
}

/** A command on one existing call, `confab NAME CALL ...`: `act` on its Call object, then one line. */
export interface CallAction {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options?: Options;
  readonly positionals?: number;
  /** Validates the arguments before anything is sent (throws UsageError). */
  check?(p: Parsed): void;
  act(call: Iface, p: Parsed): Promise<unknown>;
  /** What was done, for people: `hung up call 3`. */
  done(id: string, p: Parsed): string;
}

export function callCommand(a: CallAction): Command {
  return {
    name: a.name,
    summary: a.summary,
    usage: a.usage,
    options: a.options,
    positionals: a.positionals ?? 1,
    async run(ctx, p) {
      a.check?.(p);
      const path = callPath(p.positionals[0]);
      await a.act(await (await ctx.confab()).call(path), p);
      return ctx.out.json ? ctx.out.data({ call: lastElement(path), ok: true }) : ctx.out.print(a.done(lastElement(path), p));
    },
  };
}
