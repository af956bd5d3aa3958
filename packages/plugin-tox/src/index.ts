/**
 * @confab/plugin-tox — Tox in TypeScript on tweetnacl, wire-compatible with c-toxcore 0.2.18 (issue 6).
 * The layers, bottom up: wire formats and crypto, the DHT, (to come) the onion, net_crypto,
 * friend_connection and messenger; the profile formats beside them.
 */
export { Reader, Writer, Truncated, Malformed } from './wire/bytes';
export * from './wire/copy';
export * from './wire/ip';
export * from './wire/packed-node';
export * from './crypto';
export * from './dht';
export * from './tox-id';
export * from './savedata';
export * from './net-crypto';
export * from './friend-connection';
export * from './messenger';
export * from './onion';
export { ToxNode, DEFAULT_PORT_RANGE, type ToxNodeOptions, type IncomingFriendRequest } from './tox-node';
export { ToxProtocol, TOX_CAPABILITIES } from './account/tox-protocol';
export { TOX_PARAMETERS, DEFAULT_BOOTSTRAP_NODES, accountSettings, parseBootstrapNode, type ToxSettings, type BootstrapNode } from './account/tox-settings';
export { parseContact } from './account/tox-contacts';
export { ProfileStore, PROFILE_FILE } from './account/profile-store';
