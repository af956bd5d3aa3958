/** The namespaces of Jingle calls, in one place (XEP-0166, 0167, 0176, 0177, 0215, 0320, 0338, 0353; the stanza errors of RFC 6120). */
export const NS_JINGLE = 'urn:xmpp:jingle:1'; // XEP-0166 §16
export const NS_JINGLE_ERRORS = 'urn:xmpp:jingle:errors:1'; // XEP-0166 §16
export const NS_RTP = 'urn:xmpp:jingle:apps:rtp:1'; // XEP-0167 §12
export const NS_RTP_INFO = 'urn:xmpp:jingle:apps:rtp:info:1'; // XEP-0167 §7
export const NS_RTP_AUDIO = 'urn:xmpp:jingle:apps:rtp:audio'; // XEP-0167 §11 (disco)
export const NS_RTP_VIDEO = 'urn:xmpp:jingle:apps:rtp:video'; // XEP-0167 §11 (disco)
export const NS_RAW_UDP = 'urn:xmpp:jingle:transports:raw-udp:1'; // XEP-0177 §9
export const NS_ICE_UDP = 'urn:xmpp:jingle:transports:ice-udp:1'; // XEP-0176 §14
export const NS_DTLS = 'urn:xmpp:jingle:apps:dtls:0'; // XEP-0320 §7
export const NS_GROUPING = 'urn:xmpp:jingle:apps:grouping:0'; // XEP-0338 §5
export const NS_EXTDISCO = 'urn:xmpp:extdisco:2'; // XEP-0215 §9
export const NS_JMI = 'urn:xmpp:jingle-message:0'; // XEP-0353 §7
export const NS_HINTS = 'urn:xmpp:hints'; // XEP-0334
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'; // RFC 6120 §8.3.3

/**
 * What a connection with confab-media announces (XEP-0030, XEP-0115): peers then offer us calls; a
 * connection without it announces none of them, so no one calls where the call could not succeed.
 */
export const CALL_FEATURES: readonly string[] = [NS_JINGLE, NS_RTP, NS_RTP_AUDIO, NS_RTP_VIDEO, NS_RAW_UDP, NS_ICE_UDP, NS_DTLS, NS_GROUPING, NS_JMI];
