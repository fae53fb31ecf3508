/**
 * The locator stage: `cortege.events.v1` → `cortege.presence.v1` (keyed by H3 region) | dead
 * letters. SIGTERM/SIGINT: finish the transaction in flight, leave the group, exit 0.
 */
import { runStage } from '@app/stage-runtime';
import { LocatorModule } from './locator.module';

runStage(LocatorModule, 'Locator', (config) => config.locator.port);
