/**
 * The parser reads the usual spellings (start lines, Via, URI scheme and port, header lines) without regular
 * expressions; these properties check that the fast readings give what the full grammar gives, on generated
 * inputs that mix the usual spellings with the unusual ones the fast paths must leave to the full grammar.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../sip/message/parser.ts';
import { exactCSeq, isRequest, plainCSeq, type SipMessage, type SipResponse } from '../../../sip/message/message.ts';
import { parseUri } from '../../../sip/message/uri.ts';
import { parseParams, parseParamsExact, parsePlainParams } from '../../../sip/message/grammar.ts';
import { parseCommonVia, parseViaExact, parseVia } from '../../../sip/message/via.ts';

const pick = <T>(...xs: T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);
/** A string made of one choice from each part, in order. */
const joined = (...parts: Array<fc.Arbitrary<string>>): fc.Arbitrary<string> => fc.tuple(...parts).map((p) => p.join(''));
const outcome = <T>(f: () => T): { ok: T } | { error: string } => {
  try {
    return { ok: f() };
  } catch (err) {
    return { error: (err as Error).constructor.name };
  }
};

describe('Via: the usual spelling read without the regular expression', () => {
  const via = joined(
    pick('SIP/2.0/', 'SIP/2.0 /', 'SIP / 2.0 / ', 'sip/2.0/', 'SIP/3.0/'),
    pick('UDP', 'udp', 'TCP', 'TLS', 'WS', 'wss', 'SCTP', 'XYZ', 'U DP'),
    pick(' ', '  ', '\t'),
    pick('127.0.0.1', 'pc33.atlanta.com', 'PC33.Atlanta.COM', '[2001:db8::1]', 'host_name', 'a-b.c', '10.0.0.1.', ''),
    pick('', ':5060', ':0', ':65535', ':65536', ':123456', ':', ' : 5060', ':50x'),
    pick('', ';branch=z9hG4bK776asdhds', ';branch=z9hG4bK1;rport', ';rport;received=10.0.0.1', ';branch', ';=x', ';branch=a b', ' ;branch=x', ';ttl=16;maddr=224.2.0.1'),
    pick('', ' ', '\t'),
  );

  it('agrees with the full grammar wherever it answers, and parseVia always agrees with it', () => {
    fc.assert(
      fc.property(via, (text) => {
        const exact = outcome(() => parseViaExact(text));
        const common = outcome(() => parseCommonVia(text));
        if ('ok' in common && common.ok !== undefined) expect(common).toEqual(exact);
        expect(outcome(() => parseVia(text))).toEqual(exact);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the usual spelling itself', () => {
    expect(parseCommonVia('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1-1;rport')).toEqual(parseViaExact('SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1-1;rport'));
    expect(parseCommonVia('SIP/2.0/TCP pc33.atlanta.com;branch=z9hG4bK776asdhds')?.host).toBe('pc33.atlanta.com');
  });
});

describe('URI scheme and host:port read without regular expressions', () => {
  /** RFC 3986 3.1 scheme and RFC 3261 25.1 hostport, as the regular expressions the parser used to run. */
  const reference = (text: string): unknown => {
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
    if (!m) return 'no scheme';
    const scheme = m[1]!.toLowerCase();
    if (scheme !== 'sip' && scheme !== 'sips') return { scheme };
    let hostPart = text.slice(m[0].length);
    const at = hostPart.lastIndexOf('@');
    if (at >= 0) hostPart = hostPart.slice(at + 1);
    hostPart = hostPart.split('?')[0]!.split(';')[0]!;
    const pm = /^(.*?)(?::([0-9]{1,5}))?$/.exec(hostPart);
    if (pm && pm[2] !== undefined && !hostPart.endsWith(']')) return { scheme, host: pm[1]!.toLowerCase(), port: Number(pm[2]) };
    return { scheme, host: hostPart.toLowerCase(), port: undefined };
  };
  const uri = joined(
    pick('sip:', 'SIP:', 'sips:', 'tel:', 'urn:x', 'x-1.a+b:', '1sip:', ':', 'sip'),
    pick('', 'alice@', 'bob:secret@', '+15551234@'),
    pick('atlanta.com', '127.0.0.1', '[::1]', '[2001:db8::1]', 'HOST.example'),
    pick('', ':5060', ':0', ':65535', ':123456', ':', ':5o60'),
    pick('', ';transport=tcp', ';lr', '?subject=x'),
  );

  it('gives the scheme, host and port the full grammar gives', () => {
    fc.assert(
      fc.property(uri, (text) => {
        const ref = reference(text);
        const got = outcome(() => parseUri(text));
        if (ref === 'no scheme') {
          expect(got).toEqual({ error: 'SyntaxError' });
          return;
        }
        if (!('ok' in got)) return; // a bad host or port: refused either way (the host check is unchanged)
        const u = got.ok as { scheme: string; host?: string; port?: number };
        const r = ref as { scheme: string; host?: string; port?: number };
        expect(u.scheme).toBe(r.scheme);
        if (r.host !== undefined) expect({ host: u.host, port: u.port }).toEqual({ host: r.host, port: r.port });
      }),
      { numRuns: 3000 },
    );
  });
});

describe('start lines and header lines read in place', () => {
  const STATUS = /^SIP\/([0-9]+\.[0-9]+) ([0-9]{3})(?: (.*))?$/;
  const REQUEST = /^([^ ]+) ([^ ]+) (SIP\/[0-9]+\.[0-9]+)$/;
  const startLine = fc.oneof(
    joined(pick('SIP/2.0', 'SIP/2.1', 'SIP/20'), pick(' ', '  '), pick('200', '180', '099', '700', '1000', '20', '486'), pick('', ' ', ' OK', ' Busy Here', '  x', ' a\rb')),
    joined(pick('INVITE', 'BYE', 'OPTIONS', 'NEWMETHOD', 'IN VITE', 'INV"TE', ''), pick(' ', '  ', '\t'), pick('sip:bob@biloxi.com', 'sip:a b', '<sip:x>', ''), pick(' SIP/2.0', '  SIP/2.0', ' SIP/2.1', ' SIP/2.0 ', ' sip/2.0')),
  );
  const header = fc.tuple(
    pick('Via', 'v', 'VIA', 'From', 'f', 'To', 't', 'Call-ID', 'i', 'CSeq', 'Contact', 'm', 'Max-Forwards', 'X-Custom', 'Subject', 'Bad Name', ' Via', 'Via '),
    pick(':', ' :', ': ', ':\t', ' : '),
    pick('SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1', 'a, b', '<sip:x@y>;tag=1', '1 INVITE', '70', 'x ', ' y', 'value\u00a0', '', 'é'),
  );
  const message = fc.tuple(startLine, fc.array(header, { maxLength: 6 }), pick('\r\n', '\n')).map(([first, hs, eol]) =>
    Buffer.from(`${first}${eol}${hs.map(([n, c, v]) => `${n}${c}${v}`).join(eol)}${eol}Content-Length: 0${eol}${eol}`, 'utf8'),
  );

  /** The same bytes, every header line folded onto a continuation line: the parser's general path. */
  const folded = (buf: Buffer): Buffer => {
    const text = buf.toString('utf8');
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const [head, ...rest] = text.split(`${eol}${eol}`);
    const [first, ...lines] = head!.split(eol);
    return Buffer.from(`${first}${eol}${lines.map((l) => `${l}${eol} `).join(eol)}${eol}${eol}${rest.join(`${eol}${eol}`)}`, 'utf8');
  };
  const view = (m: SipMessage): unknown => ({
    start: isRequest(m) ? [m.method, m.uri, m.version] : [(m as SipResponse).status, (m as SipResponse).reason, (m as SipResponse).version],
    headers: [...m.headers],
    problem: m.problem,
  });

  it('agree with the general path and with the start-line grammar', () => {
    fc.assert(
      fc.property(message, (buf) => {
        // a message that already has a continuation line takes the general path itself: nothing to compare
        fc.pre(!/\n[ \t]/.test(buf.toString('utf8')));
        const fast = outcome(() => parseMessage(buf, { datagram: true }));
        const general = outcome(() => parseMessage(folded(buf), { datagram: true }));
        expect('ok' in fast).toBe('ok' in general);
        if (!('ok' in fast) || !('ok' in general)) return;
        const a = view(fast.ok) as { start: unknown; headers: unknown; problem: unknown };
        const b = view(general.ok) as { start: unknown; headers: unknown; problem: unknown };
        expect(a.start).toEqual(b.start);
        expect(a.problem).toEqual(b.problem);
        // (folding adds a space at the end of each value, which the general path trims away)
        expect(a.headers).toEqual(b.headers);
        const first = buf.toString('utf8').split(/\r?\n/)[0]!;
        const m = first.startsWith('SIP/') ? STATUS.exec(first) : REQUEST.exec(first);
        if (m && isRequest(fast.ok)) expect([fast.ok.method, fast.ok.uri, fast.ok.version]).toEqual([m[1], m[2], m[3]]);
        if (m && !isRequest(fast.ok)) expect([(fast.ok as SipResponse).status, (fast.ok as SipResponse).reason]).toEqual([Number(m[2]), m[3] ?? '']);
      }),
      { numRuns: 3000 },
    );
  });

  it('trims header values as String.prototype.trim does (tabs, a stray vertical tab, Unicode spaces)', () => {
    const raw = ['\tx-1\t', '\u00a0x-2', 'x-3\u00a0', '\u2028x-4', 'x-5\v', ' \ufeffx-6 ', 'x 7'];
    const text = `OPTIONS sip:a@b SIP/2.0\r\n${raw.map((v, i) => `X-H${i}:${v}`).join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
    const msg = parseMessage(Buffer.from(text, 'utf8'), { datagram: true });
    expect(raw.map((_, i) => msg.get(`x-h${i}`))).toEqual(raw.map((v) => v.trim()));
  });
});

describe('parameter lists: the usual spelling read in one pass', () => {
  const param = joined(
    pick(';', ';', ' ;', '; ', ';;', ''),
    pick('tag', 'branch', 'Transport', 'lr', 'rport', 'received', 'x-Y', 'ba d', '', 'q', 'ex"p', 'é', 'a@b', 'x/y'),
    pick('', '=', '=1a2b', '=z9hG4bK-1-1', '=10.0.0.1', '="quoted ; value"', '="open', '=a b', '=a,b', '=<x>', '=a=b', '= x', '=Ünï'),
  );
  const params = fc.array(param, { maxLength: 5 }).chain((ps) => pick('', ' ', 'x').map((tail) => ps.join('') + tail));

  it('gives what the full grammar gives wherever it answers, and parseParams always does', () => {
    fc.assert(
      fc.property(params, (text) => {
        const exact = outcome(() => [...parseParamsExact(text)]);
        const plain = outcome(() => parsePlainParams(text));
        if ('ok' in plain && plain.ok !== undefined) expect({ ok: [...plain.ok] }).toEqual(exact);
        const any = outcome(() => [...parseParams(text)]);
        if (text.trim() === '') expect(any).toEqual({ ok: [] });
        else expect(any).toEqual(exact);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the usual spelling itself', () => {
    expect([...(parsePlainParams(';branch=z9hG4bK-1;rport;Received=10.0.0.1') ?? [])]).toEqual([['branch', 'z9hG4bK-1'], ['rport', null], ['received', '10.0.0.1']]);
    expect(parsePlainParams(';tag="a b"')).toBeUndefined();
  });
});

describe('SIP URI parts read by index', () => {
  /** RFC 3261 25.1 host, as the parser checks it when a host is not plain lower-case labels. */
  const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?)$/;
  /** The URI split the way the parser used to split it: a slice per step. */
  const reference = (text: string): unknown => {
    const colon = text.indexOf(':');
    const scheme = text.slice(0, colon).toLowerCase();
    const rest = text.slice(colon + 1);
    let user: string | undefined;
    let password: string | undefined;
    let hostPart = rest;
    const at = rest.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = rest.slice(0, at);
      hostPart = rest.slice(at + 1);
      const c = userinfo.indexOf(':');
      user = c >= 0 ? userinfo.slice(0, c) : userinfo;
      password = c >= 0 ? userinfo.slice(c + 1) : undefined;
      if (user === '') return 'SyntaxError';
    }
    let headers: string | undefined;
    const q = hostPart.indexOf('?');
    if (q >= 0) {
      headers = hostPart.slice(q + 1);
      hostPart = hostPart.slice(0, q);
    }
    const semi = hostPart.indexOf(';');
    const paramText = semi >= 0 ? hostPart.slice(semi) : '';
    if (semi >= 0) hostPart = hostPart.slice(0, semi);
    const pm = /^(.*?)(?::([0-9]{1,5}))?$/.exec(hostPart)!;
    const host = pm[2] !== undefined ? pm[1]! : hostPart;
    const port = pm[2] !== undefined ? Number(pm[2]) : undefined;
    if ((port ?? 0) > 65535 || !HOST.test(host)) return 'SyntaxError';
    let params;
    try {
      params = [...parseParamsExact(paramText)];
    } catch {
      return 'SyntaxError';
    }
    return { scheme, user, password, host: host.toLowerCase(), port, params, headers };
  };
  const uri = joined(
    pick('sip:', 'SIP:', 'sips:'),
    pick('', 'alice@', 'bob:secret@', '+1555;x=1@', '@', ':pw@', 'a@b@'),
    pick('atlanta.com', '127.0.0.1', 'a-b.example', 'A.Example', 'host.', 'a..b', '-a.com', 'a-.com', '[::1]', 'x_y', ''),
    pick('', ':5060', ':0', ':65535', ':65536', ':', ':5o60', ':123456'),
    pick('', ';transport=tcp', ';lr', ';LR;x=1', ';', ';a=b@c'),
    pick('', '?subject=x', '?a=b;c=d'),
  );

  it('gives the user, password, host, port, parameters and headers the slicing gave', () => {
    fc.assert(
      fc.property(uri, (text) => {
        const got = outcome(() => parseUri(text));
        const ref = reference(text);
        if (ref === 'SyntaxError') {
          expect(got).toEqual({ error: 'SyntaxError' });
          return;
        }
        expect('ok' in got).toBe(true);
        const u = (got as { ok: { params: Map<string, string | null> } }).ok;
        expect({ ...u, params: [...u.params] }).toEqual(ref);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('CSeq: the usual spelling read without the regular expression', () => {
  const cseq = joined(pick('', ' ', '\t'), pick('1', '0', '4711', '2147483647', '2147483648', '99999999999', '1a', ''), pick(' ', '  ', '\t', ''), pick('INVITE', 'BYE', 'invite', 'NEW-METHOD', 'X1', ''), pick('', ' ', 'x y'));

  it('agrees with the full grammar wherever it answers', () => {
    fc.assert(
      fc.property(cseq, (text) => {
        const exact = outcome(() => exactCSeq(text));
        const plain = outcome(() => plainCSeq(text));
        if (!('ok' in plain) || plain.ok !== undefined) expect(plain).toEqual(exact);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the usual spelling itself', () => {
    expect(plainCSeq('314159 INVITE')).toEqual({ seq: 314159, method: 'INVITE' });
    expect(plainCSeq('1 invite')).toBeUndefined();
  });
});
