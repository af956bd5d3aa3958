/**
 * How a call reads in a conversation's history (the body of its entry on D-Bus, for clients that
 * show entries as text): `Missed call (cancelled)`, `Video call, 2:05`, `Call not answered (busy)`,
 * `Call (ringing)`. Clients that know calls read the call itself (Manager.GetCalls).
 * @since issue 16
 */
import type { CallRow } from '../storage/calls';
import { isMissed } from '../storage/calls';

export function callSummary(c: CallRow): string {
  const what = c.video ? 'video call' : 'call';
  const What = what[0].toUpperCase() + what.slice(1);
  if (c.state !== 'ended') return `${What} (${c.state})`;
  if (isMissed(c)) return `Missed ${what} (${c.endReason})`;
  if (c.answeredAt > 0) return `${What}, ${duration(c.endedAt - c.answeredAt)}`;
  return `${What} not answered (${c.endReason})`;
}

/** m:ss, or h:mm:ss from an hour. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
