import { SipParseError } from '../message/errors.ts';

const CRLFCRLF = Buffer.from('\r\n\r\n');
/** Content-Length (or l), its value possibly on a folded line (RFC 3261 7.3.1: SWS after the colon may hold a CRLF). */
const CL_RE = /^(?:content-length|l)[ \t]*:(?:[ \t]*\r?\n[ \t]+)?[ \t]*([0-9]+)[ \t]*$/im;

/** Why a message whose header block ended cannot be framed: its Content-Length is over the limit, or it has none. */
export type UnframeableReason = 'too-large' | 'no-length';

/**
 * Splits a byte stream (TCP, TLS) into SIP messages framed by Content-Length (RFC 3261 18.3).
 * Leading CRLFs between messages are keep-alives (RFC 5626 3.5.1) and are skipped; `onKeepAlive` fires for a
 * double CRLF ping so the connection can answer with a single CRLF pong.
 *
 * Bytes wait in one buffer that grows by doubling, and the search for the end of the header block resumes where
 * the last one stopped: a peer that trickles a message a few bytes at a time costs linear work, not the
 * quadratic work of concatenating and rescanning everything received so far on every chunk. Messages are handed
 * out as views of that buffer, so it is never written where a message was: when it is full, a new one is taken.
 */
export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** bytes held: buf[off, end) */
  private off = 0;
  private end = 0;
  /** the header block does not end inside the first `scanned` bytes held */
  private scanned = 0;
  constructor(
    private readonly maxMessageSize: number,
    private readonly onMessage: (msg: Buffer) => void,
    private readonly onKeepAlive: () => void = () => {},
    /**
     * A message whose header block ended but which cannot be framed (its header block, with the empty line): the
     * caller may still answer it (513, 400) before the connection closes; push() throws right after.
     */
    private readonly onUnframeable: (head: Buffer, why: UnframeableReason) => void = () => {},
  ) {}

  /** True while part of a message is held (it has begun and not ended). */
  get holding(): boolean {
    return this.end > this.off;
  }

  /** Throws SipParseError when the stream cannot be framed; the connection must then be closed. */
  push(chunk: Buffer): void {
    this.append(chunk);
    for (;;) {
      let start = this.off;
      while (start < this.end && (this.buf[start] === 13 || this.buf[start] === 10)) start++;
      if (start > this.off) {
        if (start - this.off >= 4) this.onKeepAlive();
        this.consume(start - this.off);
      }
      const held = this.buf.subarray(this.off, this.end);
      if (held.length === 0) return;
      const headEnd = held.indexOf(CRLFCRLF, Math.max(0, this.scanned - 3));
      if (headEnd < 0) {
        this.scanned = held.length;
        if (held.length > this.maxMessageSize) throw new SipParseError('header block exceeds the size limit');
        return;
      }
      this.scanned = headEnd;
      const m = CL_RE.exec(held.toString('latin1', 0, headEnd));
      if (!m) {
        this.onUnframeable(held.subarray(0, headEnd + 4), 'no-length');
        throw new SipParseError('missing Content-Length on a stream transport');
      }
      const total = headEnd + 4 + Number(m[1]);
      if (total > this.maxMessageSize) {
        this.onUnframeable(held.subarray(0, headEnd + 4), 'too-large');
        throw new SipParseError('message exceeds the size limit');
      }
      if (held.length < total) return;
      this.consume(total);
      this.onMessage(held.subarray(0, total));
    }
  }

  private append(chunk: Buffer): void {
    const held = this.end - this.off;
    if (this.end + chunk.length > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(held + chunk.length, 2 * held, 4096));
      this.buf.copy(next, 0, this.off, this.end);
      this.buf = next;
      this.off = 0;
      this.end = held;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** Drops the first n bytes held. */
  private consume(n: number): void {
    this.off += n;
    this.scanned = 0;
  }
}
