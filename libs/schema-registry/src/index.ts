export * from './avro-serde';
export * from './registry.client';
export * from './serde.error';
export * from './registry-subjects';
export * from './schema-fingerprint';
export * from './schema-gate';
