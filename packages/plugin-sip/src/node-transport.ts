/**
 * sip.js's Transport on Node's sockets: UDP (RFC 3261 §18), TCP and TLS (§18.3 framing, RFC 5626
 * CRLF keep-alives) and WebSocket (RFC 7118, subprotocol `sip`, over `ws`). Every received message
 * passes the InboundGuard first; over UDP the UdpRetransmitter gives the timers sip.js lacks.
 * Implements sip.js's Transport interface structurally, so this file loads without sip.js
 * (jest cannot load its ESM build) and is unit-tested against a local socket.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import { NetworkError, ConfabError, isCertificateError, type Logger } from '@confab/sdk';
import { DEFAULT_LIMITS, InboundGuard, type GuardLimits } from './inbound-guard';
import { StreamFramer } from './stream-framer';
import { RFC3261_TIMERS, UdpRetransmitter, type TimerValues } from './udp-timers';

export type SipTransportName = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
export const SIP_TRANSPORTS: readonly SipTransportName[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

/** sip.js's TransportState values. */
type TransportState = 'Connecting' | 'Connected' | 'Disconnecting' | 'Disconnected';

export interface NodeTransportOptions {
  readonly transport: SipTransportName;
  readonly host: string;
  readonly port: number;
  /** The WebSocket path (RFC 7118 §3), `/` by default. */
  readonly path?: string;
  /** PEM text of a CA to trust besides the system's (self-signed servers). */
  readonly ca?: string;
  /** Seconds between keep-alives (RFC 5626 §4.4.1 CRLF, WebSocket pings); 0 for none. */
  readonly keepAliveSeconds: number;
  readonly connectTimeoutMs?: number;
  /** The host sip.js writes into Via and Contact; over UDP/TCP/TLS the Contact gets our real address instead. */
  readonly placeholderHost: string;
  readonly log: Logger;
  readonly limits?: GuardLimits;
  readonly timers?: TimerValues;
}

/** A listener list with the methods sip.js's Emitter has. */
class StateEmitter {
  private readonly listeners = new Set<(s: TransportState) => void>();
  addListener(l: (s: TransportState) => void, options?: { once?: boolean }): void {
    if (!options?.once) {
      this.listeners.add(l);
      return;
    }
    const once = (s: TransportState) => {
      this.listeners.delete(once);
      l(s);
    };
    this.listeners.add(once);
  }
  removeListener(l: (s: TransportState) => void): void { this.listeners.delete(l); }
  on(l: (s: TransportState) => void): void { this.addListener(l); }
  off(l: (s: TransportState) => void): void { this.removeListener(l); }
  once(l: (s: TransportState) => void): void { this.addListener(l, { once: true }); }
  emit(s: TransportState): void { for (const l of [...this.listeners]) l(s); }
}

/** One open flow to the server, whatever the socket. */
interface Link {
  send(data: string): void;
  close(): void;
  keepAlive(): void;
  /** Our address on this flow as host:port, for the Contact. */
  readonly local?: string;
  /** Our IP address on this flow: where a call's media binds (the same interface as the signalling). */
  readonly localIp?: string;
}

const PONG_TIMEOUT_MS = 10_000; // RFC 5626 §4.4.1: no pong within 10 s, the flow has failed

export class NodeTransport {
  readonly protocol: string;
  readonly stateChange = new StateEmitter();
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;

  private current: TransportState = 'Disconnected';
  private link?: Link;
  private keepAliveTimer?: NodeJS.Timeout;
  private pongTimer?: NodeJS.Timeout;
  /** Whether the server ever answered a keep-alive: only then is a missing pong a failed flow (RFC 5626 §4.4.1). */
  private pongsSeen = false;
  readonly guard: InboundGuard;
  /** Received messages on which sip.js threw: contained here, counted. */
  contained = 0;
  readonly retransmitter: UdpRetransmitter;
  private readonly log: Logger;

  /** sip.js calls `new transportConstructor(logger, transportOptions)`. */
  constructor(_sipLogger: unknown, private readonly options: NodeTransportOptions) {
    this.protocol = options.transport.toUpperCase(); // the Via transport (§20.42)
    this.log = options.log;
    this.guard = new InboundGuard(options.limits ?? DEFAULT_LIMITS);
    this.retransmitter = new UdpRetransmitter((raw) => this.link?.send(raw), options.timers ?? RFC3261_TIMERS);
  }

  get state(): TransportState {
    return this.current;
  }

  isConnected(): boolean {
    return this.current === 'Connected';
  }

  /** Our IP address on the open flow (127.0.0.1 to a server on loopback), for media sockets. */
  get localAddress(): string | undefined {
    return this.link?.localIp;
  }

  async connect(): Promise<void> {
    if (this.current === 'Connected') return;
    this.setState('Connecting');
    try {
      this.link = await this.open();
    } catch (err) {
      this.setState('Disconnected');
      throw err;
    }
    this.setState('Connected');
    this.startKeepAlive();
    this.onConnect?.();
  }

  async disconnect(): Promise<void> {
    if (this.current === 'Disconnected') return;
    this.setState('Disconnecting');
    this.teardown();
    this.setState('Disconnected');
    this.onDisconnect?.();
  }

  async dispose(): Promise<void> {
    await this.disconnect();
  }

  async send(message: string): Promise<void> {
    const link = this.link;
    if (!link || this.current !== 'Connected') throw new NetworkError('the SIP transport is not connected');
    const raw = link.local ? withRealContact(message, this.options.placeholderHost, link.local) : message;
    if (this.options.transport === 'udp') this.retransmitter.sent(raw);
    link.send(raw);
  }

  /** A flow failed under us: sip.js hears of it as a transport error (RFC 3261 §8.1.3.1: a 503). */
  private lost(reason: string): void {
    if (this.current === 'Disconnected' || this.current === 'Disconnecting') return;
    this.log.info('SIP %s flow to %s:%d lost: %s', this.protocol, this.options.host, this.options.port, reason);
    this.teardown();
    this.setState('Disconnected');
    this.onDisconnect?.(new NetworkError(reason));
  }

  private teardown(): void {
    clearInterval(this.keepAliveTimer);
    clearTimeout(this.pongTimer);
    this.keepAliveTimer = this.pongTimer = undefined;
    this.retransmitter.clear();
    const link = this.link;
    this.link = undefined;
    link?.close();
  }

  private setState(s: TransportState): void {
    if (s === this.current) return;
    this.current = s;
    this.stateChange.emit(s);
  }

  private received(raw: string): void {
    const verdict = this.guard.check(raw);
    if (verdict.action === 'drop') {
      this.log.debug('dropped a received message: %s', verdict.why);
      return;
    }
    if (verdict.action === 'reply') {
      this.log.debug('refused a received message: %s', verdict.why);
      this.link?.send(verdict.response);
      return;
    }
    if (this.options.transport === 'udp') this.retransmitter.received(verdict.message);
    try {
      this.onMessage?.(verdict.message);
    } catch (err) {
      // The plugin's edge: a throw from one of sip.js's state machines on what it received (its
      // Publisher did, on two overlapping refusals) is that message's failure, not the account's.
      this.contained++;
      this.log.warn('sip.js failed on a received message (dropped, the flow goes on): %s', (err as Error).message);
    }
  }

  private pong(): void {
    this.pongsSeen = true;
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }

  private startKeepAlive(): void {
    const seconds = this.options.keepAliveSeconds;
    if (seconds <= 0) return;
    this.keepAliveTimer = setInterval(() => {
      this.link?.keepAlive();
      if (this.options.transport !== 'udp' && (this.pongsSeen || this.isWebSocket) && !this.pongTimer) {
        this.pongTimer = setTimeout(() => this.lost('no answer to a keep-alive'), PONG_TIMEOUT_MS);
        this.pongTimer.unref();
      }
    }, seconds * 1000);
    this.keepAliveTimer.unref();
  }

  private get isWebSocket(): boolean {
    return this.options.transport === 'ws' || this.options.transport === 'wss';
  }

  private open(): Promise<Link> {
    switch (this.options.transport) {
      case 'udp': return this.openUdp();
      case 'tcp': case 'tls': return this.openStream();
      case 'ws': case 'wss': return this.openWebSocket();
    }
  }

  private withTimeout<T>(what: Promise<T>, onTimeout: () => void): Promise<T> {
    const ms = this.options.connectTimeoutMs ?? 10_000;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        onTimeout();
        reject(new NetworkError(`no connection to ${this.options.host}:${this.options.port} within ${ms} ms`));
      }, ms);
      what.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
    });
  }

  /** A connected UDP socket: only the server's datagrams reach us, and ICMP errors surface (§18.4). */
  private openUdp(): Promise<Link> {
    const { host, port } = this.options;
    const socket: UdpSocket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    const opened = new Promise<Link>((resolve, reject) => {
      socket.once('error', (err) => reject(new NetworkError(`UDP to ${host}:${port}: ${err.message}`)));
      socket.connect(port, host, () => {
        socket.removeAllListeners('error');
        socket.on('error', (err) => this.lost(`UDP: ${err.message}`));
        socket.on('message', (msg) => this.received(msg.toString('utf8')));
        const a = socket.address();
        const send = (data: string) => socket.send(data, (err) => { if (err) this.lost(`UDP send: ${err.message}`); });
        resolve({
          local: hostPort(a.address, a.port),
          localIp: plainIp(a.address),
          send,
          close: () => { try { socket.close(); } catch { /* already closed */ } },
          keepAlive: () => send('\r\n\r\n'), // RFC 5626 §3.5.1 keeps a NAT binding; servers ignore it over UDP
        });
      });
    });
    return this.withTimeout(opened, () => socket.close());
  }

  private openStream(): Promise<Link> {
    const { host, port, transport, ca } = this.options;
    const servername = isIP(host) ? undefined : host;
    const socket: Socket = transport === 'tls'
      ? tlsConnect({ host, port, servername, ca: ca ? [ca] : undefined, rejectUnauthorized: true, ALPNProtocols: undefined })
      : tcpConnect({ host, port });
    socket.setNoDelay(true);
    const opened = new Promise<Link>((resolve, reject) => {
      const fail = (err: Error & { code?: string }) => {
        reject(isCertificateError(err.code)
          ? new ConfabError('CertificateInvalid', `the certificate of ${host} is not trusted (${err.code})`)
          : new NetworkError(`${transport.toUpperCase()} to ${host}:${port}: ${err.message}`));
      };
      socket.once('error', fail);
      socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => {
        socket.removeListener('error', fail);
        const framer = new StreamFramer({
          message: (raw) => this.received(raw),
          ping: () => socket.write('\r\n'), // RFC 5626 §4.4.1: answer a ping with a pong
          pong: () => this.pong(),
          error: (reason) => {
            this.log.warn('SIP %s stream from %s broke framing: %s', this.protocol, host, reason);
            this.lost(`framing: ${reason}`);
          },
        }, { maxHeader: 16 * 1024, maxBody: (this.options.limits ?? DEFAULT_LIMITS).maxBody });
        socket.on('data', (chunk: Buffer) => framer.push(chunk));
        socket.on('error', (err) => this.lost(err.message));
        socket.on('close', () => this.lost('the server closed the connection'));
        resolve({
          local: hostPort(socket.localAddress ?? '127.0.0.1', socket.localPort ?? 0),
          localIp: socket.localAddress ? plainIp(socket.localAddress) : undefined,
          send: (data) => { socket.write(data); },
          close: () => socket.destroy(),
          keepAlive: () => { socket.write('\r\n\r\n'); },
        });
      });
    });
    return this.withTimeout(opened, () => socket.destroy());
  }

  private openWebSocket(): Promise<Link> {
    const { host, port, transport, ca, path } = this.options;
    const url = `${transport}://${isIP(host) === 6 ? `[${host}]` : host}:${port}${path ?? '/'}`;
    const ws = new WebSocket(url, 'sip', { ca: ca ? [ca] : undefined, maxPayload: 256 * 1024, handshakeTimeout: this.options.connectTimeoutMs ?? 10_000 }); // RFC 7118 §4.1
    let localIp: string | undefined;
    ws.once('upgrade', (res) => { localIp = res.socket.localAddress ? plainIp(res.socket.localAddress) : undefined; });
    const opened = new Promise<Link>((resolve, reject) => {
      const fail = (err: Error & { code?: string }) => {
        reject(isCertificateError(err.code)
          ? new ConfabError('CertificateInvalid', `the certificate of ${host} is not trusted (${err.code})`)
          : new NetworkError(`${transport.toUpperCase()} to ${url}: ${err.message}`));
      };
      ws.once('error', fail);
      ws.once('open', () => {
        ws.removeListener('error', fail);
        if (ws.protocol !== 'sip') {
          ws.close();
          reject(new NetworkError(`${url} did not accept the WebSocket subprotocol 'sip' (RFC 7118 §4.1)`));
          return;
        }
        ws.on('message', (data: WebSocket.RawData) => this.received(rawToString(data)));
        ws.on('pong', () => this.pong());
        ws.on('error', (err) => this.lost(err.message));
        ws.on('close', () => this.lost('the server closed the WebSocket'));
        resolve({
          localIp,
          send: (data) => ws.send(data),
          close: () => ws.terminate(),
          keepAlive: () => ws.ping(),
        });
      });
    });
    return this.withTimeout(opened, () => ws.terminate());
  }
}

function rawToString(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** An IPv4 address as such, not IPv4-mapped IPv6 (::ffff:127.0.0.1) as a dual-stack socket reports it. */
function plainIp(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

function hostPort(address: string, port: number): string {
  return `${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
}

/**
 * sip.js writes a made-up host into Contact (meant for WebSocket, RFC 7118 §5); over UDP and TCP
 * the Contact must say where we can be reached (RFC 3261 §8.1.1.8), so our address replaces it there.
 * Via keeps sip.js's host (it checks responses against it); `rport` brings them back (RFC 3581).
 */
export function withRealContact(message: string, placeholder: string, local: string): string {
  const end = message.indexOf('\r\n\r\n');
  if (end < 0 || !message.includes(placeholder)) return message;
  const head = message.slice(0, end).replace(/^((?:contact|m)[ \t]*:.*)$/gim, (line) => line.split(`@${placeholder}`).join(`@${local}`));
  return head + message.slice(end);
}
