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

export function parseVia(text: string): Via {
  const m = VIA_RE.exec(text.trim());
  if (!m) throw new SyntaxError(`malformed Via "${text}"`);
  const port = m[4] !== undefined ? Number(m[4]) : undefined;
  if (port !== undefined && (port === 0 || port > 65535)) throw new SyntaxError('Via port out of range');
  const params = parseParams(m[5] ?? '');
  return { protocol: `SIP/${m[1]}`, transport: m[2]!.toUpperCase(), host: m[3]!.toLowerCase(), port, params };
}

export function formatVia(v: Via): string {
  return `${v.protocol}/${v.transport} ${v.host}${v.port !== undefined ? `:${v.port}` : ''}${formatParams(v.params)}`;
}

export function viaBranch(v: Via): string | undefined {
  const b = v.params.get('branch');
  return b === null ? undefined : b;
}
