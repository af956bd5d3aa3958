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

/** A message struct `(toossxsssb)` as an object. */
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
  const body = m.kind === 'action' ? `* ${who} ${m.body}` : m.kind === 'notice' ? `-${who}- ${m.body}` : `<${who}> ${m.body}`;
  const state = m.outgoing && m.state !== 'sent' ? ` [${m.state}]` : '';
  return `${time(m.time)} #${m.id} ${m.account} ${where} ${body}${state}`;
}
