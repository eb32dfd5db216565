import { SipParseError } from './errors.ts';
import { LIST_HEADERS, normalizeHeaderName } from './headers.ts';
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
  const lines = headerLines(buf.toString('utf8', start, end.headEnd));
  const startLine = lines[0] ?? '';
  let msg: SipMessage;
  let problem: { status: number; reason: string } | undefined;
  if (startLine.startsWith('SIP/')) {
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
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problem ??= { status: 400, reason: 'Malformed header line' };
      continue;
    }
    const rawName = line.slice(0, colon).trim();
    if (!isToken(rawName)) {
      problem ??= { status: 400, reason: `Malformed header name "${rawName}"` };
      continue;
    }
    const name = normalizeHeaderName(rawName);
    const value = line.slice(colon + 1).trim();
    let list = msg.headers.get(name);
    if (!list) {
      list = [];
      msg.headers.set(name, list);
    }
    // only a value with a comma can hold several entries
    if (LIST_HEADERS.has(name) && value.includes(',') && !(name === 'contact' && value === '*')) {
      for (const v of splitOutside(value, ',')) list.push(v);
    } else {
      list.push(value);
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
