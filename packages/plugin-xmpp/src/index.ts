export { XmppProtocol, XMPP_PARAMETERS } from './xmpp-protocol';
export { normalizeJid } from './jid';
export { XmppConnection } from './xmpp-connection';
