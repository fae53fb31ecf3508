export * from './cortege-producer';
