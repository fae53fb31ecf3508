/**
 * Why the analysts' API refused a request: the `code` of the OGC exception body
 * (`{ code, description }`, OGC API – Common). `parameter` names the query or path parameter
 * at fault, when there is one.
 */
export enum AnalystErrorCode {
  InvalidParameterValue = 'InvalidParameterValue',
  UnknownParameter = 'UnknownParameter',
  NotFound = 'NotFound',
  InvalidToken = 'InvalidToken',
  Forbidden = 'Forbidden',
  Conflict = 'Conflict',
  UnsupportedMediaType = 'UnsupportedMediaType',
  /** PostgreSQL or the token issuer did not answer: try again later. */
  Unavailable = 'Unavailable',
}

const STATUS: Record<AnalystErrorCode, number> = {
  [AnalystErrorCode.InvalidParameterValue]: 400,
  [AnalystErrorCode.UnknownParameter]: 400,
  [AnalystErrorCode.NotFound]: 404,
  [AnalystErrorCode.InvalidToken]: 401,
  [AnalystErrorCode.Forbidden]: 403,
  [AnalystErrorCode.Conflict]: 409,
  [AnalystErrorCode.UnsupportedMediaType]: 415,
  [AnalystErrorCode.Unavailable]: 503,
};

export class AnalystError extends Error {
  readonly status: number;

  constructor(
    readonly code: AnalystErrorCode,
    message: string,
    readonly parameter?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AnalystError';
    this.status = STATUS[code];
  }

  /** The OGC exception body. */
  body(): Record<string, unknown> {
    return {
      code: this.code,
      description: this.message,
      ...(this.parameter === undefined ? {} : { parameter: this.parameter }),
    };
  }
}

/** A parameter's value is refused: 400 naming it. */
export const invalidParameter = (parameter: string, message: string) =>
  new AnalystError(AnalystErrorCode.InvalidParameterValue, `${parameter}: ${message}`, parameter);
