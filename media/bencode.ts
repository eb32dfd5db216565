/**
 * Bencode (BitTorrent encoding), the body format of rtpengine's ng control protocol.
 * Byte strings decode to JS strings (latin1 would lose UTF-8; ng payloads are ASCII/UTF-8 text such as SDP),
 * or to Buffers for keys listed in `binaryKeys`.
 */
export type BValue = string | number | Buffer | BValue[] | { [key: string]: BValue | undefined };

export function bencode(value: BValue): Buffer {
  const parts: Buffer[] = [];
  encodeInto(value, parts);
  return Buffer.concat(parts);
}

function encodeInto(value: BValue, parts: Buffer[]): void {
  if (typeof value === 'string') {
    const b = Buffer.from(value, 'utf8');
    parts.push(Buffer.from(`${b.length}:`), b);
  } else if (Buffer.isBuffer(value)) {
    parts.push(Buffer.from(`${value.length}:`), value);
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`bencode: ${value} is not an integer`);
    parts.push(Buffer.from(`i${value}e`));
  } else if (Array.isArray(value)) {
    parts.push(Buffer.from('l'));
    for (const v of value) encodeInto(v, parts);
    parts.push(Buffer.from('e'));
  } else if (value !== null && typeof value === 'object') {
    parts.push(Buffer.from('d'));
    // Keys sorted as raw byte strings (BEP 3).
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const k of keys) {
      encodeInto(k, parts);
      encodeInto(value[k] as BValue, parts);
    }
    parts.push(Buffer.from('e'));
  } else {
    throw new TypeError(`bencode: cannot encode ${typeof value}`);
  }
}

export function bdecode(buf: Buffer, start = 0): { value: BValue; end: number } {
  let pos = start;
  const fail = (why: string): never => {
    throw new SyntaxError(`bdecode: ${why} at byte ${pos}`);
  };
  const next = (): BValue => {
    const c = buf[pos];
    if (c === undefined) return fail('unexpected end');
    if (c === 0x69 /* i */) {
      const e = buf.indexOf(0x65, pos);
      if (e < 0) return fail('unterminated integer');
      const n = Number(buf.toString('ascii', pos + 1, e));
      if (!Number.isFinite(n)) return fail('bad integer');
      pos = e + 1;
      return n;
    }
    if (c === 0x6c /* l */) {
      pos++;
      const list: BValue[] = [];
      while (buf[pos] !== 0x65) {
        if (pos >= buf.length) return fail('unterminated list');
        list.push(next());
      }
      pos++;
      return list;
    }
    if (c === 0x64 /* d */) {
      pos++;
      const dict: { [key: string]: BValue } = {};
      while (buf[pos] !== 0x65) {
        if (pos >= buf.length) return fail('unterminated dictionary');
        const k = next();
        if (typeof k !== 'string') return fail('dictionary key is not a string');
        dict[k] = next();
      }
      pos++;
      return dict;
    }
    if (c >= 0x30 && c <= 0x39) {
      const colon = buf.indexOf(0x3a, pos);
      if (colon < 0) return fail('bad string length');
      const len = Number(buf.toString('ascii', pos, colon));
      const s = colon + 1;
      if (!Number.isInteger(len) || s + len > buf.length) return fail('string runs past the end');
      pos = s + len;
      return buf.toString('utf8', s, s + len);
    }
    return fail(`unexpected byte 0x${c.toString(16)}`);
  };
  const value = next();
  return { value, end: pos };
}
