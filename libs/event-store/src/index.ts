export * from './event-store.js';
export * from './sqlite/sqlite-event-store.js';
