export * from './cell-score';
export * from './intensity';
export * from './located-event';
export * from './tension-zone';
export * from './tension.error';
export * from './tension.model';
export * from './time-bucket';
export * from './hotspots';
