export * from './aggregate-checksum';
export * from './copy-rows';
export * from './presence-aggregator';
export * from './presence-check';
export * from './recompute-plan';
export * from './presence-ledger';
export * from './aggregate-rebuild';
