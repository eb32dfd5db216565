import type { MessageProblem } from '../message/errors.ts';
import type { SipRequest } from '../message/message.ts';
import { KNOWN_METHODS } from '../message/validate.ts';

/** Methods this UA core handles. */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE';
const HANDLED = new Set(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'REFER', 'NOTIFY', 'REGISTER', 'UPDATE', 'PRACK']);
/** option tags we understand in Require (RFC 3261 8.2.2.3) */
export const SUPPORTED_EXTENSIONS = new Set(['path', 'outbound', 'gruu', 'timer']);

/**
 * UAS checks after syntax validation (RFC 3261 8.2.1 - 8.2.3), in the RFC's order:
 * method (405/501), Require (420), content type (415), Accept (406).
 */
export function checkRequestSemantics(req: SipRequest): MessageProblem | undefined {
  // RFC 3261 8.2.1: unknown method -> 501, known but not supported here -> 405 with Allow
  if (!HANDLED.has(req.method)) {
    const allow: Array<[string, string]> = [['Allow', `${ALLOW}, REGISTER`]];
    return KNOWN_METHODS.has(req.method)
      ? { status: 405, reason: 'Method Not Allowed', headers: allow }
      : { status: 501, reason: 'Not Implemented', headers: allow };
  }
  // RFC 3261 8.2.2.3: never for ACK or CANCEL
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const required = req.headers.get('require');
    const unsupported = required?.filter((t) => !SUPPORTED_EXTENSIONS.has(t.toLowerCase()));
    if (unsupported?.length) return { status: 420, reason: 'Bad Extension', headers: [['Unsupported', unsupported.join(', ')]] };
  }
  if (req.method === 'INVITE') {
    // RFC 3261 8.2.3: we understand SDP bodies only
    const ct = req.contentType;
    if (req.body.length > 0 && ct !== 'application/sdp' && !(ct ?? '').startsWith('multipart/')) {
      return { status: 415, reason: 'Unsupported Media Type', headers: [['Accept', 'application/sdp']] };
    }
    // RFC 3261 8.2.3 / RFC 4475 3.3.15: the caller must accept SDP in our answer
    const accept = req.headers.get('accept');
    if (accept?.length && !accept.some((a) => /^(application\/sdp|application\/\*|\*\/\*)\s*(;|$)/i.test(a))) {
      return { status: 406, reason: 'Not Acceptable', headers: [['Accept', 'application/sdp']] };
    }
  }
  return undefined;
}
