export * from './constants';
export * from './handshake';
export * from './framing';
export * from './packets';
export * from './relay-client';
export * from './tcp-relays';
