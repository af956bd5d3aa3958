export { startDaemon, VERSION, type RunningDaemon } from './daemon';
export { Core } from './core';
export { Store } from './storage/store';
