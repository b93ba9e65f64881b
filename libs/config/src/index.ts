export * from './config.js';
export * from './private-file.js';
export * from './automation.js';
