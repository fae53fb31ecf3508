import { createHash } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { Submission } from '@app/contracts';
import { migrate } from '@app/database';
import { ensureTopics, kafkaFromConfig } from '@app/kafka';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  StatusMaterializer,
  statusTopicSpec,
  SubmissionStatusStore,
  SUBMISSION_STATUS_SCHEMA,
  type StatusRecord,
  type SubmissionStatusView,
} from '@app/submission-status';
import { enqueueWebhook, WebhookDispatcher } from '@app/webhooks';
import { IngestError, IngestErrorCode } from './ingest.error';

/** DI token of the intake's `SubmissionReceipts`. */
export const SUBMISSION_RECEIPTS = Symbol('SUBMISSION_RECEIPTS');

/** Where the intake records that the brokers took a request's submissions. */
export interface SubmissionReceipts {
  /** Best effort: a failure is logged, never thrown (the submissions are published). */
  received(submissions: readonly Submission[], at: Date): Promise<void>;
}

/** The body of a rejection webhook (docs/ingest-api.md, "Rejection webhooks"). */
export interface RejectionNotice {
  readonly type: 'submission.rejected';
  readonly eventId: string;
  readonly revision: number;
  readonly source: string;
  readonly stage: string;
  readonly rejectedAt: string;
  readonly rejection: NonNullable<StatusRecord['rejection']>;
}

/** A UUID derived from `text` (SHA-256, version and variant bits set): the same text, the same id. */
export function derivedUuid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** How long to wait before starting the status feed again after a failure, ms. */
const RESTART_MS = 2_000;

/**
 * The submissions' statuses on the ingest API's side: the receipts it writes itself, the table
 * it answers from (`submission_status`), kept from the status topic the sanitizer and the
 * locator write in their transactions (`StatusMaterializer`, its own consumer group), and the
 * rejection webhooks: each rejection of a source with a webhook (INGEST_WEBHOOKS) is enqueued in
 * the transaction that records it, and sent by the outbox's dispatcher.
 */
@Injectable()
export class SubmissionStatusService
  implements SubmissionReceipts, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('SubmissionStatus');
  private readonly pool: Pool;
  private readonly store: SubmissionStatusStore;
  private readonly dispatcher: WebhookDispatcher;
  private materializer: StatusMaterializer | undefined;
  private migrated: Promise<unknown> | undefined;
  private starting: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.pool = new Pool({
      connectionString: config.database.url,
      max: 4,
      connectionTimeoutMillis: 5_000,
    });
    // An idle client losing its connection is an 'error' event, fatal unheard.
    this.pool.on('error', () => undefined);
    this.store = new SubmissionStatusStore(this.pool);
    const hooks = config.ingest.webhooks;
    this.dispatcher = new WebhookDispatcher(this.pool, {
      ...config.webhooks,
      targets: (source) => hooks[source],
      // The outbox is shared (the aggregator delivers its alerts from it): claim only ours.
      only: Object.keys(hooks),
      onAttempt: (a) => {
        if (a.outcome !== 'delivered')
          this.logger.warn(
            `webhook ${a.id} to ${a.target}, attempt ${a.attempt}: ${a.error ?? ''} (${a.outcome})`,
          );
      },
      onError: (error) => this.logger.warn(`webhook outbox: ${String(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    // In the background: the API answers (and refuses with 503) while the stack comes up.
    this.start(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.starting);
    await this.materializer?.close().catch(() => undefined);
    await this.dispatcher.close();
    await this.pool.end();
  }

  async received(submissions: readonly Submission[], at: Date): Promise<void> {
    try {
      await this.ready();
      await this.store.received(
        submissions.map((s) => ({ eventId: s.eventId, revision: s.revision, source: s.source })),
        at,
      );
    } catch (error) {
      this.logger.warn(
        `the receipt of ${submissions.length} submission(s) was not recorded: ${String(error)}`,
      );
    }
  }

  /**
   * The status of `revision` of `eventId`, or of each revision (newest first) without one.
   * @throws IngestError Unavailable when the database does not answer.
   */
  async statusOf(eventId: string): Promise<SubmissionStatusView[]>;
  async statusOf(eventId: string, revision: number): Promise<SubmissionStatusView | undefined>;
  async statusOf(
    eventId: string,
    revision?: number,
  ): Promise<SubmissionStatusView[] | SubmissionStatusView | undefined> {
    try {
      await this.ready();
      return revision === undefined
        ? await this.store.revisions(eventId)
        : await this.store.revision(eventId, revision);
    } catch (error) {
      throw new IngestError(
        IngestErrorCode.Unavailable,
        'the database of submission statuses does not answer; retry',
        { retriable: true },
        0,
        { cause: error },
      );
    }
  }

  private ready(): Promise<unknown> {
    this.migrated ??= migrate(this.config.database.url).catch((error: unknown) => {
      this.migrated = undefined;
      throw error;
    });
    return this.migrated;
  }

  /** Starts the status feed and the webhook dispatcher; tries again until it works. */
  private start(delayMs: number): void {
    this.starting = setTimeout(() => {
      this.startOnce().catch((error: unknown) => {
        this.logger.warn(`the status feed is not running yet (${String(error)}); trying again`);
        void this.materializer?.close().catch(() => undefined);
        this.materializer = undefined;
        if (!this.closed) this.start(RESTART_MS);
      });
    }, delayMs);
  }

  private async startOnce(): Promise<void> {
    await this.ready();
    const { config } = this;
    const kafka = kafkaFromConfig(config, 'ingest-status');
    const topic = config.submissionStatus.topic;
    await ensureTopics(kafka, [statusTopicSpec(config, config.sanitizer.partitions)]);
    const serde = AvroSerde.forDecoding<StatusRecord>(
      new RegistryClient(config.registry.url),
      topic,
      SUBMISSION_STATUS_SCHEMA,
    );
    if (this.closed) return;
    this.materializer = new StatusMaterializer(kafka, this.pool, serde, {
      topic,
      groupId: config.submissionStatus.groupId,
      rejected: (client, record) => this.notify(client, record),
      log: (level, line) => (level === 'warn' ? this.logger.warn(line) : this.logger.log(line)),
    });
    await this.materializer.start();
    this.dispatcher.start();
    this.logger.log(`keeping the submissions' statuses from ${topic}`);
  }

  /** Enqueues the rejection's webhook, when its source has one, in the status's transaction. */
  private async notify(client: PoolClient, record: StatusRecord): Promise<void> {
    const source = record.source;
    if (source === null || this.config.ingest.webhooks[source] === undefined) return;
    if (record.rejection === null) return;
    const notice: RejectionNotice = {
      type: 'submission.rejected',
      eventId: record.eventId,
      revision: record.revision,
      source,
      stage: record.stage,
      rejectedAt: new Date(record.at).toISOString(),
      rejection: record.rejection,
    };
    await enqueueWebhook(client, {
      id: derivedUuid(`submission.rejected/${record.eventId}/${record.revision}`),
      target: source,
      payload: notice,
    });
    this.dispatcher.poke();
  }
}
