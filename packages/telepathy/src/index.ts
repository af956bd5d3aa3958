/**
 * @confab/telepathy: Telepathy's D-Bus interfaces served over confabd's features (docs/telepathy.md).
 * @since 0.1.0
 */
export { TelepathyAdapter, type TelepathyOptions } from './adapter';
export type { SecretPrompt } from './connections/connections';
export type { ConfabAccountChange, ConfabAccountRun, ConfabAccounts, ConfabFeatures } from './confab';
export { TABLES, tableFor, tableByName } from './params';
export type { ParamRow, ProtocolTable } from './params';
