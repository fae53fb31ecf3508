import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Pool } from 'pg';
import { AuditLog, HabilitationStore } from '@app/access';
import { TokenVerifier } from '@app/auth';
import { APP_CONFIG, type AppConfig, type ConfigWith } from '@app/config';
import { tensionModelOf } from '@app/tension';
import { AccessGuard, ANALYST_TOKEN_VERIFIER } from './access.guard';
import { AdminController } from './admin.controller';
import { AgendaController } from './agenda.controller';
import { AnalystExceptionFilter } from './analyst-exception.filter';
import { ANALYST_POOL, analystPool } from './analyst-pool';
import { FeaturesController } from './features.controller';
import { FeaturesRepository } from './features.repository';
import { HealthController } from './health.controller';
import { LiveController } from './live.controller';
import { MapController } from './map.controller';
import { OpenApiController } from './openapi.controller';
import { Responder } from './responder';
import { StatsController } from './stats.controller';
import { TensionNotifications } from './tension-notifications';
import { TilesController } from './tiles.controller';

/** The configuration the analysts' API runs with: the platform's, with the auth section. */
export type AnalystApiConfig = ConfigWith<'auth'>;

/** Ends the pool when the app closes. */
class PoolCloser implements OnApplicationShutdown {
  constructor(@Inject(ANALYST_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * The analysts' API's wiring; the configuration is given, so tests run it with their own.
 * Every constructor parameter names its token with `@Inject` (tsx emits no decorator metadata).
 */
@Module({})
export class AnalystApiModule {
  static forRoot(config: AnalystApiConfig): DynamicModule {
    return {
      module: AnalystApiModule,
      controllers: [
        HealthController,
        OpenApiController,
        StatsController,
        AgendaController,
        TilesController,
        AdminController,
        MapController,
        LiveController,
        // Last: its `/collections/...` routes are the most general.
        FeaturesController,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ANALYST_POOL, useFactory: () => analystPool(config.database.url) },
        PoolCloser,
        {
          provide: HabilitationStore,
          inject: [ANALYST_POOL],
          useFactory: (pool: Pool) => new HabilitationStore(pool),
        },
        {
          provide: AuditLog,
          inject: [ANALYST_POOL],
          useFactory: (pool: Pool) => new AuditLog(pool),
        },
        {
          provide: FeaturesRepository,
          inject: [ANALYST_POOL],
          useFactory: (pool: Pool) =>
            new FeaturesRepository(pool, tensionModelOf(config.tension).bucketMinutes),
        },
        {
          provide: ANALYST_TOKEN_VERIFIER,
          inject: [APP_CONFIG],
          useFactory: (c: AnalystApiConfig) =>
            TokenVerifier.create({ ...c.auth, audience: c.analystApi.audience ?? c.auth.audience }),
        },
        Responder,
        TensionNotifications,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: AnalystExceptionFilter },
      ],
    };
  }
}

export type { AppConfig };
