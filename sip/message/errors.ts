/** Stable error codes of the SIP layer (STYLE.md: stable codes, SIP failures carry their status). */
export type SipErrorCode =
  | 'SIP_ERR_PARSE'
  | 'SIP_ERR_INVALID'
  | 'SIP_ERR_TRANSPORT'
  | 'SIP_ERR_TIMEOUT'
  | 'SIP_ERR_NO_BINDING'
  | 'SIP_ERR_INVALID_STATE'
  | 'SIP_ERR_REJECTED';

export class SipError extends Error {
  readonly code: SipErrorCode;
  /** SIP status that answers / caused the failure, when there is one. */
  readonly status: number | undefined;
  constructor(code: SipErrorCode, message: string, status?: number) {
    super(message);
    this.name = 'SipError';
    this.code = code;
    this.status = status;
  }
}

/** A message that cannot be parsed at all (dropped and counted). */
export class SipParseError extends SipError {
  constructor(message: string) {
    super('SIP_ERR_PARSE', message);
    this.name = 'SipParseError';
  }
}

/** Thrown when an object is used after close(). */
export class InvalidStateError extends SipError {
  constructor(message: string) {
    super('SIP_ERR_INVALID_STATE', message);
    this.name = 'InvalidStateError';
  }
}

/** A problem with a message that parsed: the status and reason phrase to answer it with. */
export interface MessageProblem {
  status: number;
  reason: string;
  /** extra headers for the error response (e.g. Unsupported for 420) */
  headers?: Array<[string, string]>;
}
