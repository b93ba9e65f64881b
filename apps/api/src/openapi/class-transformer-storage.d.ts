/** class-transformer keeps its `@Type(() => Class)` metadata here; its package declares no types for the path. */
declare module 'class-transformer/cjs/storage.js' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
  export const defaultMetadataStorage: MetadataStorage;
}
