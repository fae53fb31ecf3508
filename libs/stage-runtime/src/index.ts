export * from './stage-host';
