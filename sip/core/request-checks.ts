import type { MessageProblem } from '../message/errors.ts';
import type { SipRequest } from '../message/message.ts';
import { MAGIC_COOKIE, viaBranch } from '../message/via.ts';
import type { Flow } from '../transport/flow.ts';
import { KNOWN_METHODS } from '../message/validate.ts';

/** Methods this UA core handles. */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, UPDATE';
const HANDLED = new Set(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'REFER', 'NOTIFY', 'REGISTER', 'UPDATE', 'PRACK']);
/** option tags we understand in Require (RFC 3261 8.2.2.3) */
export const SUPPORTED_EXTENSIONS = new Set(['path', 'outbound', 'gruu', 'timer']);

/**
 * Whether a request came over a secure transport: TLS, WSS, or a WebSocket from a trusted reverse proxy (which took
 * the browser's WSS; it reports the client's address).
 */
function isSecure(flow: Flow): boolean {
  return flow.protocol === 'tls' || flow.protocol === 'wss' || (flow.protocol === 'ws' && flow.clientAddress !== undefined);
}

/**
 * UAS checks after syntax validation (RFC 3261 8.2.1 - 8.2.3), in the RFC's order:
 * method (405/501), Request-URI scheme (416), Require (420), content type (415), Accept (406); then what an INVITE
 * must carry to make a dialog (Contact, RFC 3261 8.1.1.8).
 */
export function checkRequestSemantics(req: SipRequest, flow: Flow): MessageProblem | undefined {
  // RFC 3261 8.2.1: unknown method -> 501, known but not supported here -> 405 with Allow
  if (!HANDLED.has(req.method)) {
    const allow: Array<[string, string]> = [['Allow', `${ALLOW}, REGISTER`]];
    return KNOWN_METHODS.has(req.method)
      ? { status: 405, reason: 'Method Not Allowed', headers: allow }
      : { status: 501, reason: 'Not Implemented', headers: allow };
  }
  // RFC 3261 26.2.2 / RFC 5630: a SIPS Request-URI asks for TLS on every hop; over plain UDP, TCP or WS it cannot be honoured
  if (req.isSips && !isSecure(flow) && req.method !== 'ACK') {
    return { status: 416, reason: 'Unsupported URI Scheme: sips needs TLS' };
  }
  // RFC 3261 8.2.2.3: never for ACK or CANCEL
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const required = req.headers.get('require');
    const unsupported = required?.filter((t) => !SUPPORTED_EXTENSIONS.has(t.toLowerCase()));
    if (unsupported?.length) return { status: 420, reason: 'Bad Extension', headers: [['Unsupported', unsupported.join(', ')]] };
  }
  if (req.method === 'INVITE') {
    // RFC 3261 8.1.1.8 / 12.1.1: the Contact is the dialog's remote target (where our BYE and re-INVITEs go). An RFC 2543
    // client (no magic cookie in its branch) may leave it out, and is still served (RFC 4475 3.4.1): see Dialog.asUas
    if (!req.headers.has('contact') && viaBranch(req.via)?.startsWith(MAGIC_COOKIE)) {
      return { status: 400, reason: 'Missing Contact header field' };
    }
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
