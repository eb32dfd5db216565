/**
 * Stable error codes of the media bridge. Every error thrown by media/ is a MediaError with one of these codes,
 * except TypeError for bad arguments and InvalidStateError for use of a closed object (STYLE.md).
 */
export const MediaErrorCode = {
  /** rtpengine is not installed (spawn gave ENOENT). */
  RtpengineMissing: 'MEDIA_ERR_RTPENGINE_MISSING',
  /** rtpengine did not start or did not answer a ping in time. */
  RtpengineStart: 'MEDIA_ERR_RTPENGINE_START',
  /** an ng request got no reply after all retries. */
  NgTimeout: 'MEDIA_ERR_NG_TIMEOUT',
  /** rtpengine answered an ng request with result "error". */
  NgFailed: 'MEDIA_ERR_NG_FAILED',
  /** a reply could not be decoded. */
  NgProtocol: 'MEDIA_ERR_NG_PROTOCOL',
  /** an SDP body could not be used. */
  BadSdp: 'MEDIA_ERR_BAD_SDP',
  /** a prompt file does not exist in the custom or default folder. */
  UnknownPrompt: 'MEDIA_ERR_UNKNOWN_PROMPT',
  /** an operation that needs another step first (e.g. answerFromAgent before offerToAgent). */
  WrongOrder: 'MEDIA_ERR_WRONG_ORDER',
} as const;
export type MediaErrorCode = (typeof MediaErrorCode)[keyof typeof MediaErrorCode];

export class MediaError extends Error {
  readonly code: MediaErrorCode;
  readonly callId: string | undefined;
  constructor(code: MediaErrorCode, message: string, options?: { callId?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MediaError';
    this.code = code;
    this.callId = options?.callId;
  }
}

/** Use of an object after close() (DOMException name used by the web platform for the same case). */
export class InvalidStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStateError';
  }
}
