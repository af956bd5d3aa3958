export { XmppProtocol, XMPP_PARAMETERS } from './xmpp-protocol';
export { normalizeJid } from './jid';
export { trustOnUpgrade } from './tls-ca';
export { XmppConnection } from './xmpp-connection';
