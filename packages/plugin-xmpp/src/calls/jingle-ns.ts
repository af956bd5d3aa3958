/** The namespaces of Jingle calls, in one place (XEP-0166, 0167, 0177, 0353; the stanza errors of RFC 6120). */
export const NS_JINGLE = 'urn:xmpp:jingle:1'; // XEP-0166 §16
export const NS_JINGLE_ERRORS = 'urn:xmpp:jingle:errors:1'; // XEP-0166 §16
export const NS_RTP = 'urn:xmpp:jingle:apps:rtp:1'; // XEP-0167 §12
export const NS_RTP_INFO = 'urn:xmpp:jingle:apps:rtp:info:1'; // XEP-0167 §7
export const NS_RTP_AUDIO = 'urn:xmpp:jingle:apps:rtp:audio'; // XEP-0167 §11 (disco)
export const NS_RTP_VIDEO = 'urn:xmpp:jingle:apps:rtp:video'; // XEP-0167 §11 (disco)
export const NS_RAW_UDP = 'urn:xmpp:jingle:transports:raw-udp:1'; // XEP-0177 §9
export const NS_JMI = 'urn:xmpp:jingle-message:0'; // XEP-0353 §7
export const NS_HINTS = 'urn:xmpp:hints'; // XEP-0334
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'; // RFC 6120 §8.3.3
// Next (issue 19, part 2; confab-media's `webrtc` transport): 'urn:xmpp:jingle:transports:ice-udp:1'
// (XEP-0176) and 'urn:xmpp:jingle:apps:dtls:0' (XEP-0320) — see jingle-contents.ts for where they go.

/**
 * What a connection with confab-media announces (XEP-0030, XEP-0115): peers then offer us calls; a
 * connection without it announces none of them, so no one calls where the call could not succeed.
 */
export const CALL_FEATURES: readonly string[] = [NS_JINGLE, NS_RTP, NS_RTP_AUDIO, NS_RTP_VIDEO, NS_RAW_UDP, NS_JMI];
