/** IRC: telepathy-idle 0.2's `idle.manager` (CM `idle`, protocol `irc`; Polari hard-codes both) → @confab/plugin-irc. */
import type { ProtocolTable } from './table';

export const IDLE: ProtocolTable = {
  confab: 'irc',
  cm: 'idle',
  protocol: 'irc',
  nickname: 'nickname',
  rows: [
    { tp: 'account', type: 's', confab: 'nickname', note: "idle's 'account' is the nickname" },
    { tp: 'server', type: 's', confab: 'server' },
    { tp: 'port', type: 'q', confab: 'port' },
    { tp: 'password', type: 's', confab: 'password', note: 'secret: kept in the secret store, never shown in Parameters' },
    { tp: 'fullname', type: 's', confab: 'realname' },
    { tp: 'username', type: 's', confab: 'username' },
    { tp: 'use-ssl', type: 'b', confab: 'tls' },
    { tp: 'quit-message', type: 's', confab: 'quit-message' },
    { tp: 'charset', type: 's', note: 'Confab speaks UTF-8' },
    { tp: 'keepalive-interval', type: 'u', note: "Confab pings after 'ping-timeout' seconds of silence" },
    { tp: 'password-prompt', type: 'b', note: 'with no password on Confab, a connection asks it of a client through a ServerAuthentication channel (connections/password-prompt.ts)' },
  ],
};
