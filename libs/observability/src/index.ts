export * from './observability.controller';
