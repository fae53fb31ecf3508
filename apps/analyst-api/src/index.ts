/** What the rest of the repository (the demo, the benchmarks) may use of the analysts' API. */
export { createAnalystApp } from './analyst-api.factory';
