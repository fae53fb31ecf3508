export * from './cortege-producer';
export * from './submission-status.client';
