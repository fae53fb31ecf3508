export * from './kafka-test.helpers';
export * from './unique-name';
export * from './wait-for';
export * from './submission.samples';
export * from './foreign-client';
