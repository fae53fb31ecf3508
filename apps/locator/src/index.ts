/** What the rest of the repository (the chaos run) may use of the locator. */
export { PRESENCE_HEADERS } from './locator.handler';
