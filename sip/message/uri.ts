import { formatParams, parseParams } from './grammar.ts';

/**
 * A SIP or SIPS URI (RFC 3261 19.1). Other schemes are kept opaque in {@link AnyUri}.
 *   sip:user:password@host:port;uri-parameters?headers
 */
export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | undefined;
  password: string | undefined;
  host: string;
  port: number | undefined;
  params: Map<string, string | null>;
  headers: string | undefined;
}

export interface OpaqueUri {
  scheme: string;
  opaque: string;
}

export type AnyUri = SipUri | OpaqueUri;

/** Whether a URI (as text) is a SIPS URI: TLS on every hop (RFC 3261 26.2.2). */
export function isSipsUri(uri: string): boolean {
  return /^sips:/i.test(uri);
}

export function isSipUri(u: AnyUri): u is SipUri {
  return (u.scheme === 'sip' || u.scheme === 'sips') && 'host' in u;
}

/** Index of the ':' that ends the scheme (RFC 3986 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), or -1. */
function schemeEnd(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20; // letters folded to lower case
    if (c >= 97 && c <= 122) continue;
    const d = text.charCodeAt(i);
    if (i > 0 && ((d >= 48 && d <= 57) || d === 43 || d === 45 || d === 46)) continue;
    return i > 0 && d === 58 ? i : -1;
  }
  return -1;
}

/** Index of the ':' before a port (1 to 5 digits at the end of text[from, to)), or -1 (no port, or an IPv6 reference's colons). */
function portColon(text: string, from: number, to: number): number {
  let i = to - 1;
  while (i >= from && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i--;
  const digits = to - 1 - i;
  return i >= from && text.charCodeAt(i) === 58 && digits >= 1 && digits <= 5 ? i : -1;
}
const HOST_RE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?)$/;

/** A host of lower-case letters and digits in non-empty dot-separated labels (most hosts, IPv4 addresses among them): HOST_RE's answer without running it. */
function plainHost(host: string): boolean {
  let label = 0;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) label++;
    else if (c === 46 && label > 0) label = 0;
    else return false;
  }
  return label > 0;
}

/** Parses any absolute URI; SIP/SIPS are parsed in full. Throws SyntaxError. */
export function parseUri(text: string): AnyUri {
  if (/[\s<>"]/.test(text)) throw new SyntaxError('URI contains whitespace or delimiters');
  const colon = schemeEnd(text);
  if (colon < 0) throw new SyntaxError('URI has no scheme');
  const scheme = colon === 3 && text.startsWith('sip') ? 'sip' : colon === 4 && text.startsWith('sips') ? 'sips' : text.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips') {
    const rest = text.slice(colon + 1);
    if (rest === '') throw new SyntaxError('empty URI');
    return { scheme, opaque: rest };
  }
  return parseSipUriAt(scheme, text, colon + 1);
}

/** The part of a SIP URI after `scheme:`, text[from, end): read by index, so only the fields become strings. */
function parseSipUriAt(scheme: 'sip' | 'sips', text: string, from: number): SipUri {
  let user: string | undefined;
  let password: string | undefined;
  let hostStart = from;
  const at = text.lastIndexOf('@');
  if (at >= from) {
    const colon = text.indexOf(':', from);
    if (colon >= 0 && colon < at) {
      user = text.slice(from, colon);
      password = text.slice(colon + 1, at);
    } else {
      user = text.slice(from, at);
    }
    if (user === '') throw new SyntaxError('empty user part');
    hostStart = at + 1;
  }
  let headers: string | undefined;
  let end = text.length;
  const q = text.indexOf('?', hostStart);
  if (q >= 0) {
    headers = text.slice(q + 1);
    end = q;
  }
  let hostEnd = end;
  let paramText = '';
  const semi = text.indexOf(';', hostStart);
  if (semi >= 0 && semi < end) {
    paramText = text.slice(semi, end);
    hostEnd = semi;
  }
  let port: number | undefined;
  const pc = portColon(text, hostStart, hostEnd);
  if (pc >= 0) {
    port = 0;
    for (let i = pc + 1; i < hostEnd; i++) port = port * 10 + text.charCodeAt(i) - 48;
    if (port > 65535) throw new SyntaxError('port out of range');
    hostEnd = pc;
  }
  let host = text.slice(hostStart, hostEnd);
  if (!plainHost(host)) {
    if (!HOST_RE.test(host)) throw new SyntaxError(`bad host "${host}"`);
    host = host.toLowerCase();
  }
  const params = parseParams(paramText);
  return { scheme, user, password, host, port, params, headers };
}

export function formatUri(u: AnyUri): string {
  if (!isSipUri(u)) return `${u.scheme}:${u.opaque}`;
  let s = `${u.scheme}:`;
  if (u.user !== undefined) {
    s += u.user;
    if (u.password !== undefined) s += `:${u.password}`;
    s += '@';
  }
  s += u.host;
  if (u.port !== undefined) s += `:${u.port}`;
  s += formatParams(u.params);
  if (u.headers !== undefined) s += `?${u.headers}`;
  return s;
}

export function parseSipUri(text: string): SipUri {
  const u = parseUri(text);
  if (!isSipUri(u)) throw new SyntaxError(`not a SIP URI: ${text}`);
  return u;
}

/** Percent-decodes a user part (RFC 3261 19.1.4 compares unescaped). */
export function unescapeUser(user: string): string {
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}
