/** Why a gazetteer file was refused. The import is one transaction: nothing of it is kept. */
export enum GazetteerErrorCode {
  /** The file cannot be opened or decompressed. */
  Unreadable = 'unreadable',
  /** The file has no header line. */
  EmptyFile = 'empty_file',
  /** The header lacks columns the import needs; `message` names each one. */
  MissingColumns = 'missing_columns',
  /** A data row is malformed; `line` is its 1-based line number in the file. */
  BadRow = 'bad_row',
  /** The database has no gazetteer tables: it was not migrated. */
  NoSchema = 'no_schema',
}

/** A gazetteer import failed. Never retriable: the same file fails the same way. */
export class GazetteerError extends Error {
  readonly retriable = false;

  constructor(
    readonly code: GazetteerErrorCode,
    message: string,
    /** 1-based line of the file the problem is on, when there is one. */
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GazetteerError';
  }
}
