import { canonicalHeaderName, normalizeHeaderName } from './headers.ts';
import type { MessageProblem } from './errors.ts';
import { parseNameAddr, type NameAddr } from './name-addr.ts';
import { parseVia, type Via } from './via.ts';
import { parseBoundedInt } from './grammar.ts';
import { isSipsUri } from './uri.ts';

export interface CSeq {
  seq: number;
  method: string;
}

/** RFC 3261 8.1.1.5: the sequence number must be less than 2**31. */
export const MAX_CSEQ = 2 ** 31 - 1;

/**
 * Common part of requests and responses. Headers are kept per lower-case long name, in arrival order;
 * list-valued headers hold one entry per comma-separated value.
 */
export abstract class SipMessage {
  readonly headers = new Map<string, string[]>();
  body: Buffer = EMPTY;
  /** Set by the parser when the message parsed but is invalid. */
  problem: MessageProblem | undefined;
  private cachedVia: Via | undefined;
  private cachedFrom: NameAddr | undefined;
  private cachedTo: NameAddr | undefined;
  private cachedCSeq: CSeq | undefined;

  get(name: string): string | undefined {
    return this.headers.get(normalizeHeaderName(name))?.[0];
  }

  getAll(name: string): string[] {
    return this.headers.get(normalizeHeaderName(name)) ?? [];
  }

  has(name: string): boolean {
    return this.headers.has(normalizeHeaderName(name));
  }

  set(name: string, value: string | string[]): this {
    const key = normalizeHeaderName(name);
    this.headers.set(key, Array.isArray(value) ? value.slice() : [value]);
    this.invalidate(key);
    return this;
  }

  append(name: string, value: string): this {
    const key = normalizeHeaderName(name);
    const list = this.headers.get(key);
    if (list) list.push(value);
    else this.headers.set(key, [value]);
    this.invalidate(key);
    return this;
  }

  /** Adds a value in front (Via, Route). */
  prepend(name: string, value: string): this {
    const key = normalizeHeaderName(name);
    const list = this.headers.get(key);
    if (list) list.unshift(value);
    else this.headers.set(key, [value]);
    this.invalidate(key);
    return this;
  }

  remove(name: string): this {
    const key = normalizeHeaderName(name);
    this.headers.delete(key);
    this.invalidate(key);
    return this;
  }

  private invalidate(key: string): void {
    if (key === 'via') this.cachedVia = undefined;
    else if (key === 'from') this.cachedFrom = undefined;
    else if (key === 'to') this.cachedTo = undefined;
    else if (key === 'cseq') this.cachedCSeq = undefined;
  }

  /** Top Via, parsed. Throws SyntaxError if missing or malformed. */
  get via(): Via {
    if (this.cachedVia === undefined) {
      const v = this.get('via');
      if (v === undefined) throw new SyntaxError('missing Via');
      this.cachedVia = parseVia(v);
    }
    return this.cachedVia;
  }

  get from(): NameAddr {
    if (this.cachedFrom === undefined) {
      const v = this.get('from');
      if (v === undefined) throw new SyntaxError('missing From');
      this.cachedFrom = parseNameAddr(v);
    }
    return this.cachedFrom;
  }

  get to(): NameAddr {
    if (this.cachedTo === undefined) {
      const v = this.get('to');
      if (v === undefined) throw new SyntaxError('missing To');
      this.cachedTo = parseNameAddr(v);
    }
    return this.cachedTo;
  }

  get fromTag(): string | undefined {
    return this.from.params.get('tag') ?? undefined;
  }

  get toTag(): string | undefined {
    return this.to.params.get('tag') ?? undefined;
  }

  get callId(): string {
    return this.get('call-id') ?? '';
  }

  get cseq(): CSeq {
    if (this.cachedCSeq === undefined) {
      const v = this.get('cseq');
      if (v === undefined) throw new SyntaxError('missing CSeq');
      this.cachedCSeq = plainCSeq(v) ?? exactCSeq(v);
    }
    return this.cachedCSeq;
  }

  get bodyText(): string {
    return this.body.toString('utf8');
  }

  get contentType(): string | undefined {
    const ct = this.get('content-type');
    return ct?.split(';')[0]?.trim().toLowerCase();
  }

  abstract startLine(): string;

  /**
   * Serializes; Content-Length is always recomputed from the body. The head is joined from its pieces in one
   * go (concatenating line by line made a rope of some 40 short-lived strings per message, flattened again
   * to encode it).
   */
  toBuffer(): Buffer {
    const parts = HEAD_PARTS;
    parts[0] = this.startLine();
    headParts = 1;
    // (forEach with a module-level callback: iterating the map with for-of made an entry array per header)
    this.headers.forEach(addHeadParts);
    let n = headParts;
    parts[n++] = '\r\nContent-Length: ';
    parts[n++] = String(this.body.length);
    parts[n++] = '\r\n\r\n';
    // (entries past n are blank: the list keeps its longest length, since shrinking and regrowing it reallocated
    // it, and is blanked after each use so that it holds no message's strings)
    const head = parts.join('');
    for (let i = 0; i < n; i++) parts[i] = '';
    if (this.body.length === 0) return Buffer.from(head, 'utf8');
    const headBytes = Buffer.byteLength(head, 'utf8');
    const out = Buffer.allocUnsafe(headBytes + this.body.length);
    out.write(head, 0, 'utf8');
    this.body.copy(out, headBytes);
    return out;
  }

  toString(): string {
    return this.toBuffer().toString('utf8');
  }
}

/** `1 INVITE`: digits, one space, a method of letters (the usual spelling), read without a regular expression; else undefined. */
export function plainCSeq(v: string): CSeq | undefined {
  const sp = v.indexOf(' ');
  if (sp < 1 || sp > 10 || sp === v.length - 1) return undefined;
  let seq = 0;
  for (let i = 0; i < sp; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    seq = seq * 10 + d;
  }
  for (let i = sp + 1; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 65 || c > 90) return undefined;
  }
  if (seq > MAX_CSEQ) throw new SyntaxError('CSeq number too large');
  return { seq, method: v.slice(sp + 1) };
}

/** The CSeq header's full grammar (RFC 3261 20.16), any spelling. */
export function exactCSeq(v: string): CSeq {
  const m = /^\s*([0-9]{1,10})\s+([^\s]+)\s*$/.exec(v);
  if (!m) throw new SyntaxError('malformed CSeq');
  const seq = Number(m[1]);
  if (seq > MAX_CSEQ) throw new SyntaxError('CSeq number too large');
  return { seq, method: m[2]! };
}

const EMPTY = Buffer.alloc(0);
/** Scratch list of a head's pieces while it is serialized (toBuffer does not re-enter). */
const HEAD_PARTS: string[] = [];
/** How many of HEAD_PARTS are filled. */
let headParts = 0;

function addHeadParts(values: string[], key: string): void {
  if (key === 'content-length') return;
  const name = canonicalHeaderName(key);
  const parts = HEAD_PARTS;
  let n = headParts;
  for (let i = 0; i < values.length; i++) {
    parts[n++] = '\r\n';
    parts[n++] = name;
    parts[n++] = ': ';
    parts[n++] = values[i]!;
  }
  headParts = n;
}

export class SipRequest extends SipMessage {
  method: string;
  uri: string;
  version = 'SIP/2.0';
  constructor(method: string, uri: string) {
    super();
    this.method = method;
    this.uri = uri;
  }
  startLine(): string {
    return `${this.method} ${this.uri} ${this.version}`;
  }

  /** Max-Forwards (RFC 3261 8.1.1.6); 70 when absent (validateRequest refused a malformed one). */
  get maxForwards(): number {
    return parseBoundedInt(this.get('max-forwards') ?? '70', 255) ?? 70;
  }

  /** Whether the Request-URI is a SIPS URI (TLS on every hop, RFC 3261 26.2.2). */
  get isSips(): boolean {
    return isSipsUri(this.uri);
  }
}

export class SipResponse extends SipMessage {
  status: number;
  reason: string;
  version = 'SIP/2.0';
  constructor(status: number, reason: string) {
    super();
    this.status = status;
    this.reason = reason;
  }
  startLine(): string {
    return `${this.version} ${this.status} ${this.reason}`;
  }
}

export function isRequest(m: SipMessage): m is SipRequest {
  return m instanceof SipRequest;
}

/** Default reason phrases (RFC 3261 21). */
export const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
};

/** Headers copied from a request into every response (RFC 3261 8.2.6.2). */
const COPIED = ['via', 'from', 'to', 'call-id', 'cseq'];

/**
 * Builds a response to `req` (RFC 3261 8.2.6). `toTag` is added to To when it has none.
 * Works on raw header values so that a response can answer even a request whose headers are invalid.
 */
export function createResponse(req: SipRequest, status: number, reason?: string, toTag?: string): SipResponse {
  const res = new SipResponse(status, reason ?? REASONS[status] ?? 'Unknown');
  for (const key of COPIED) {
    const v = req.headers.get(key);
    if (v) res.headers.set(key, v.slice());
  }
  if (toTag !== undefined && status > 100) {
    const to = res.headers.get('to');
    if (to && to[0] !== undefined && !/;\s*tag\s*=/i.test(to[0])) to[0] = `${to[0]};tag=${toTag}`;
  }
  return res;
}
