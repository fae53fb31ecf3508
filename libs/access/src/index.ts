export * from './access-role';
export * from './access.error';
export * from './audit-chain';
export * from './audit-log';
export * from './habilitation';
export * from './habilitation.rules';
export * from './habilitation.store';
