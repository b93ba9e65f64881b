export * from './tokens.js';
export * from './secret.js';
