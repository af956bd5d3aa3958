/**
 * The daemon's logger. Every line goes through `Redactor`, which replaces every known secret value
 * (registered when a secret is read or written) with `***` — so a plugin that logs a raw protocol
 * line carrying a password still never prints it. Lines go to stderr (journald picks them up under
 * the systemd unit).
 */
import { format } from 'node:util';
import type { Logger } from '@confab/sdk';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export class Redactor {
  private secrets = new Set<string>();

  /** Registers a value that must never be printed. Very short values are still redacted. */
  add(secret: string): void {
    if (secret.length > 0) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  }
}

export class DaemonLogger implements Logger {
  constructor(
    private readonly redactor: Redactor,
    private level: LogLevel = 'info',
    private readonly scope = 'confabd',
    private readonly write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  ) {}

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  debug(msg: string, ...args: unknown[]): void {
    this.log('debug', msg, args);
  }
  info(msg: string, ...args: unknown[]): void {
    this.log('info', msg, args);
  }
  warn(msg: string, ...args: unknown[]): void {
    this.log('warn', msg, args);
  }
  error(msg: string, ...args: unknown[]): void {
    this.log('error', msg, args);
  }

  child(scope: string): DaemonLogger {
    const parent = this;
    const child = new DaemonLogger(this.redactor, this.level, `${this.scope}/${scope}`, this.write);
    // A child follows its parent's level changes.
    Object.defineProperty(child, 'level', { get: () => parent.level, set: (l: LogLevel) => (parent.level = l) });
    return child;
  }

  private log(level: LogLevel, msg: string, args: unknown[]): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const text = this.redactor.redact(format(msg, ...args));
    this.write(`${new Date().toISOString()} ${level.padEnd(5)} [${this.scope}] ${text}`);
  }
}
