export * from './observability.controller';
export * from './stage-health';
export * from './retriable-error';
