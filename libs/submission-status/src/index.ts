export * from './submission-status.schema';
export * from './status-output';
export * from './submission-status.store';
export * from './status-materializer';
