export * from './event-store.js';
export * from './sqlite/sqlite-event-store.js';
export * from './eventstoredb/eventstoredb-event-store.js';
