export * from './streams.js';
export * from './hash-chain.js';
export * from './ids.js';
export * from './metadata.js';
export * from './stream-writer.js';
export * from './command-processor.js';
export * from './proposal-queries.js';
export * from './cqrs.js';
