/** confab-media's StateChanged reasons in a Jingle call's words (XEP-0166 §7.4). */
/**
 * What confab-media's StateChanged reason for an ended session means for the call, and the
 * XEP-0166 §7.4 reason the peer is told; undefined when we closed it ourselves.
 */
export function mediaEndOf(reason: string): { reason: 'media-failed' | 'media-security'; condition: string } | undefined {
  if (/^media-security\b/.test(reason)) return { reason: 'media-security', condition: 'security-error' }; // DTLS failed or the fingerprint did not match (XEP-0320, RFC 5763 § 5)
  if (/^ice-failed\b/.test(reason)) return { reason: 'media-failed', condition: 'connectivity-error' }; // no ICE candidate pair (XEP-0176, RFC 8445 § 8)
  if (/^(?:media-failed|remote-timeout)\b/.test(reason)) return { reason: 'media-failed', condition: 'failed-transport' };
  return undefined;
}

/** Whether confab-media's StateChanged reason means the media path broke (not that we closed it). */
export function isMediaFailure(reason: string): boolean {
  return mediaEndOf(reason) !== undefined;
}
