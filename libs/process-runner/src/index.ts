export * from './managed-process';
export * from './process-runner';
export * from './process-runner.error';
export * from './project-app';
export * from './restart-backoff';
