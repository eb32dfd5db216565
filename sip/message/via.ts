import { formatParams, parseParams } from './grammar.ts';

/** One Via header value (RFC 3261 20.42). */
export interface Via {
  protocol: string; // e.g. "SIP/2.0"
  transport: string; // upper-case: UDP, TCP, TLS, WS, WSS, SCTP, ...
  host: string;
  port: number | undefined;
  params: Map<string, string | null>;
}

const VIA_RE =
  /^SIP\s*\/\s*([0-9]+\.[0-9]+)\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(?:\s*:\s*([0-9]{1,5}))?\s*(;.*)?$/s;

/** RFC 3261 8.1.1.7: branches starting with this cookie are RFC 3261 transaction ids. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** Transport tokens as they usually come (upper case); others take the full grammar. */
const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'WSS', 'WS'];
const PREFIX = 'SIP/2.0/';

/**
 * The usual spelling, `SIP/2.0/UDP host[:port][;params]` with a known transport and a lower-case host name or
 * IPv4 address, read without a regular expression (a Via is parsed for every message); anything else, undefined.
 */
export function parseCommonVia(text: string): Via | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  const sp = text.indexOf(' ', PREFIX.length);
  if (sp < 0) return undefined;
  let transport: string | undefined;
  for (let t = 0; t < TRANSPORTS.length && transport === undefined; t++) {
    const name = TRANSPORTS[t]!;
    if (sp - PREFIX.length === name.length && text.startsWith(name, PREFIX.length)) transport = name;
  }
  if (transport === undefined) return undefined;
  let i = sp + 1;
  const hostStart = i;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // a-z, 0-9, '-', '.': a host name already in lower case, or an IPv4 address
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46)) break;
  }
  if (i === hostStart) return undefined;
  const host = text.slice(hostStart, i);
  let port: number | undefined;
  if (i < text.length && text.charCodeAt(i) === 58) {
    const portStart = ++i;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
    }
    if (i === portStart || i - portStart > 5) return undefined;
    port = Number(text.slice(portStart, i));
    if (port === 0 || port > 65535) return undefined;
  }
  if (i < text.length && text.charCodeAt(i) !== 59) return undefined; // only ';params' may follow
  return { protocol: 'SIP/2.0', transport, host, port, params: parseParams(i < text.length ? text.slice(i) : '', true) };
}

export function parseVia(text: string): Via {
  return parseCommonVia(text) ?? parseViaExact(text);
}

/** The full grammar (RFC 3261 25.1 via-parm), any spelling. */
export function parseViaExact(text: string): Via {
  const m = VIA_RE.exec(text.trim());
  if (!m) throw new SyntaxError(`malformed Via "${text}"`);
  const port = m[4] !== undefined ? Number(m[4]) : undefined;
  if (port !== undefined && (port === 0 || port > 65535)) throw new SyntaxError('Via port out of range');
  const params = parseParams(m[5] ?? '', true);
  return { protocol: `SIP/${m[1]}`, transport: m[2]!.toUpperCase(), host: m[3]!.toLowerCase(), port, params };
}

export function formatVia(v: Via): string {
  return `${v.protocol}/${v.transport} ${v.host}${v.port !== undefined ? `:${v.port}` : ''}${formatParams(v.params)}`;
}

export function viaBranch(v: Via): string | undefined {
  const b = v.params.get('branch');
  return b === null ? undefined : b;
}
