/** Why a connection failed, as Confab's typed errors and status reasons; and dropping a socket. */
import type { XmppClient } from '@xmpp/client';
import { ConfabError, isCertificateError, type StatusReason } from '@confab/sdk';

/** An error (or anything thrown) as one line for the log. */
export function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** The typed error and status reason for why a connection attempt failed. */
export function classify(err: unknown, host: string, port: number): { error: ConfabError; reason: StatusReason } {
  if (err instanceof ConfabError) {
    return { error: err, reason: err.code === 'AuthenticationFailed' ? 'auth-failed' : err.code === 'CertificateInvalid' ? 'cert-invalid' : 'protocol-error' };
  }
  const e = err as { name?: string; code?: string; condition?: string; message?: string };
  if (e?.name === 'SASLError') {
    // RFC 6120 §6.5: the server's SASL failure condition
    return { error: new ConfabError('AuthenticationFailed', `${host} refused the login (${e.condition ?? 'not-authorized'})`), reason: 'auth-failed' };
  }
  if (isCertificateError(e?.code)) {
    return { error: new ConfabError('CertificateInvalid', `${host}'s certificate is not valid: ${e.message ?? e.code} (${e.code}); give its CA with tls-ca`), reason: 'cert-invalid' };
  }
  if (e?.code === 'ECONNREFUSED') return { error: new ConfabError('NetworkError', `${host}:${port} refused the connection`), reason: 'network-error' };
  return { error: new ConfabError('NetworkError', `${host}:${port}: ${e?.message ?? String(err)}`), reason: 'network-error' };
}

/** Drops the connection's socket: a net.Socket over TCP, inside @xmpp/tls's wrapper over TLS. */
export function destroySocket(xmpp: XmppClient): void {
  const s = xmpp.socket as { socket?: { destroy(): void }; destroy?: () => void } | null;
  if (s?.socket) s.socket.destroy();
  else s?.destroy?.();
}
