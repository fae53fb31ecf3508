/**
 * The sanitizer's rules and policy without its scrubber (`@app/sanitization/rules`): what the
 * producer SDK and the ingest API check at the source. The scrubber's dictionaries (about
 * 100 MB of heap) are not loaded by this entry.
 */
export * from './area-of-operation';
export * from './footprint.rules';
export * from './position.rules';
export * from './route.rules';
export * from './sanitization.error';
export * from './sanitization.policy';
export * from './sanitization.violation';
export * from './submission.rules';
export * from './validate-submission';
