export * from './config.js';
export * from './private-file.js';
