export * from './observability.controller';
export * from './stage-health';
export * from './retriable-error';
export * from './nest-log-levels';
export * from './within';
export * from './dependency-state';
export * from './stop-when-orphaned';
