export * from './target.js';
export * from './signature.js';
export * from './webhook-store.js';
export * from './delivery.js';
export * from './dispatcher.js';
export * from './subscriptions.js';
