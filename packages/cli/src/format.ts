/** Output: aligned columns for people, one JSON document for programs. */

export interface Out {
  readonly json: boolean;
  print(text: string): void;
  data(value: unknown): void;
}

export function output(json: boolean): Out {
  return {
    json,
    print: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
    data: (value) => process.stdout.write(toJson(value) + '\n'),
  };
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function table(rows: ReadonlyArray<readonly string[]>, header?: readonly string[]): string {
  const all = header ? [header, ...rows] : rows;
  if (all.length === 0) return '';
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

export function time(ms: number): string {
  if (!ms) return '-';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A message struct `(toossxsssb)` as an object; a call's entry (kind `call`) with its call when asked (Manager.GetCalls). */
export interface Message {
  id: string;
  channel: string;
  account: string;
  sender: string;
  senderName: string;
  time: number;
  body: string;
  kind: string;
  state: string;
  outgoing: boolean;
  call?: CallEntry;
}

/** A call as Manager.GetCalls gives it `(tosbbsssxxx)`, for a call's entry. */
export interface CallEntry {
  call: string;
  direction: string;
  audio: boolean;
  video: boolean;
  state: string;
  endReason: string;
  endDetail: string;
  startedAt: number;
  answeredAt: number;
  endedAt: number;
}

/** The ids to ask Manager.GetCalls about: the calls' entries among the messages. */
export const callEntryIds = (messages: readonly Message[]): bigint[] => messages.filter((m) => m.kind === 'call').map((m) => BigInt(m.id));

/** Gives each call's entry its call, from GetCalls' answer. */
export function withCalls(messages: Message[], calls: readonly unknown[][]): Message[] {
  const byId = new Map(calls.map((c) => [String(c[0]), {
    call: String(c[1]).slice(String(c[1]).lastIndexOf('/') + 1), direction: String(c[2]), audio: Boolean(c[3]), video: Boolean(c[4]), state: String(c[5]),
    endReason: String(c[6]), endDetail: String(c[7]), startedAt: Number(c[8]), answeredAt: Number(c[9]), endedAt: Number(c[10]),
  }]));
  return messages.map((m) => (byId.has(m.id) ? { ...m, call: byId.get(m.id) } : m));
}

export function message(w: readonly unknown[]): Message {
  const last = (p: unknown) => String(p).slice(String(p).lastIndexOf('/') + 1);
  return {
    id: String(w[0]), channel: last(w[1]), account: last(w[2]), sender: String(w[3]), senderName: String(w[4]),
    time: Number(w[5]), body: String(w[6]), kind: String(w[7]), state: String(w[8]), outgoing: Boolean(w[9]),
  };
}

export function messageLine(m: Message, target?: string): string {
  const who = m.outgoing ? '(me)' : m.senderName || m.sender;
  const where = target ?? `channel ${m.channel}`;
  if (m.kind === 'call') return `${time(m.time)} #${m.id} ${m.account} ${where} 📞 ${m.call ? callWords(m.call, target ?? m.sender) : m.body}`;
  const body = m.kind === 'action' ? `* ${who} ${m.body}` : m.kind === 'notice' ? `-${who}- ${m.body}` : `<${who}> ${m.body}`;
  const state = m.outgoing && m.state !== 'sent' ? ` [${m.state}]` : '';
  return `${time(m.time)} #${m.id} ${m.account} ${where} ${body}${state}`;
}

/** A call in words: `missed call from bob (cancelled)`, `call to bob, 1:05`, `video call from bob, not answered (declined)`. */
export function callWords(c: CallEntry, peer: string): string {
  const what = `${c.video ? 'video call' : 'call'} ${c.direction === 'incoming' ? 'from' : 'to'} ${peer}`;
  if (c.state !== 'ended') return `${what} (${c.state})`;
  const missed = c.direction === 'incoming' && (c.endReason === 'cancelled' || c.endReason === 'no-answer');
  if (missed) return `missed ${what} (${c.endReason})`;
  if (c.answeredAt > 0) return `${what}, ${duration(c.endedAt - c.answeredAt)}`;
  return `${what}, not answered (${c.endReason})`;
}

/** m:ss, or h:mm:ss from an hour. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  return h > 0 ? `${h}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}` : `${Math.floor(s / 60)}:${pad(s % 60)}`;
}
