import { SipParseError } from '../message/errors.ts';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CL_RE = /^(?:content-length|l)[ \t]*:[ \t]*([0-9]+)[ \t]*$/im;

/**
 * Splits a byte stream (TCP, TLS) into SIP messages framed by Content-Length (RFC 3261 18.3).
 * Leading CRLFs between messages are keep-alives (RFC 5626 3.5.1) and are skipped; `onKeepAlive` fires for a
 * double CRLF ping so the connection can answer with a single CRLF pong.
 */
export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  constructor(
    private readonly maxMessageSize: number,
    private readonly onMessage: (msg: Buffer) => void,
    private readonly onKeepAlive: () => void = () => {},
  ) {}

  /** Throws SipParseError when the stream cannot be framed; the connection must then be closed. */
  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      let start = 0;
      while (start < this.buf.length && (this.buf[start] === 13 || this.buf[start] === 10)) start++;
      if (start > 0) {
        if (start >= 4) this.onKeepAlive();
        this.buf = this.buf.subarray(start);
      }
      if (this.buf.length === 0) return;
      const headEnd = this.buf.indexOf(CRLFCRLF);
      if (headEnd < 0) {
        if (this.buf.length > this.maxMessageSize) throw new SipParseError('header block exceeds the size limit');
        return;
      }
      const head = this.buf.toString('latin1', 0, headEnd);
      const m = CL_RE.exec(head);
      if (!m) throw new SipParseError('missing Content-Length on a stream transport');
      const total = headEnd + 4 + Number(m[1]);
      if (total > this.maxMessageSize) throw new SipParseError('message exceeds the size limit');
      if (this.buf.length < total) return;
      const msg = this.buf.subarray(0, total);
      this.buf = this.buf.subarray(total);
      this.onMessage(msg);
    }
  }
}
