/**
 * The fixed set of Confab errors. Plugins and the daemon throw these; only the D-Bus layer maps them
 * to D-Bus error names (`im.confab.Error.<Code>`), in one place. Modelled on telepathy-glib's
 * `errors.h`: a small, closed vocabulary that frontends can switch on.
 * @since 0.1.0
 */
export type ErrorCode =
  | 'InvalidArgument' // a parameter is missing, of the wrong type, or fails validation
  | 'NotFound' // no such account, channel, message or protocol
  | 'NotImplemented' // the protocol or plugin lacks this feature
  | 'NotCapable' // the contact or channel cannot do this (e.g. a room that forbids it)
  | 'NotAvailable' // a temporary failure: try again later
  | 'Offline' // the account is not connected
  | 'NetworkError' // the network failed, the server hung up, a timeout
  | 'AuthenticationFailed' // the server refused the credentials
  | 'CertificateInvalid' // TLS certificate verification failed
  | 'NameInUse' // the nickname or resource is taken
  | 'PermissionDenied' // the server or the room refused (banned, not an operator)
  | 'Cancelled' // the operation was aborted by its caller
  | 'InvalidConfig' // the configuration file is unreadable or malformed
  | 'Internal'; // a bug: reported, never expected

export class ConfabError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = `ConfabError.${code}`;
  }

  /** Wraps anything thrown into a ConfabError, keeping one that already is. */
  static from(err: unknown, code: ErrorCode = 'Internal'): ConfabError {
    if (err instanceof ConfabError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new ConfabError(code, message);
  }
}

export class InvalidArgumentError extends ConfabError {
  constructor(message: string) {
    super('InvalidArgument', message);
  }
}

export class NotFoundError extends ConfabError {
  constructor(message: string) {
    super('NotFound', message);
  }
}

export class NotImplementedError extends ConfabError {
  constructor(message: string) {
    super('NotImplemented', message);
  }
}

export class OfflineError extends ConfabError {
  constructor(message = 'the account is not connected') {
    super('Offline', message);
  }
}

export class NetworkError extends ConfabError {
  constructor(message: string) {
    super('NetworkError', message);
  }
}

export const ERROR_CODES: readonly ErrorCode[] = [
  'InvalidArgument', 'NotFound', 'NotImplemented', 'NotCapable', 'NotAvailable', 'Offline',
  'NetworkError', 'AuthenticationFailed', 'CertificateInvalid', 'NameInUse', 'PermissionDenied',
  'Cancelled', 'InvalidConfig', 'Internal',
];

/**
 * Node/OpenSSL certificate verification codes (`err.code` of a TLS socket) that mean "the server's
 * certificate is not trusted": every plugin reports them as `CertificateInvalid` / `cert-invalid`.
 * @since 0.2.0
 */
export function isCertificateError(code: string | undefined): boolean {
  return code !== undefined && CERTIFICATE_ERROR_CODES.has(code);
}

const CERTIFICATE_ERROR_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_SIGNATURE_FAILURE', 'CERT_REVOKED', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);
