import {
  Kafka,
  logLevel,
  Partitioners,
  type KafkaConfig,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import {
  ContractError,
  SUBMISSION_SCHEMA,
  TOPICS,
  type RuleViolation,
  type Submission,
} from '@app/contracts';
// The rules without the scrubber: the SDK runs in the producers' processes.
import {
  sanitizationPolicy,
  validateSubmission,
  type SanitizationPolicy,
  type SubmissionValidation,
} from '@app/sanitization/rules';
import { AvroSerde, RegistryClient, type RegistryAuth } from '@app/schema-registry';
import {
  SubmissionStatusClient,
  SubmissionStatusError,
  SubmissionStatusErrorCode,
  type StatusApiOptions,
  type SubmissionStatusView,
  type SubmissionStep,
} from './submission-status.client';

export interface CortegeProducerOptions {
  /** `host:port` of the Kafka brokers. */
  readonly brokers: readonly string[];
  /** Base URL of the Confluent-compatible registry API. */
  readonly registryUrl: string;
  readonly registryAuth?: RegistryAuth;
  readonly clientId?: string;
  /** Defaults to `cortege.submissions.v1`. */
  readonly topic?: string;
  /** SASL (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER…) as kafkajs takes it. */
  readonly sasl?: SASLOptions;
  /** TLS to the brokers: `true` for the system's CAs, or Node's TLS options (ca, cert, key). */
  readonly ssl?: boolean | ConnectionOptions;
  /**
   * The sanitizer's limits where the platform changed them (its SANITIZER_* settings: longest
   * event, largest counts, area of operation…); the others keep the sanitizer's defaults. With
   * the platform's values, what the sanitizer would reject is a `ContractError` here.
   */
  readonly policy?: Partial<SanitizationPolicy>;
  /**
   * The ingest API that answers the status of this producer's submissions (`status`,
   * `waitFor`), with the producer's token; unset = no status.
   */
  readonly statusApi?: StatusApiOptions;
}

/**
 * The header naming the producer (its token's client id, else subject) that submitted a record
 * through the ingest API; the SDK's own `publish` does not set it (see `send`).
 */
export const PRODUCER_HEADER = 'cortege-producer';

/** A submission the brokers acknowledged (all in-sync replicas have it). */
export interface PublishReceipt {
  readonly eventId: string;
  readonly revision: number;
  readonly topic: string;
}

/** Some submissions of a batch break the contract; none of the batch was sent. */
export class BatchContractError extends Error {
  readonly retriable = false;

  constructor(
    readonly invalid: ReadonlyArray<{
      readonly index: number;
      readonly violations: readonly RuleViolation[];
      /** How many violations this submission has; more than listed when they were cut. */
      readonly total: number;
    }>,
  ) {
    super(
      `${invalid.length} submission(s) of the batch break the contract, nothing sent: ` +
        invalid
          .map(
            (i) => `[${i.index}] ${i.violations.map((v) => `${v.path}: ${v.message}`).join('; ')}`,
          )
          .join(' | '),
    );
    this.name = 'BatchContractError';
  }
}

/**
 * The producer SDK for the Cortège side. Validates each submission against the contract and
 * the sanitizer's rules (`validateSubmission`, with `options.policy`) before sending, writes it in the Confluent wire format with the approved schema's registry id (never registering), keyed by
 * `eventId`, through an idempotent producer (no duplicates from retries).
 *
 * ```ts
 * const producer = new CortegeProducer({ brokers: ['kafka:9093'], registryUrl, ssl: true, sasl });
 * await producer.connect();
 * await producer.publish(submission);
 * await producer.disconnect();
 * ```
 */
export class CortegeProducer {
  private readonly producer: Producer;
  private readonly registry: RegistryClient;
  private readonly topic: string;
  private serde: AvroSerde<Submission> | undefined;
  private readonly policy: SanitizationPolicy;
  private readonly statusClient: SubmissionStatusClient | undefined;

  constructor(options: CortegeProducerOptions) {
    const config: KafkaConfig = {
      clientId: options.clientId ?? 'cortege-producer',
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      ...(options.sasl ? { sasl: options.sasl } : {}),
      ...(options.ssl !== undefined ? { ssl: options.ssl } : {}),
    };
    this.producer = new Kafka(config).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.registry = new RegistryClient(options.registryUrl, options.registryAuth);
    this.topic = options.topic ?? TOPICS.submissions;
    this.policy = sanitizationPolicy(options.policy);
    this.statusClient = options.statusApi && new SubmissionStatusClient(options.statusApi);
  }

  /** The contract and the sanitizer's rules on one submission, nothing sent. */
  validate(submission: unknown): SubmissionValidation {
    return validateSubmission(submission, this.policy);
  }

  /**
   * Finds the registry version of the contract this SDK writes, registering nothing (a version
   * enters the registry only when the city approves it: `cortege schema approve`), and connects
   * to Kafka.
   * @throws SerdeError NotRegistered when the contract's version is not approved yet.
   */
  async connect(): Promise<void> {
    this.serde = await AvroSerde.registered<Submission>(
      this.registry,
      this.topic,
      SUBMISSION_SCHEMA,
    );
    await this.producer.connect();
  }

  /**
   * The status of `revision` of `eventId` (or of its newest revision) as the ingest API knows
   * it: received, clean, located, aggregated, or rejected with the stage and its violations,
   * with the time of each step; undefined when nothing is known of it yet. Needs `statusApi`.
   * @throws SubmissionStatusError (Refused, Unavailable, NotConfigured).
   */
  async status(eventId: string, revision?: number): Promise<SubmissionStatusView | undefined> {
    return this.statuses().status(eventId, revision);
  }

  /**
   * Waits until `revision` of `eventId` reaches `step` (`received`, `clean`, `located`,
   * `aggregated`), polling the ingest API with a back-off. Needs `statusApi`.
   * @throws SubmissionStatusError Rejected when a stage rejects it, Timeout after `timeoutMs`
   *   (60 s unless told) naming what was awaited and the last status seen.
   */
  async waitFor(
    eventId: string,
    revision: number,
    step: SubmissionStep,
    options: { timeoutMs?: number } = {},
  ): Promise<SubmissionStatusView> {
    return this.statuses().waitFor(eventId, revision, step, options);
  }

  private statuses(): SubmissionStatusClient {
    if (this.statusClient === undefined)
      throw new SubmissionStatusError(
        SubmissionStatusErrorCode.NotConfigured,
        'this producer was made without statusApi: it cannot read statuses',
        undefined,
      );
    return this.statusClient;
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  /**
   * Publishes one submission (the Avro shape, or the ingest API's JSON shape).
   * @throws ContractError with every violation of the contract and of the sanitizer's rules,
   *   with its field path and code (at most `MAX_VIOLATIONS`, `total` and `truncated` say
   *   whether more were found); nothing is sent.
   */
  async publish(submission: unknown): Promise<PublishReceipt> {
    const parsed = this.validate(submission);
    if (!parsed.ok) throw new ContractError(parsed.violations, parsed.total);
    const [receipt] = await this.send([parsed.submission]);
    return receipt as PublishReceipt;
  }

  /**
   * Publishes many submissions in one request. All are validated first: if any breaks the
   * contract, none is sent.
   * @throws BatchContractError listing each invalid submission by index.
   */
  async publishBatch(submissions: readonly unknown[]): Promise<PublishReceipt[]> {
    const parsed = submissions.map((s) => this.validate(s));
    const invalid = parsed.flatMap((p, index) =>
      p.ok ? [] : [{ index, violations: p.violations, total: p.total }],
    );
    if (invalid.length > 0) throw new BatchContractError(invalid);
    return this.send(parsed.map((p) => (p.ok ? p.submission : (undefined as never))));
  }

  /**
   * Sends already valid submissions; used by the ingest API after its own validation, with the
   * submitting producer in `headers` (`PRODUCER_HEADER`). Beside `source` and `revision`,
   * which `headers` cannot replace.
   */
  async send(
    submissions: readonly Submission[],
    headers: Readonly<Record<string, string>> = {},
  ): Promise<PublishReceipt[]> {
    if (!this.serde) throw new Error('CortegeProducer.connect() must be called before publishing');
    const serde = this.serde;
    await this.producer.send({
      topic: this.topic,
      messages: submissions.map((s) => ({
        key: s.eventId,
        value: serde.encode(s),
        headers: { ...headers, source: s.source, revision: String(s.revision) },
      })),
    });
    return submissions.map((s) => ({
      eventId: s.eventId,
      revision: s.revision,
      topic: this.topic,
    }));
  }
}
