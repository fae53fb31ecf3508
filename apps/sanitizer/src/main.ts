/**
 * The sanitizer stage: `cortege.submissions.v1` → `cortege.events.v1` | dead letters.
 * SIGTERM/SIGINT: finish the transaction in flight, leave the group, disconnect, exit 0.
 */
import { runStage } from '@app/stage-runtime';
import { SanitizerModule } from './sanitizer.module';

runStage(SanitizerModule, 'Sanitizer', (config) => config.sanitizer.port);
