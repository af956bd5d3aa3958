export * from './friend-connections';
