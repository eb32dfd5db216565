/** Stable error codes of the browser apps; `message` is what the user sees. */
export type WebErrorCode =
  | 'WEB_ERR_HTTP' // the server answered with an error status; message is the server's `message`
  | 'WEB_ERR_NETWORK' // the request never got an answer
  | 'WEB_ERR_BAD_RESPONSE' // the answer was not the JSON the protocol promises
  | 'WEB_ERR_SIP' // the SIP call or registration failed
  | 'WEB_ERR_MEDIA' // no microphone (denied or missing)
  | 'WEB_ERR_CONFIG'; // the embedding is wrong (e.g. no data-queue)

export class WebError extends Error {
  override readonly name = 'WebError';
  constructor(
    readonly code: WebErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Use on a closed object. */
export class InvalidStateError extends Error {
  override readonly name = 'InvalidStateError';
}

/** The text to show a user for any thrown value. */
export function userMessage(err: unknown): string {
  if (err instanceof WebError) return err.message;
  if (err instanceof DOMException && (err.name === 'NotAllowedError' || err.name === 'NotFoundError')) {
    return 'The microphone is not available. Allow microphone access and try again.';
  }
  if (err instanceof Error && err.message) return err.message;
  return String(err);
}
