export * from './kafka-test.helpers';
export * from './unique-name';
export * from './wait-for';
export * from './submission.samples';
export * from './foreign-client';
export * from './app-process';
export * from './pii-canaries';
export * from './submission.builders';
