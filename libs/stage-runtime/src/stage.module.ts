import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@app/config';
import { METRICS_REGISTRY, ObservabilityController, STAGE_HEALTH } from '@app/observability';
import type { Registry } from 'prom-client';
import { StageHost, type StageDefinition } from './stage-host';

/** The host of the application's stage. */
export const STAGE_HOST = Symbol('STAGE_HOST');

export interface StageModuleOptions<T, M extends { readonly registry: Registry }> {
  /** Modules the stage's definition needs providers of (the geocoder, for the locator). */
  readonly imports?: ModuleMetadata['imports'];
  /** The stage's Prometheus metrics: a class Nest builds, holding its registry. */
  readonly metrics: Type<M>;
  /** Providers given to `define` after the configuration and the metrics. */
  readonly inject?: readonly InjectionToken[];
  /** The stage, from the configuration, its metrics and the providers of `inject`. */
  readonly define: (config: AppConfig, metrics: M, ...injected: never[]) => StageDefinition<T>;
}

/** Starts the stage once the application is up; stops it (bounded) on shutdown. */
@Injectable()
class StageLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(STAGE_HOST) private readonly host: StageHost<unknown>) {}

  onApplicationBootstrap(): void {
    this.host.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.host.stop();
  }
}

/**
 * What every stage application is: its configuration, its metrics and health at `/metrics`
 * and `/health`, and its stage, hosted by a `StageHost`. An app's module is
 * `StageModule.forStage({ metrics, define })`.
 */
@Module({})
export class StageModule {
  static forStage<T, M extends { readonly registry: Registry }>(
    options: StageModuleOptions<T, M>,
  ): DynamicModule {
    return {
      module: StageModule,
      imports: [ConfigModule, ...(options.imports ?? [])],
      controllers: [ObservabilityController],
      providers: [
        options.metrics,
        {
          provide: METRICS_REGISTRY,
          useFactory: (metrics: M) => metrics.registry,
          inject: [options.metrics],
        },
        {
          provide: STAGE_HOST,
          useFactory: (config: AppConfig, metrics: M, ...injected: never[]) => {
            const definition = options.define(config, metrics, ...injected);
            return new StageHost<T>(config, definition, new Logger(definition.stage));
          },
          inject: [APP_CONFIG, options.metrics, ...(options.inject ?? [])],
        },
        {
          provide: STAGE_HEALTH,
          useFactory: (host: StageHost<unknown>) => host.health,
          inject: [STAGE_HOST],
        },
        StageLifecycle,
      ],
    };
  }
}
