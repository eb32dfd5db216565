/** Header name handling: compact forms (RFC 3261 7.3.3), canonical spelling, list-valued headers. */

const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  a: 'accept-contact',
  u: 'allow-events',
  x: 'session-expires',
  j: 'reject-contact',
  d: 'request-disposition',
  y: 'identity',
};

const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'rack': 'RAck',
  'rseq': 'RSeq',
};

/** Spellings already normalized: header access by name (get('Call-ID'), has('via')) is on every message's path. */
const NORMALIZED = new Map<string, string>();

/** Lower-case long form of a header name. */
export function normalizeHeaderName(name: string): string {
  const known = NORMALIZED.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  const normalized = COMPACT[lower] ?? lower;
  if (NORMALIZED.size < 512) NORMALIZED.set(name, normalized);
  return normalized;
}

/** Canonical spellings already computed (serialization asks for the same few names all the time). */
const CANONICAL_CACHE = new Map<string, string>();

export function canonicalHeaderName(lower: string): string {
  const cached = CANONICAL_CACHE.get(lower);
  if (cached !== undefined) return cached;
  let out = CANONICAL[lower];
  if (out === undefined) {
    out = '';
    let up = true;
    for (let i = 0; i < lower.length; i++) {
      const ch = lower[i]!;
      out += up ? ch.toUpperCase() : ch;
      up = ch === '-';
    }
  }
  if (CANONICAL_CACHE.size < 512) CANONICAL_CACHE.set(lower, out);
  return out;
}

/** Headers whose comma-separated values are independent entries (RFC 3261 7.3.1). */
export const LIST_HEADERS = new Set([
  'via',
  'contact',
  'route',
  'record-route',
  'path',
  'allow',
  'supported',
  'require',
  'proxy-require',
  'unsupported',
  'accept',
  'accept-encoding',
  'accept-language',
  'allow-events',
  'content-encoding',
  'in-reply-to',
  'service-route',
]);

/** Headers that may appear at most once (RFC 3261 7.3.1 / 20); more is a 400. */
export const SINGLE_HEADERS = new Set([
  'to',
  'from',
  'call-id',
  'cseq',
  'max-forwards',
  'content-length',
  'content-type',
  'expires',
  'min-expires',
  'date',
]);

/**
 * Header names as phones usually spell them, found by (length, first and last character) and checked with one
 * comparison: the parser reads them in place, without a string per line.
 */
const COMMON_SPELLINGS = new Map<number, [string, string]>();
const spellingKey = (length: number, first: number, last: number): number => length * 65536 * 128 + first * 128 + (last & 127);
// the names the tables above know, and a few more that phones send on every message
const COMMON_NAMES = new Set([...LIST_HEADERS, ...SINGLE_HEADERS, ...Object.values(COMPACT), ...Object.keys(CANONICAL),
  'user-agent', 'server', 'authorization', 'proxy-authorization', 'proxy-authenticate', 'min-se', 'p-asserted-identity']);
for (const long of COMMON_NAMES) {
  for (const spelling of [long, canonicalHeaderName(long)]) addSpelling(spelling, long);
}
for (const [c, long] of Object.entries(COMPACT)) {
  addSpelling(c, long);
  addSpelling(c.toUpperCase(), long);
}

function addSpelling(spelling: string, long: string): void {
  const key = spellingKey(spelling.length, spelling.charCodeAt(0), spelling.charCodeAt(spelling.length - 1));
  // two spellings that share a key: the first one keeps the fast way, the other is read the usual way
  if (!COMMON_SPELLINGS.has(key)) COMMON_SPELLINGS.set(key, [spelling, long]);
}

/** The lower-case long name of the header spelled text[start, end) if it is a common spelling; undefined otherwise. */
export function commonHeaderName(text: string, start: number, end: number): string | undefined {
  if (end <= start) return undefined;
  const hit = COMMON_SPELLINGS.get(spellingKey(end - start, text.charCodeAt(start), text.charCodeAt(end - 1)));
  return hit !== undefined && text.startsWith(hit[0], start) ? hit[1] : undefined;
}
