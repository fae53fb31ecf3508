export * from './webhook-signature';
export * from './webhook-backoff';
export * from './webhook-outbox';
export * from './webhook-dispatcher';
