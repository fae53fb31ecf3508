import { COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import { Type } from 'avsc';
import type { RegistryClient } from './registry.client';
import { SerdeError, SerdeErrorCode } from './serde.error';

/** Magic byte 0, then the schema id as a 4-byte big-endian integer, then the Avro body. */
const HEADER_BYTES = 5;

/**
 * The compatibility the project sets on its subjects. FULL_TRANSITIVE: every version can read
 * data written by every other, so producers (the Préfecture's side) and consumers (ours) may
 * upgrade in any order. It includes BACKWARD_TRANSITIVE and also refuses removing a field
 * that has no default (docs/adr/0003-schema-compatibility.md).
 */
export const SUBJECT_COMPATIBILITY = COMPATIBILITY.FULL_TRANSITIVE;

/** The value subject of a topic (Confluent's TopicNameStrategy). */
export const valueSubject = (topic: string) => `${topic}-value`;

interface HttpLikeError {
  status?: number;
  message?: string;
}

const statusOf = (error: unknown) => (error as HttpLikeError | undefined)?.status;

/**
 * Confluent wire format for one topic's values, with a pinned reader schema: it writes with the
 * id of the project's schema in the topic's subject (registering it for the stages' own output
 * topics, looking it up for a contract's producers), and reads any registered
 * writer version into the pinned shape (Avro schema resolution), so old writers still decode.
 */
export class AvroSerde<T> {
  private readonly readerType: Type;
  private readonly resolvers = new Map<number, Type | ReturnType<Type['createResolver']>>();

  private constructor(
    private readonly registry: RegistryClient,
    readonly subject: string,
    /** The registered id values are written with; undefined for a decode-only serde. */
    readonly schemaId: number | undefined,
    readerSchema: object,
  ) {
    this.readerType = Type.forSchema(readerSchema as never);
  }

  /**
   * Sets the subject's compatibility, registers `schema` (a no-op when already there) and
   * returns a serde writing with its id. For the subjects the city's stages own (their output
   * topics) and the schema-change gate; a contract's producers use `registered`.
   *
   * @throws SerdeError IncompatibleSchema with the registry's explanation, or RegistryUnavailable.
   */
  static async register<T>(
    registry: RegistryClient,
    topic: string,
    schema: object,
  ): Promise<AvroSerde<T>> {
    const subject = valueSubject(topic);
    try {
      await registry.setCompatibility(subject, SUBJECT_COMPATIBILITY);
      const id = await registry.register(subject, schema, SUBJECT_COMPATIBILITY);
      return new AvroSerde<T>(registry, subject, id, schema);
    } catch (error) {
      throw registryError(error, `registering the schema of ${subject}`);
    }
  }

  /**
   * A serde writing with the version of `topic`'s subject that holds exactly `schema`,
   * registering nothing and setting no compatibility: what producers of a contract use, since a
   * version enters the subject only through the schema-change gate (`cortege schema approve`,
   * docs/adr/0006-schema-change-gate.md).
   *
   * @throws SerdeError NotRegistered when the subject does not hold `schema` (not approved
   *   yet), or RegistryUnavailable.
   */
  static async registered<T>(
    registry: RegistryClient,
    topic: string,
    schema: object,
  ): Promise<AvroSerde<T>> {
    const subject = valueSubject(topic);
    let found: { id: number } | undefined;
    try {
      found = await registry.lookup(subject, schema);
    } catch (error) {
      throw registryError(error, `looking up the schema of ${subject}`);
    }
    if (found === undefined) {
      throw new SerdeError(
        SerdeErrorCode.NotRegistered,
        `${subject} does not hold this schema: it has not been approved (cortege schema propose, then cortege schema approve)`,
      );
    }
    return new AvroSerde<T>(registry, subject, found.id, schema);
  }

  /**
   * A serde that only decodes `topic`'s records into `readerSchema`, registering nothing:
   * what a consumer needs.
   */
  static forDecoding<T>(
    registry: RegistryClient,
    topic: string,
    readerSchema: object,
  ): AvroSerde<T> {
    return new AvroSerde<T>(registry, valueSubject(topic), undefined, readerSchema);
  }

  /**
   * Encodes `value` with the registered schema: magic byte, schema id, Avro body.
   * @throws SerdeError InvalidValue naming the first wrong field path.
   */
  encode(value: T): Buffer {
    if (this.schemaId === undefined)
      throw new Error(`${this.subject}: a decode-only serde cannot encode`);
    const wrong: string[] = [];
    if (
      !this.readerType.isValid(value, {
        errorHook: (path) => wrong.push(path.join('.') || '(root)'),
      })
    ) {
      throw new SerdeError(
        SerdeErrorCode.InvalidValue,
        `value does not match ${this.subject}: ${wrong.join(', ')}`,
      );
    }
    const body = this.readerType.toBuffer(value);
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt8(0, 0);
    header.writeInt32BE(this.schemaId, 1);
    return Buffer.concat([header, body]);
  }

  /** The schema id a record in the Confluent wire format names (undefined: too short). */
  static writerIdOf(buffer: Buffer | null): number | undefined {
    return buffer && buffer.length >= HEADER_BYTES && buffer[0] === 0
      ? buffer.readInt32BE(1)
      : undefined;
  }

  /**
   * Decodes a record of this topic into the pinned reader shape.
   * @throws SerdeError with a poison code (Truncated, BadMagicByte, UnknownSchemaId,
   *   CorruptBody, IncompatibleWriter) or the retriable RegistryUnavailable.
   */
  async decode(buffer: Buffer | null): Promise<T> {
    if (!buffer || buffer.length < HEADER_BYTES) {
      throw new SerdeError(
        SerdeErrorCode.Truncated,
        `record of ${buffer?.length ?? 0} byte(s): the header alone is ${HEADER_BYTES}`,
      );
    }
    if (buffer[0] !== 0) {
      throw new SerdeError(
        SerdeErrorCode.BadMagicByte,
        `magic byte is ${buffer[0]}, expected 0 (Confluent wire format)`,
      );
    }
    const id = buffer.readInt32BE(1);
    const resolver = await this.resolverFor(id);
    try {
      const body = buffer.subarray(HEADER_BYTES);
      return (
        resolver === this.readerType
          ? this.readerType.fromBuffer(body)
          : this.readerType.fromBuffer(body, resolver)
      ) as T;
    } catch (error) {
      throw new SerdeError(
        SerdeErrorCode.CorruptBody,
        `Avro body of schema ${id} does not decode: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private async resolverFor(id: number): Promise<Type | ReturnType<Type['createResolver']>> {
    const cached = this.resolvers.get(id);
    if (cached) return cached;
    let writerType: Type;
    try {
      writerType = await this.registry.writerType(id);
    } catch (error) {
      throw registryError(error, `fetching schema ${id}`, id);
    }
    let resolver: Type | ReturnType<Type['createResolver']>;
    try {
      resolver = writerType.equals(this.readerType)
        ? this.readerType
        : this.readerType.createResolver(writerType);
    } catch (error) {
      throw new SerdeError(
        SerdeErrorCode.IncompatibleWriter,
        `schema ${id} cannot be read as ${this.subject}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.resolvers.set(id, resolver);
    return resolver;
  }
}

function registryError(error: unknown, what: string, schemaId?: number): SerdeError {
  const status = statusOf(error);
  const message = (error as HttpLikeError | undefined)?.message ?? String(error);
  // The registry client reports network failures as status 400 with the socket error inside.
  if (
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|socket hang up|timeout/i.test(
      message,
    )
  ) {
    return new SerdeError(SerdeErrorCode.RegistryUnavailable, `${what}: ${message}`, {
      cause: error,
    });
  }
  if (error instanceof Error && error.name === 'ConfluentSchemaRegistryCompatibilityError') {
    return new SerdeError(SerdeErrorCode.IncompatibleSchema, `${what}: ${message}`, {
      cause: error,
    });
  }
  if (status === 409)
    return new SerdeError(SerdeErrorCode.IncompatibleSchema, `${what}: ${message}`, {
      cause: error,
    });
  if (status === 404 && schemaId !== undefined) {
    return new SerdeError(
      SerdeErrorCode.UnknownSchemaId,
      `schema id ${schemaId} is unknown to the registry`,
      { cause: error },
    );
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new SerdeError(
      SerdeErrorCode.IncompatibleSchema,
      `${what}: registry answered ${status}: ${message}`,
      { cause: error },
    );
  }
  return new SerdeError(SerdeErrorCode.RegistryUnavailable, `${what}: ${message}`, {
    cause: error,
  });
}
