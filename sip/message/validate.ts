import type { MessageProblem } from './errors.ts';
import { canonicalHeaderName, SINGLE_HEADERS } from './headers.ts';
import { parseBoundedInt } from './grammar.ts';
import { parseNameAddr } from './name-addr.ts';
import { isSipUri, parseUri } from './uri.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { parseVia } from './via.ts';

export const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'INFO', 'REFER', 'NOTIFY', 'SUBSCRIBE', 'UPDATE',
  'PRACK', 'MESSAGE', 'PUBLISH',
]);
const MANDATORY = ['via', 'from', 'to', 'call-id', 'cseq'];
const NAMES: Record<string, string> = { via: 'Via', from: 'From', to: 'To', 'call-id': 'Call-ID', cseq: 'CSeq' };
/** RFC 1123 date as required by RFC 3261 20.17: always GMT. */
const DATE_RE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$/;

function bad(reason: string): MessageProblem {
  return { status: 400, reason };
}

function commonChecks(m: SipRequest | SipResponse): MessageProblem | undefined {
  for (const h of MANDATORY) if (!m.headers.has(h)) return bad(`Missing ${NAMES[h]} header field`);
  for (const h of SINGLE_HEADERS) {
    const v = m.headers.get(h);
    if (v && v.length > 1) return bad(`Multiple ${canonicalHeaderName(h)} header fields`);
  }
  try {
    const vias = m.getAll('via');
    m.via; // the top one is cached for the transaction layer
    for (let i = 1; i < vias.length; i++) parseVia(vias[i]!);
  } catch (e) {
    return bad(`Bad Via header: ${(e as Error).message}`);
  }
  try {
    m.cseq;
  } catch (e) {
    return bad(`Bad CSeq header: ${(e as Error).message}`);
  }
  for (const h of ['from', 'to'] as const) {
    try {
      if (h === 'from') m.from;
      else m.to; // parsed once and cached on the message
    } catch (e) {
      return bad(`Bad ${NAMES[h]} header: ${(e as Error).message}`);
    }
  }
  if (m.callId.trim() === '') return bad('Empty Call-ID');
  return undefined;
}

/**
 * Checks a request that parsed (RFC 3261 8.2 / 16.3 syntax checks). Returns the status and reason phrase
 * to reject it with, or undefined when it is well formed.
 */
export function validateRequest(req: SipRequest): MessageProblem | undefined {
  // RFC 3261 8.2.? / 21.5.6: unsupported protocol version
  if (req.version !== 'SIP/2.0') return { status: 505, reason: 'Version Not Supported' };
  if (req.problem) return req.problem;
  const common = commonChecks(req);
  if (common) return common;
  // Request-URI (RFC 3261 8.2.2.1, 19.1.1: no headers allowed in a Request-URI)
  if (/[<>\s]/.test(req.uri)) return bad('Bad Request-URI');
  let uri;
  try {
    uri = parseUri(req.uri);
  } catch (e) {
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(req.uri) && !/^sips?:/i.test(req.uri)) {
      return { status: 416, reason: 'Unsupported URI Scheme' };
    }
    return bad(`Bad Request-URI: ${(e as Error).message}`);
  }
  if (!isSipUri(uri)) return { status: 416, reason: 'Unsupported URI Scheme' };
  if (uri.headers !== undefined) return bad('Bad Request-URI: headers are not allowed in a Request-URI');
  const mf = req.get('max-forwards');
  if (mf !== undefined && parseBoundedInt(mf, 255) === null) return bad('Bad Max-Forwards header');
  const expires = req.get('expires');
  if (expires !== undefined && parseBoundedInt(expires, 2 ** 32 - 1) === null) return bad('Bad Expires header');
  const date = req.get('date');
  if (date !== undefined && !DATE_RE.test(date)) return bad('Bad Date header');
  const contacts = req.getAll('contact');
  for (const c of contacts) {
    if (c === '*') {
      if (req.method !== 'REGISTER') return bad('Contact "*" outside REGISTER');
      continue;
    }
    try {
      const na = parseNameAddr(c);
      const ex = na.params.get('expires');
      if (ex !== undefined && (ex === null || parseBoundedInt(ex, 2 ** 32 - 1) === null)) {
        return bad('Bad Contact header: bad expires parameter');
      }
    } catch (e) {
      return bad(`Bad Contact header: ${(e as Error).message}`);
    }
  }
  const routes = routeProblem(req, REQUEST_ROUTES);
  if (routes) return bad(routes);
  const cseq = req.cseq;
  // RFC 3261 8.1.1.5 / 8.2: CSeq method must match the request method
  if (cseq.method !== req.method) {
    // an unknown method cannot be processed whatever its CSeq says (RFC 3261 8.2.1, RFC 4475 3.1.2.18)
    if (!KNOWN_METHODS.has(req.method)) return { status: 501, reason: 'Not Implemented' };
    return bad('CSeq method does not match the Request-Line');
  }
  return undefined;
}

const NONE: readonly string[] = [];
const REQUEST_ROUTES = ['record-route', 'route'] as const;
const RESPONSE_ROUTES = ['record-route'] as const;

/** RFC 3261 20.30 / 20.34: every Record-Route and Route value is a name-addr (a dialog's route set is built from them). */
function routeProblem(m: SipRequest | SipResponse, names: readonly ('record-route' | 'route')[]): string | undefined {
  for (const name of names) {
    for (const v of m.headers.get(name) ?? NONE) {
      try {
        if (!v.includes('<')) throw new Error('expected <uri>');
        parseNameAddr(v);
      } catch (e) {
        return `Bad ${name === 'route' ? 'Route' : 'Record-Route'} header: ${(e as Error).message}`;
      }
    }
  }
  return undefined;
}

/** RFC 3261 18.1.2 / RFC 4475 3.1.2.5: an invalid response is dropped, not answered. */
export function validateResponse(res: SipResponse): string | undefined {
  if (res.version !== 'SIP/2.0') return 'bad version';
  if (res.problem) return res.problem.reason;
  const common = commonChecks(res);
  if (common) return common.reason;
  const ra = res.get('retry-after');
  if (ra !== undefined && parseBoundedInt(ra.split(/[;(\s]/)[0] ?? '', 2 ** 32 - 1) === null) return 'bad Retry-After';
  // a 2xx to an INVITE makes a dialog: its remote target and route set must be usable (other responses are not read)
  if (res.status >= 200 && res.status < 300 && res.cseq.method === 'INVITE') {
    const contact = res.get('contact');
    if (contact !== undefined) {
      try {
        parseNameAddr(contact);
      } catch (e) {
        return `bad Contact: ${(e as Error).message}`;
      }
    }
    return routeProblem(res, RESPONSE_ROUTES);
  }
  return undefined;
}
