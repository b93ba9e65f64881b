export * from './tokens.js';
export * from './runtime.module.js';
export * from './read-side.js';
export * from './automation.js';
export * from './webhooks.js';
