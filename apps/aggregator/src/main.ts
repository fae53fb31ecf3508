/**
 * The aggregator: `cortege.presence.v1` → `cell_tension` and `tension_zone` in PostGIS, one
 * transaction per chunk of records with its positions. SIGTERM/SIGINT: finish the transaction
 * in flight, leave the group, exit 0.
 */
import { runStage } from '@app/stage-runtime';
import { TensionError } from '@app/tension';
import { AggregatorModule } from './aggregator.module';

runStage(AggregatorModule, 'Aggregator', (config) => config.aggregator.port, [TensionError]);
