export * from './dead-letter';
export * from './topic-admin';
export * from './topic-reader';
export * from './topic-retention';
export * from './consuming-stage';
export * from './kafka.factory';
export * from './batch-retry';
export * from './group-probe';
