export * from './percent.js';
export * from './statistics.js';
export * from './year-over-year.js';
export * from './statistics-sources.js';
export * from './format.js';
export * from './documents/index.js';
