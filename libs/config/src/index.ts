export * from './app-config';
export * from './config.error';
export * from './config.loader';
export * from './config.module';
export { AUTH_ALGORITHMS, environmentSchema, type Environment } from './config.schema';
