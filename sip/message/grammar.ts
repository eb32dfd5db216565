import { randomBytes } from 'node:crypto';

/**
 * Low-level lexical helpers shared by the SIP parsers (RFC 3261 25.1).
 * Pure functions over strings; no allocation beyond the results.
 */

/** RFC 3261 25.1 token characters: alphanum and -.!%*_+`'~ */
const TOKEN_CHARS = new Uint8Array(128);
for (const ch of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`\'~') {
  TOKEN_CHARS[ch.charCodeAt(0)] = 1;
}

export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN_CHARS[code] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/** Splits on `sep` outside of double quotes and angle brackets. Returns trimmed pieces. */
export function splitOutside(s: string, sep: string): string[] {
  const out: string[] = [];
  let depthAngle = 0;
  let inQuote = false;
  let start = 0;
  const sepCode = sep.charCodeAt(0);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inQuote) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inQuote = false;
      continue;
    }
    if (c === 34) inQuote = true;
    else if (c === 60 /* < */) depthAngle++;
    else if (c === 62 /* > */) depthAngle = Math.max(0, depthAngle - 1);
    else if (c === sepCode && depthAngle === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

/** True when every double quote opened in `s` is closed. */
export function quotesBalanced(s: string): boolean {
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inQuote && c === 92) {
      i++;
      continue;
    }
    if (c === 34) inQuote = !inQuote;
  }
  return !inQuote;
}

export function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    return s.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return s;
}

export function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/** The one map for every parsed URI or header without parameters: it can't be changed (copy it to change it). */
class NoParams extends Map<string, string | null> {
  override set(): this {
    throw new TypeError('parameters parsed from a message without any are read-only; copy the map to add some');
  }
  override delete(): boolean {
    throw new TypeError('parameters parsed from a message without any are read-only');
  }
  override clear(): void {}
}
export const NO_PARAMS: ReadonlyMap<string, string | null> = new NoParams();

/**
 * Parses `;a=b;c` into an ordered map (names lower-cased). Throws on an empty name. Without parameters it returns
 * the shared, read-only NO_PARAMS (about half of the some 100 parameter lists a bridged call parses are empty),
 * unless `fresh` asks for a map of its own (one that will be added to, such as a Via's).
 */
export function parseParams(s: string, fresh = false): Map<string, string | null> {
  if (s.trim() === '') return fresh ? new Map<string, string | null>() : (NO_PARAMS as Map<string, string | null>);
  return parsePlainParams(s) ?? parseParamsExact(s);
}

/**
 * The usual spelling, `;name=value;flag` without white space, quotes, commas or angle brackets, read in one pass
 * without splitting (a bridged call parses some 50 parameter lists); anything else, or anything wrong, undefined.
 */
export function parsePlainParams(s: string): Map<string, string | null> | undefined {
  if (s.charCodeAt(0) !== 59) return undefined;
  const params = new Map<string, string | null>();
  let start = 1;
  while (start <= s.length) {
    let end = s.indexOf(';', start);
    if (end < 0) end = s.length;
    let eq = -1;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === 61) {
        if (eq < 0) eq = i;
      } else if (c <= 32 || c === 34 || c === 44 || c === 60 || c === 62 || c >= 127) {
        return undefined;
      } else if (eq < 0 && TOKEN_CHARS[c] !== 1) {
        return undefined;
      }
    }
    if (eq === start || eq === end - 1 || end === start) return undefined; // empty name or value, empty parameter
    if (eq < 0) params.set(lowerAscii(s.slice(start, end)), null);
    else params.set(lowerAscii(s.slice(start, eq)), s.slice(eq + 1, end));
    start = end + 1;
  }
  return params;
}

/** toLowerCase only when there is an upper-case letter (parameter names nearly always come in lower case). */
function lowerAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.toLowerCase();
  }
  return s;
}

/** The full grammar of a parameter list (RFC 3261 25.1 generic-param), any spelling. */
export function parseParamsExact(s: string): Map<string, string | null> {
  const params = new Map<string, string | null>();
  const parts = splitOutside(s, ';');
  // the text before the first ';' is not a parameter
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (i === 0) {
      if (p !== '') throw new SyntaxError(`unexpected text before parameters: ${p}`);
      continue;
    }
    if (p === '') throw new SyntaxError('empty parameter');
    const eq = p.indexOf('=');
    if (eq < 0) {
      if (!isToken(p)) throw new SyntaxError(`bad parameter name ${p}`);
      params.set(p.toLowerCase(), null);
    } else {
      const name = p.slice(0, eq).trim();
      const value = p.slice(eq + 1).trim();
      if (!isToken(name)) throw new SyntaxError(`bad parameter name ${name}`);
      if (value === '') throw new SyntaxError(`empty value for parameter ${name}`);
      if (value.startsWith('"') ? !quotesBalanced(value) || !value.endsWith('"') : /[\s;,"<>]/.test(value)) {
        throw new SyntaxError(`bad value for parameter ${name}`);
      }
      params.set(name.toLowerCase(), value);
    }
  }
  return params;
}

export function formatParams(params: Map<string, string | null>): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

/** A non-negative decimal integer no larger than `max`, or null. */
export function parseBoundedInt(s: string, max: number): number | null {
  const t = s.trim();
  if (!/^[0-9]{1,12}$/.test(t)) return null;
  const n = Number(t);
  return n <= max ? n : null;
}

const POOL_SIZE = 8192;
let pool = randomBytes(POOL_SIZE);
let poolPos = 0;

/**
 * Unguessable hex token for tags, branches and Call-IDs (RFC 3261 19.3: at least 32 bits of randomness).
 * Cryptographic randomness drawn from a pool, so the hot path does not call into the CSPRNG per token.
 */
export function randomToken(bytes = 8): string {
  if (poolPos + bytes > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolPos = 0;
  }
  const s = pool.toString('hex', poolPos, poolPos + bytes);
  poolPos += bytes;
  return s;
}
