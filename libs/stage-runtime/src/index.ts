export * from './stage-host';
export * from './stage.module';
export * from './run-stage';
