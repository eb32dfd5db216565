/** Stable error codes of the ACD engine, with the HTTP status the server should map each to (one place). */
export const ACD_ERROR_HTTP_STATUS = {
  ACD_ERR_INVALID_ARGUMENT: 400,
  ACD_ERR_UNKNOWN_QUEUE: 404,
  ACD_ERR_UNKNOWN_AGENT: 404,
  ACD_ERR_UNKNOWN_CALL: 404,
  ACD_ERR_DUPLICATE_CALL: 409,
  ACD_ERR_INVALID_STATE: 409,
  ACD_ERR_TIME_WENT_BACKWARDS: 400,
  ACD_ERR_CLOSED: 409,
} as const;

export type AcdErrorCode = keyof typeof ACD_ERROR_HTTP_STATUS;

/** Bad argument from the caller (unknown id, malformed config, time going backwards). */
export class AcdTypeError extends TypeError {
  readonly code: AcdErrorCode;
  constructor(code: AcdErrorCode, message: string) {
    super(message);
    this.name = 'TypeError';
    this.code = code;
  }
}

/** The input is well formed but not allowed in the current state (e.g. accept of an offer that timed out). */
export class AcdStateError extends Error {
  readonly code: AcdErrorCode;
  constructor(code: AcdErrorCode, message: string) {
    super(message);
    this.name = 'InvalidStateError';
    this.code = code;
  }
}

export type AcdError = AcdTypeError | AcdStateError;

export function isAcdError(e: unknown): e is AcdError {
  return (e instanceof AcdTypeError || e instanceof AcdStateError) && typeof e.code === 'string';
}
