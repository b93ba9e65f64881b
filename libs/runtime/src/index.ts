export * from './tokens.js';
export * from './runtime.module.js';
