export * from './constants';
export * from './packets';
export * from './packet-buffer';
export * from './connection';
export * from './net-crypto';
