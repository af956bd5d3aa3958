/**
 * The socket under irc-framework. irc-framework's own transport (src/transports/net.js) passes no CA
 * to tls.connect, so a server with a private CA cannot be verified, and it decodes every line with one
 * fixed encoding. This one is handed to irc-framework through its `transport` option and keeps its
 * interface (events open/line/close/debug; writeLine, close, isConnected, setEncoding,
 * disposeSocket), adding:
 * - TLS with verification on, an optional CA file, an optional client certificate, SNI;
 * - the socket error kept (`lastError`) so that the plugin can say `cert-invalid` and why;
 * - lines decoded as UTF-8, falling back to Latin-1 for a line that is not valid UTF-8 (many IRC
 *   clients still send it) instead of mangling or dropping it;
 * - a bound on a line: a "line" of more than MAX_LINE bytes without a newline is cut, never buffered
 *   without end;
 * - TCP_NODELAY: chat lines are small and latency matters more than packet count.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

/** IRCv3 message-tags allow 8191 bytes of tags plus the 512-byte message. */
export const MAX_LINE = 8191 + 512;
/** How long a TCP connect plus TLS handshake may take. */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface TransportTls {
  readonly enabled: boolean;
  readonly verify: boolean;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface TransportOptions {
  readonly host: string;
  readonly port: number;
  readonly confabTls?: TransportTls;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

export function decodeLine(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

export class SocketTransport extends EventEmitter {
  private socket: net.Socket | undefined;
  private connected = false;
  private buffer: Buffer = Buffer.alloc(0);
  lastError: (Error & { code?: string }) | undefined;

  constructor(private readonly options: TransportOptions) {
    super();
  }

  isConnected(): boolean {
    return this.connected;
  }

  connect(): void {
    this.disposeSocket();
    this.lastError = undefined;
    this.buffer = Buffer.alloc(0);
    const { host, port } = this.options;
    const t = this.options.confabTls;
    let socket: net.Socket;
    try {
      socket = t?.enabled
        ? tls.connect({
            host,
            port,
            servername: net.isIP(host) ? undefined : host,
            rejectUnauthorized: t.verify,
            ca: t.caFile ? readFileSync(t.caFile) : undefined,
            cert: t.certFile ? readFileSync(t.certFile) : undefined,
            key: t.keyFile ? readFileSync(t.keyFile ?? t.certFile!) : t.certFile ? readFileSync(t.certFile) : undefined,
          })
        : net.connect({ host, port });
    } catch (err) {
      // e.g. an unreadable CA file: report it as this connection's error, asynchronously like a socket's.
      this.lastError = err as Error;
      setImmediate(() => this.emit('close', this.lastError));
      return;
    }
    this.socket = socket;
    socket.setNoDelay(true);
    // A connection (and TLS handshake) that does not complete is given up after CONNECT_TIMEOUT_MS:
    // a TLS hello sent to a plain-text port is otherwise answered by nothing for a long time.
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => {
      this.lastError = Object.assign(new Error(`no ${t?.enabled ? 'TLS handshake' : 'connection'} within ${CONNECT_TIMEOUT_MS / 1000} s${t?.enabled ? ' (is it a TLS port?)' : ''}`), { code: 'ETIMEDOUT' });
      socket.destroy();
    });
    socket.on(t?.enabled ? 'secureConnect' : 'connect', () => {
      socket.setTimeout(0);
      this.connected = true;
      this.emit('open');
    });
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err: Error) => {
      this.lastError = err;
      this.emit('debug', `socket error: ${err.message}`);
    });
    socket.on('close', () => {
      this.connected = false;
      this.emit('close', this.lastError ?? false);
    });
  }

  writeLine(line: string, cb?: () => void): void {
    if (this.socket && this.connected) this.socket.write(line + '\r\n', cb);
    else if (cb) process.nextTick(cb);
  }

  close(force?: boolean): void {
    if (!this.socket) return;
    if (force || !this.connected) this.socket.destroy();
    else this.socket.end();
  }

  setEncoding(_encoding: string): boolean {
    return true; // always UTF-8 out, UTF-8-or-Latin-1 in
  }

  disposeSocket(): void {
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.on('error', () => {}); // a late error on a socket we dropped is of no interest
      this.socket.destroy();
    }
    this.socket = undefined;
    this.connected = false;
  }

  private skipToNewline = false;
  /** Lines irc-framework could not handle (it threw), dropped. */
  droppedLines = 0;

  /**
   * Hands a line to irc-framework. Its handlers throw on some malformed lines (found by the fuzz
   * test: e.g. a 900 RPL_LOGGEDIN without its mask makes `parseMask(undefined)` throw); such a throw
   * would escape from the socket's data handler. Here it is caught and the line dropped, with a log.
   */
  private deliver(line: string): void {
    try {
      this.emit('line', line);
    } catch (err) {
      this.droppedLines++;
      this.emit('debug', `dropped a line irc-framework could not handle (${err instanceof Error ? err.message : String(err)}): ${line.slice(0, 200)}`);
    }
  }

  private onData(chunk: Buffer): void {
    let data = chunk;
    if (this.skipToNewline) {
      // The rest of an over-long line cut below: dropped up to its end.
      const nl = data.indexOf(0x0a);
      if (nl < 0) return;
      data = data.subarray(nl + 1);
      this.skipToNewline = false;
    }
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    let start = 0;
    for (;;) {
      const nl = this.buffer.indexOf(0x0a, start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && this.buffer[end - 1] === 0x0d) end--;
      const bytes = this.buffer.subarray(start, Math.min(end, start + MAX_LINE));
      start = nl + 1;
      if (bytes.length > 0) this.deliver(decodeLine(bytes));
    }
    this.buffer = this.buffer.subarray(start);
    if (this.buffer.length > MAX_LINE) {
      // RFC 1459 §2.3: a line is at most 512 bytes. A server that sends this much without a newline
      // is broken or hostile: keep the first MAX_LINE bytes as a line and skip the rest of it.
      this.deliver(decodeLine(this.buffer.subarray(0, MAX_LINE)));
      this.emit('debug', 'cut an over-long line');
      this.buffer = Buffer.alloc(0);
      this.skipToNewline = true;
    }
  }
}

/** An irc-framework transport class for these options (irc-framework instantiates it itself). */
export function transportFor(tlsOptions: TransportTls): new (options: TransportOptions) => SocketTransport {
  return class extends SocketTransport {
    constructor(options: TransportOptions) {
      super({ ...options, confabTls: tlsOptions });
    }
  };
}
