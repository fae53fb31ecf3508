export * from './locate.use-case';
export * from './located-events.state';
