export * from './messenger';
