/** What the rest of the repository (the benchmarks) may use of the sanitizer. */
export { EVENT_HEADERS, SanitizerHandler } from './sanitizer.handler';
export { SanitizerMetrics } from './sanitizer.metrics';
