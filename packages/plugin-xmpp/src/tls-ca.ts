/**
 * A CA for STARTTLS. @xmpp/starttls upgrades the socket with `tls.connect({ socket, host })` and no
 * way to pass a CA (upstream xmppjs/xmpp.js#598). This is the one place that works around it: a
 * socket registered here gets its CA added when that call upgrades it. Only registered sockets are
 * touched; every other TLS connection in the process is left as it was.
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';

const cas = new WeakMap<Socket, Buffer>();
let installed = false;

export function trustOnUpgrade(socket: Socket, ca: Buffer): void {
  install();
  cas.set(socket, ca);
}

function install(): void {
  if (installed) return;
  installed = true;
  const original = tls.connect;
  const patched = function connect(this: unknown, ...args: unknown[]) {
    const opts = args[0];
    if (opts && typeof opts === 'object' && 'socket' in opts) {
      const ca = cas.get((opts as { socket: Socket }).socket);
      if (ca) args[0] = { ...(opts as object), ca };
    }
    return (original as (...a: unknown[]) => tls.TLSSocket).apply(this, args);
  };
  (tls as { connect: typeof tls.connect }).connect = patched as typeof tls.connect;
}
