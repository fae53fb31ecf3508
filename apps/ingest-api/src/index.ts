/** What the rest of the repository (the chaos run's tests) may use of the ingest API. */
export { parseBatch } from './submission-batch';
