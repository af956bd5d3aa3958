export * from './packets';
export * from './conference';
export * from './conference-book';
export * from './conferences';
export * from './saved-conferences';
