export { IrcProtocol, IRC_PARAMETERS } from './irc-protocol';
export { IrcConnection } from './irc-connection';
export { normalizeTarget, rfc1459Lower } from './casemap';
export { splitMessage, bodyBudget } from './split';
export { decodeLine } from './socket-transport';
