export * from './packets';
export * from './conference';
export * from './conference-book';
export * from './conferences';
export * from './saved-conferences';
export * from './conference-sends';
export * from './conference-rooms';
export * from './profile-conferences';
