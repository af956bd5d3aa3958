/** SIP: telepathy-rakia's `rakia.manager` (CM `rakia`, protocol `sip`) → @confab/plugin-sip. */
import type { ProtocolTable } from './table';

export const RAKIA: ProtocolTable = {
  confab: 'sip',
  cm: 'rakia',
  protocol: 'sip',
  nickname: 'display-name',
  rows: [
    { tp: 'account', type: 's', confab: 'uri', note: "rakia's 'account' is the address, user@domain" },
    { tp: 'auth-user', type: 's', confab: 'auth-user' },
    { tp: 'password', type: 's', confab: 'password', note: 'secret: kept in the secret store, never shown in Parameters' },
    { tp: 'proxy-host', type: 's', confab: 'server' },
    { tp: 'port', type: 'q', confab: 'port' },
    { tp: 'transport', type: 's', confab: 'transport', toConfab: (v) => (v === 'auto' ? undefined : v), note: "'auto' is Confab's default (from the URI, else udp)" },
    { tp: 'alias', type: 's', confab: 'display-name' },
    { tp: 'keepalive-interval', type: 'u', confab: 'keepalive-interval' },
    { tp: 'registrar', type: 's', note: "Confab registers through the proxy ('server') or the address's domain" },
    { tp: 'discover-binding', type: 'b', note: 'Confab keeps its binding with keep-alives' },
    { tp: 'loose-routing', type: 'b', note: 'Confab always routes loosely (RFC 3261)' },
    { tp: 'stun-server', type: 's', note: "ICE servers are confab-media's" },
    { tp: 'stun-port', type: 'q', note: "ICE servers are confab-media's" },
  ],
};
