import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SipParseError } from '../../sip/message/errors.ts';
import { StreamFramer } from '../../sip/transport/stream-framer.ts';

const message = fc
  .record({ n: fc.nat(99_999), body: fc.uint8Array({ maxLength: 300 }), compact: fc.boolean() })
  .map(({ n, body, compact }) =>
    Buffer.concat([Buffer.from(`OPTIONS sip:${n}@example.com SIP/2.0\r\nCall-ID: ${n}\r\n${compact ? 'l' : 'Content-Length'}: ${body.length}\r\n\r\n`), Buffer.from(body)]),
  );

/** Cuts a byte stream at the given points (sorted, deduplicated by the framer's caller). */
function chunks(stream: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, stream.length]) {
    out.push(stream.subarray(prev, c));
    prev = c;
  }
  return out;
}

describe('stream framing (RFC 3261 18.3)', () => {
  it('yields the same messages, in order and unchanged, however the stream is cut, with keep-alives between them', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(message, fc.constantFrom('', '\r\n', '\r\n\r\n')), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 60 }), (msgs, cuts) => {
        const stream = Buffer.concat(msgs.flatMap(([m, ka]) => [Buffer.from(ka), m]));
        const got: Buffer[] = [];
        let pings = 0;
        const framer = new StreamFramer(65535, (m) => got.push(m), () => pings++);
        for (const c of chunks(stream, cuts)) framer.push(c);
        expect(got.map((b) => b.toString('latin1'))).toEqual(msgs.map(([m]) => m.toString('latin1')));
        // messages handed out earlier are not overwritten by what came later
        expect(Buffer.concat(got).equals(Buffer.concat(msgs.map(([m]) => m)))).toBe(true);
        expect(pings).toBeLessThanOrEqual(msgs.filter(([, ka]) => ka === '\r\n\r\n').length);
      }),
      { numRuns: 300 },
    );
  });

  it('a message trickled one byte at a time comes out whole; an oversized header block or message is refused', () => {
    const msg = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 5\r\n\r\nhello');
    const got: Buffer[] = [];
    const framer = new StreamFramer(1000, (m) => got.push(m));
    for (let i = 0; i < msg.length; i++) framer.push(msg.subarray(i, i + 1));
    expect(got.map(String)).toEqual([msg.toString()]);
    const big = new StreamFramer(100, () => {});
    expect(() => big.push(Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nX: ${'y'.repeat(200)}`))).toThrow(SipParseError);
    const long = new StreamFramer(100, () => {});
    expect(() => long.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 500\r\n\r\n'))).toThrow(/size limit/);
    const bare = new StreamFramer(100, () => {});
    expect(() => bare.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n\r\n'))).toThrow(/Content-Length/);
  });
});
