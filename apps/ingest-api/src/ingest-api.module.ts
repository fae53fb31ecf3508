import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig, type ConfigWith } from '@app/config';
import { CortegeProducer } from '@app/producer-sdk';
import { DependencyHealth } from './dependency.health';
import { HealthController } from './health.controller';
import { IngestExceptionFilter } from './ingest-exception.filter';
import { IngestMetrics } from './ingest.metrics';
import { kafkaSecurityOptions } from '@app/kafka';
import { CORTEGE_PRODUCER, KafkaSubmissionPublisher } from './kafka-submission.publisher';
import { MetricsController } from './metrics.controller';
import { OpenApiController } from './openapi.controller';
import { PgProducerBindings, PRODUCER_BINDINGS } from './producer-bindings';
import { ProducerAuthGuard } from './producer-auth.guard';
import { SubmissionIntake } from './submission-intake.service';
import { SUBMISSION_SINK } from './submission.sink';
import { SubmissionsController } from './submissions.controller';
import { SubmissionStatusController } from './submission-status.controller';
import { SUBMISSION_RECEIPTS, SubmissionStatusService } from './submission-status.service';
import { ProducerVerifier, TOKEN_VERIFIER } from './token.verifier';
import { ROUTE_METHODS, RouteMethods } from './route-methods';

const CONTROLLERS = [
  SubmissionsController,
  SubmissionStatusController,
  HealthController,
  MetricsController,
  OpenApiController,
];

/** The configuration the ingest API runs with: the platform's, with the auth section. */
export type IngestApiConfig = ConfigWith<'auth'>;

/**
 * The ingest API's wiring. The configuration is given, so tests run it with their own.
 * Every constructor parameter names its token with `@Inject`: tsx (esbuild) emits no
 * decorator metadata, so Nest could not infer them from the types.
 */
@Module({})
export class IngestApiModule {
  static forRoot(config: IngestApiConfig): DynamicModule {
    return {
      module: IngestApiModule,
      controllers: CONTROLLERS,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        {
          provide: CORTEGE_PRODUCER,
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) =>
            new CortegeProducer({
              brokers: c.kafka.brokers,
              registryUrl: c.registry.url,
              clientId: `${c.kafka.clientId}-ingest-api`,
              topic: c.ingest.topic,
              policy: c.sanitizer.policyOverrides,
              ...kafkaSecurityOptions(c.kafka),
            }),
        },
        KafkaSubmissionPublisher,
        { provide: SUBMISSION_SINK, useExisting: KafkaSubmissionPublisher },
        PgProducerBindings,
        { provide: PRODUCER_BINDINGS, useExisting: PgProducerBindings },
        SubmissionStatusService,
        { provide: SUBMISSION_RECEIPTS, useExisting: SubmissionStatusService },
        SubmissionIntake,
        {
          provide: TOKEN_VERIFIER,
          inject: [APP_CONFIG],
          useFactory: (c: IngestApiConfig) => ProducerVerifier.create(c.auth),
        },
        { provide: APP_GUARD, useClass: ProducerAuthGuard },
        { provide: ROUTE_METHODS, useValue: RouteMethods.of(CONTROLLERS) },
        { provide: APP_FILTER, useClass: IngestExceptionFilter },
        IngestMetrics,
        DependencyHealth,
      ],
    };
  }
}
