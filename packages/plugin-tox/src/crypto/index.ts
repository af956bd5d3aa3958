export * from './keys';
export * from './nonce';
export * from './box';
export * from './shared-key-cache';
