/**
 * @confab/sdk — the plugin contract and the core model. No I/O.
 * Plugins import everything they need from here, inversify's ContainerModule included, so that the
 * daemon and its plugins share one copy.
 */
export { ContainerModule, type interfaces } from 'inversify';
export * from './errors';
export * from './events';
export * from './params';
export * from './model';
export * from './connection';
export * from './protocol';
export * from './addresses';
export * from './status';
export * from './calls';
export * from './room-list';
