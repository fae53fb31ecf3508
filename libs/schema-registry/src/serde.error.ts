/** Why a record could not be encoded or decoded; stable strings, used as dead-letter reasons. */
export enum SerdeErrorCode {
  /** Fewer than the 5 header bytes of the Confluent wire format. */
  Truncated = 'truncated_record',
  /** The first byte is not the wire format's magic 0. */
  BadMagicByte = 'bad_magic_byte',
  /** The registry does not know the schema id of the header. */
  UnknownSchemaId = 'unknown_schema_id',
  /** The Avro body does not decode with the writer schema, or has bytes left over. */
  CorruptBody = 'corrupt_body',
  /** The writer schema cannot be read into the pinned reader schema. */
  IncompatibleWriter = 'incompatible_writer',
  /** A value to encode does not match the schema. */
  InvalidValue = 'invalid_value',
  /** The registry refused a schema as incompatible with the subject's earlier versions. */
  IncompatibleSchema = 'incompatible_schema',
  /**
   * The schema a record was written with was never approved through the schema-change gate
   * (`cortege schema propose`/`approve`): the first stage dead-letters it.
   */
  UnapprovedSchema = 'unapproved_schema',
  /** The subject does not hold the schema a producer writes with: it was never approved. */
  NotRegistered = 'schema_not_registered',
  /** The registry did not answer or failed: try again later. */
  RegistryUnavailable = 'registry_unavailable',
}

const RETRIABLE = new Set([SerdeErrorCode.RegistryUnavailable]);

/**
 * A serialisation failure. `retriable` is true only when the registry is unreachable; every
 * other code is poison: the same bytes will fail the same way, so they go to the dead letters.
 */
export class SerdeError extends Error {
  readonly retriable: boolean;

  constructor(
    readonly code: SerdeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SerdeError';
    this.retriable = RETRIABLE.has(code);
  }
}
