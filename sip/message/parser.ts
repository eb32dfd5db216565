import { SipParseError } from './errors.ts';
import { commonHeaderName, LIST_HEADERS, normalizeHeaderName } from './headers.ts';
import { splitOutside, isToken } from './grammar.ts';
import { SipRequest, SipResponse, type SipMessage } from './message.ts';

export interface ParseOptions {
  /** Datagram (UDP, one WebSocket frame): the body may run to the end of the buffer. */
  datagram: boolean;
  /** Messages larger than this are refused (RFC 3261 18.1.1 / 18.3). */
  maxMessageSize?: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');
const REQUEST_LINE_STRICT = /^([^ ]+) ([^ ]+) (SIP\/[0-9]+\.[0-9]+)$/;
const STATUS_LINE = /^SIP\/([0-9]+\.[0-9]+) ([0-9]{3})(?: (.*))?$/;

/** `SIP/2.0 200 OK` read without a regular expression (the common case); undefined for anything else. */
function commonStatusLine(line: string): SipResponse | undefined {
  const d0 = line.charCodeAt(8) - 48;
  const d1 = line.charCodeAt(9) - 48;
  const d2 = line.charCodeAt(10) - 48;
  if (!(d0 >= 1 && d0 <= 6 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) return undefined;
  if (line.length > 11 && line.charCodeAt(11) !== 32) return undefined;
  if (line.includes('\r')) return undefined; // the exact pattern's reason phrase (.*) stops at a CR
  return new SipResponse(d0 * 100 + d1 * 10 + d2, line.length > 12 ? line.slice(12) : '');
}

/** `METHOD uri SIP/2.0` with single spaces read without a regular expression; undefined for anything else. */
function commonRequestLine(line: string): SipRequest | undefined {
  const sp1 = line.indexOf(' ');
  if (sp1 <= 0) return undefined;
  const sp2 = line.indexOf(' ', sp1 + 1);
  if (sp2 !== line.length - 8 || sp2 === sp1 + 1 || !line.endsWith(' SIP/2.0')) return undefined;
  const method = line.slice(0, sp1);
  if (!isToken(method)) return undefined;
  return new SipRequest(method, line.slice(sp1 + 1, sp2));
}

/** Splits the header block into lines (CRLF or bare LF) and unfolds continuation lines (RFC 3261 7.3.1). */
function headerLines(head: string): string[] {
  const lines: string[] = [];
  let pos = 0;
  while (pos <= head.length) {
    let nl = head.indexOf('\n', pos);
    if (nl < 0) nl = head.length;
    const line = head.slice(pos, nl > pos && head.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
    pos = nl + 1;
    const first = line.charCodeAt(0);
    if ((first === 32 || first === 9) && lines.length > 0) lines[lines.length - 1] += ' ' + line.trim();
    else lines.push(line);
  }
  return lines;
}

type Problem = { status: number; reason: string } | undefined;

const isWsp = (c: number): boolean => c === 32 || c === 9;
const isVisible = (c: number): boolean => c > 32 && c < 127;

/** Adds the header on text[from, to) (one unfolded line) to msg; returns the message's first problem. */
function addHeaderLine(msg: SipMessage, text: string, from: number, to: number, problem: Problem): Problem {
  if (from === to) return problem;
  const colon = text.indexOf(':', from);
  if (colon <= from || colon >= to) return problem ?? { status: 400, reason: 'Malformed header line' };
  let ne = colon;
  while (ne > from && isWsp(text.charCodeAt(ne - 1))) ne--;
  let ns = from;
  while (ns < ne && isWsp(text.charCodeAt(ns))) ns++;
  let name = commonHeaderName(text, ns, ne);
  if (name === undefined) {
    const rawName = text.slice(ns, ne);
    if (!isToken(rawName)) return problem ?? { status: 400, reason: `Malformed header name "${rawName}"` };
    name = normalizeHeaderName(rawName);
  }
  let vs = colon + 1;
  while (vs < to && isWsp(text.charCodeAt(vs))) vs++;
  let ve = to;
  while (ve > vs && isWsp(text.charCodeAt(ve - 1))) ve--;
  // (trim() also drops other white space, a stray CR or a Unicode space: such a value takes the exact way)
  const value = ve > vs && isVisible(text.charCodeAt(ve - 1)) && isVisible(text.charCodeAt(vs)) ? text.slice(vs, ve) : text.slice(vs, ve).trim();
  const list = msg.headers.get(name);
  // only a value with a comma can hold several entries
  if (LIST_HEADERS.has(name) && value.includes(',') && !(name === 'contact' && value === '*')) {
    const values = splitOutside(value, ',');
    if (list) for (const v of values) list.push(v);
    else msg.headers.set(name, values);
  } else if (list) {
    list.push(value);
  } else {
    // a list literal of one holds one slot; an empty one grown by push would hold 17 (V8's growth step), and
    // a message has some ten headers, most of them single
    msg.headers.set(name, [value]);
  }
  return problem;
}

/** Where the header block ends: index of the first body byte and length of the separator. */
export function findHeaderEnd(buf: Buffer, from = 0): { headEnd: number; bodyStart: number } | null {
  const i = buf.indexOf(CRLFCRLF, from);
  if (i >= 0) return { headEnd: i, bodyStart: i + 4 };
  const j = buf.indexOf(LFLF, from);
  if (j >= 0) return { headEnd: j, bodyStart: j + 2 };
  return null;
}

/**
 * Parses one SIP message (RFC 3261 7). Throws SipParseError when the bytes are not a SIP message at all
 * (the caller drops and counts it). A message that parses but breaks a rule gets `problem` set.
 * Trailing octets after Content-Length are ignored (RFC 3261 18.3; RFC 4475 3.1.1.8).
 */
export function parseMessage(buf: Buffer, opts: ParseOptions): SipMessage {
  if (opts.maxMessageSize !== undefined && buf.length > opts.maxMessageSize) {
    throw new SipParseError(`message of ${buf.length} bytes exceeds the limit of ${opts.maxMessageSize}`);
  }
  let start = 0;
  // RFC 3261 7.5: ignore empty lines before the start line
  while (start < buf.length && (buf[start] === 13 || buf[start] === 10)) start++;
  let end = findHeaderEnd(buf, start);
  if (end === null) {
    if (!opts.datagram) throw new SipParseError('no end of headers');
    // a datagram whose header block lacks the empty line: take it all as headers
    end = { headEnd: buf.length, bodyStart: buf.length };
  }
  const head = buf.toString('utf8', start, end.headEnd);
  // Folded lines (RFC 3261 7.3.1) are rare: only then is the header block split into unfolded lines first.
  const folded = head.includes('\n ') || head.includes('\n\t');
  const lines = folded ? headerLines(head) : null;
  let firstEnd = head.indexOf('\n');
  if (firstEnd < 0) firstEnd = head.length;
  const startLine = lines !== null ? (lines[0] ?? '') : head.slice(0, firstEnd > 0 && head.charCodeAt(firstEnd - 1) === 13 ? firstEnd - 1 : firstEnd);
  let msg: SipMessage;
  let problem: { status: number; reason: string } | undefined;
  const fast = startLine.startsWith('SIP/2.0 ') ? commonStatusLine(startLine) : commonRequestLine(startLine);
  if (fast !== undefined) {
    msg = fast;
  } else if (startLine.startsWith('SIP/')) {
    const m = STATUS_LINE.exec(startLine);
    if (!m) throw new SipParseError('malformed status line');
    const status = Number(m[2]);
    if (status < 100 || status > 699) throw new SipParseError('status code out of range');
    const res = new SipResponse(status, m[3] ?? '');
    res.version = `SIP/${m[1]}`;
    msg = res;
  } else {
    const strict = REQUEST_LINE_STRICT.exec(startLine);
    if (strict) {
      const req = new SipRequest(strict[1]!, strict[2]!);
      req.version = strict[3]!;
      if (!isToken(req.method)) problem = { status: 400, reason: 'Bad Request-Line: method is not a token' };
      msg = req;
    } else {
      // lenient split so that a 400 can still be sent (RFC 4475 3.1.2.7-10)
      const parts = startLine.trim().split(/\s+/);
      const last = parts[parts.length - 1] ?? '';
      if (parts.length < 3 || !/^SIP\/[0-9]+\.[0-9]+$/.test(last)) throw new SipParseError('malformed request line');
      const req = new SipRequest(parts[0]!, parts.slice(1, -1).join(' '));
      req.version = last;
      problem = { status: 400, reason: 'Bad Request-Line: extra whitespace' };
      msg = req;
    }
  }
  if (lines !== null) {
    for (let i = 1; i < lines.length; i++) problem = addHeaderLine(msg, lines[i]!, 0, lines[i]!.length, problem);
  } else {
    // each line [pos, eol) read straight out of the header block, without a string per line
    for (let pos = firstEnd + 1; pos < head.length; ) {
      let nl = head.indexOf('\n', pos);
      if (nl < 0) nl = head.length;
      problem = addHeaderLine(msg, head, pos, nl > pos && head.charCodeAt(nl - 1) === 13 ? nl - 1 : nl, problem);
      pos = nl + 1;
    }
  }
  // Content-Length (RFC 3261 18.3, 20.14)
  const cls = msg.headers.get('content-length');
  const available = buf.length - end.bodyStart;
  let bodyLength = available;
  if (cls !== undefined) {
    if (cls.length > 1) {
      problem ??= { status: 400, reason: 'Multiple Content-Length header fields' };
    } else if (!/^[0-9]{1,10}$/.test(cls[0] ?? '')) {
      problem ??= { status: 400, reason: 'Bad Content-Length' };
    } else {
      const cl = Number(cls[0]);
      if (cl > available) {
        if (!opts.datagram) throw new SipParseError('incomplete body');
        problem ??= { status: 400, reason: 'Content-Length larger than message' };
      } else {
        bodyLength = cl;
      }
    }
  } else if (!opts.datagram) {
    problem ??= { status: 400, reason: 'Missing Content-Length' };
    bodyLength = 0;
  }
  if (bodyLength > 0) msg.body = Buffer.from(buf.subarray(end.bodyStart, end.bodyStart + bodyLength));
  msg.problem = problem;
  return msg;
}
