/**
 * GLib's key file format, as Mission Control writes accounts.cfg with it (`g_key_file_to_data`):
 * `[group]` lines, `key=value` lines, `#` comments; values escaped (`\s \n \t \r \\`, and `\;` inside
 * lists, whose items end with `;`). Reading only: Confab never writes Mission Control's file.
 */

export type KeyFile = Map<string, Map<string, string>>;

export function parseKeyFile(text: string): KeyFile {
  const groups: KeyFile = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const group = /^\[([^\]]+)\]\s*$/.exec(line);
    if (group) {
      current = new Map();
      groups.set(group[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 0) continue; // what GLib would refuse; an account is skipped rather than the file
    current.set(line.slice(0, eq).trim(), line.slice(eq + 1).replace(/^\s+/, ''));
  }
  return groups;
}

const ESCAPES: Record<string, string> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' };

/** A string value, unescaped. */
export function keyString(value: string): string {
  return value.replace(/\\(.)/g, (_m, c: string) => ESCAPES[c] ?? c);
}

/** A list value (`a;b;c;`), each item unescaped. */
export function keyList(value: string): string[] {
  const items: string[] = [];
  let item = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      item += value[i + 1] === ';' ? ';' : keyString(value.slice(i, i + 2));
      i++;
    } else if (c === ';') {
      items.push(item);
      item = '';
    } else {
      item += c;
    }
  }
  if (item !== '') items.push(item);
  return items;
}
