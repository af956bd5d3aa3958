/** XMPP: telepathy-gabble's `gabble.manager` (CM `gabble`, protocol `jabber`) → @confab/plugin-xmpp. */
import type { ProtocolTable } from './table';

export const GABBLE: ProtocolTable = {
  confab: 'xmpp',
  cm: 'gabble',
  protocol: 'jabber',
  nickname: 'nickname',
  rows: [
    { tp: 'account', type: 's', confab: 'jid', note: "gabble's 'account' is the JID" },
    { tp: 'password', type: 's', confab: 'password', note: 'secret: kept in the secret store, never shown in Parameters' },
    { tp: 'server', type: 's', confab: 'server' },
    { tp: 'port', type: 'q', confab: 'port' },
    { tp: 'resource', type: 's', confab: 'resource' },
    { tp: 'old-ssl', type: 'b', confab: 'direct-tls', note: 'TLS from the first byte' },
    { tp: 'keepalive-interval', type: 'u', confab: 'ping-interval' },
    { tp: 'alias', type: 's', confab: 'nickname' },
    { tp: 'priority', type: 'n', note: 'Confab sends no presence priority' },
    { tp: 'require-encryption', type: 'b', note: 'Confab always requires TLS' },
    { tp: 'ignore-ssl-errors', type: 'b', note: "not honoured: trust a self-signed server with 'tls-ca'" },
    { tp: 'register', type: 'b', note: 'in-band registration is not done' },
    { tp: 'fallback-conference-server', type: 's', note: 'rooms are joined by their full address' },
  ],
};
