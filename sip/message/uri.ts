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

/** Index of the ':' before a port (1 to 5 digits at the end of host[:port]), or -1 (no port, or an IPv6 reference's colons). */
function portColon(hostPart: string): number {
  let i = hostPart.length - 1;
  while (i >= 0 && hostPart.charCodeAt(i) >= 48 && hostPart.charCodeAt(i) <= 57) i--;
  const digits = hostPart.length - 1 - i;
  return i >= 0 && hostPart.charCodeAt(i) === 58 && digits >= 1 && digits <= 5 ? i : -1;
}
const HOST_RE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?)$/;

/** Parses any absolute URI; SIP/SIPS are parsed in full. Throws SyntaxError. */
export function parseUri(text: string): AnyUri {
  if (/[\s<>"]/.test(text)) throw new SyntaxError('URI contains whitespace or delimiters');
  const colon = schemeEnd(text);
  if (colon < 0) throw new SyntaxError('URI has no scheme');
  const raw = text.slice(0, colon);
  const scheme = raw === 'sip' || raw === 'sips' ? raw : raw.toLowerCase();
  const rest = text.slice(colon + 1);
  if (scheme !== 'sip' && scheme !== 'sips') {
    if (rest === '') throw new SyntaxError('empty URI');
    return { scheme, opaque: rest };
  }
  return parseSipUriRest(scheme, rest);
}

function parseSipUriRest(scheme: 'sip' | 'sips', rest: string): SipUri {
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = rest;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) {
      user = userinfo.slice(0, colon);
      password = userinfo.slice(colon + 1);
    } else {
      user = userinfo;
    }
    if (user === '') throw new SyntaxError('empty user part');
  }
  let headers: string | undefined;
  const q = hostPart.indexOf('?');
  if (q >= 0) {
    headers = hostPart.slice(q + 1);
    hostPart = hostPart.slice(0, q);
  }
  const semi = hostPart.indexOf(';');
  let paramText = '';
  if (semi >= 0) {
    paramText = hostPart.slice(semi);
    hostPart = hostPart.slice(0, semi);
  }
  let host = hostPart;
  let port: number | undefined;
  const pc = portColon(hostPart);
  if (pc >= 0) {
    host = hostPart.slice(0, pc);
    port = Number(hostPart.slice(pc + 1));
    if (port > 65535) throw new SyntaxError('port out of range');
  }
  if (!HOST_RE.test(host)) throw new SyntaxError(`bad host "${host}"`);
  const params = parseParams(paramText);
  return { scheme, user, password, host: host.toLowerCase(), port, params, headers };
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
