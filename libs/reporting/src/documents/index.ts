export * from './figures.js';
export * from './table.js';
export * from './tables.js';
export * from './csv.js';
export * from './xlsx.js';
export * from './report-data.js';
export * from './annual-report.js';
export * from './answers-compilation.js';
