/** IRC failures as Confab errors. */
import { ConfabError, isCertificateError } from '@confab/sdk';

/** Why a socket ended, as the error connect() rejects with. */
export function socketError(err: (Error & { code?: string }) | undefined, host: string, port: number): ConfabError {
  if (!err) return new ConfabError('NetworkError', `${host}:${port} closed the connection`);
  if (isCertificateError(err.code)) {
    return new ConfabError('CertificateInvalid', `the TLS certificate of ${host} is not trusted: ${err.message} (${err.code}); give its CA with the tls-ca parameter`);
  }
  if (err.code === 'ENOENT' || err.code === 'EACCES') return new ConfabError('InvalidArgument', `a TLS file cannot be read: ${err.message}`);
  if (/wrong version number|packet length too long|unknown protocol/i.test(err.message)) {
    return new ConfabError('NetworkError', `${host}:${port} does not speak TLS (${err.message})`);
  }
  return new ConfabError('NetworkError', `${host}:${port}: ${err.message}`);
}

/** Numerics that refuse a JOIN (RFC 2812 §5.2) and what they mean to a user. */
export const JOIN_ERRORS: Record<string, { code: 'PermissionDenied' | 'NotFound' | 'NotAvailable'; text: string }> = {
  channel_is_full: { code: 'NotAvailable', text: 'the channel is full (471)' },
  invite_only_channel: { code: 'PermissionDenied', text: 'the channel is invite-only (473)' },
  banned_from_channel: { code: 'PermissionDenied', text: 'you are banned from the channel (474)' },
  bad_channel_key: { code: 'PermissionDenied', text: 'the channel key is wrong (475)' },
  too_many_channels: { code: 'NotAvailable', text: 'you are in too many channels (405)' },
  '403': { code: 'NotFound', text: 'no such channel (403)' },
  '476': { code: 'NotFound', text: 'bad channel mask (476)' },
  '437': { code: 'NotAvailable', text: 'the channel is temporarily unavailable (437)' },
};
