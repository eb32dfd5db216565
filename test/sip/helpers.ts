import dgram from 'node:dgram';
import { createHash } from 'node:crypto';
import pino from 'pino';
import { computeHa1, createSipServer, MemoryCredentialStore, type SipStack, type SipStackOptions } from '../../sip/index.ts';
import { parseMessage } from '../../sip/message/parser.ts';
import type { SipMessage, SipResponse } from '../../sip/message/message.ts';
import { parseDigestHeader } from '../../sip/auth/digest.ts';

export const REALM = 'test.local';
export const silent = pino({ level: process.env.SIP_TEST_LOG ?? 'silent' });

export function credentials(users: Record<string, string> = { '1001': 'secret', '1002': 'secret' }): MemoryCredentialStore {
  const c = new MemoryCredentialStore();
  for (const [u, p] of Object.entries(users)) {
    c.set({ username: u, realm: REALM, ha1Md5: computeHa1('MD5', u, REALM, p), ha1Sha256: computeHa1('SHA-256', u, REALM, p), agentId: `agent-${u}` });
  }
  return c;
}

export async function startStack(over: Partial<SipStackOptions> = {}): Promise<SipStack> {
  const s = createSipServer({ host: '127.0.0.1', udpPort: 0, realm: REALM, logger: silent, credentials: credentials(), ...over });
  await s.start();
  return s;
}

/** A raw UDP socket for sending hand-written SIP and reading what comes back (a test driver, not a fake). */
export class RawUdp {
  readonly sock = dgram.createSocket('udp4');
  readonly inbox: SipMessage[] = [];
  /** arrival time (ms) of every parsed message, in order */
  readonly arrivals: number[] = [];
  private waiters: Array<() => void> = [];
  port = 0;
  constructor(readonly host = '127.0.0.1') {}
  async open(): Promise<this> {
    this.sock.on('message', (buf) => {
      try {
        this.inbox.push(parseMessage(buf, { datagram: true }));
        this.arrivals.push(performance.now());
      } catch {
        return;
      }
      for (const w of this.waiters.splice(0)) w();
    });
    await new Promise<void>((r) => this.sock.bind(0, this.host, () => r()));
    this.port = this.sock.address().port;
    return this;
  }
  send(text: string | Buffer, port: number, host = '127.0.0.1'): void {
    const buf = typeof text === 'string' ? Buffer.from(text.replace(/\r?\n/g, '\r\n')) : text;
    this.sock.send(buf, port, host);
  }
  /** waits for the first message in the inbox (not yet taken) that matches */
  async take<T extends SipMessage = SipResponse>(pred: (m: SipMessage) => boolean, ms = 3000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.inbox.findIndex(pred);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as T;
      const left = end - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a SIP message');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  close(): void {
    try {
      this.sock.close();
    } catch {
      // already closed
    }
  }
}

let seq = 0;
export function register(o: { port: number; user: string; clientPort: number; callId?: string; cseq?: number; contact?: string; expires?: number | undefined; auth?: string; ua?: string; extra?: string }): string {
  const callId = o.callId ?? `reg-${++seq}-${Date.now()}`;
  return [
    `REGISTER sip:127.0.0.1:${o.port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${o.clientPort};branch=z9hG4bK${Math.random().toString(36).slice(2)};rport`,
    'Max-Forwards: 70',
    `From: <sip:${o.user}@${REALM}>;tag=f${seq}`,
    `To: <sip:${o.user}@${REALM}>`,
    `Call-ID: ${callId}`,
    `CSeq: ${o.cseq ?? 1} REGISTER`,
    `Contact: ${o.contact ?? `<sip:${o.user}@127.0.0.1:${o.clientPort}>`}`,
    ...(o.expires !== undefined ? [`Expires: ${o.expires}`] : []),
    ...(o.ua ? [`User-Agent: ${o.ua}`] : []),
    ...(o.auth ? [`Authorization: ${o.auth}`] : []),
    ...(o.extra ? [o.extra] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Client side digest (RFC 2617 / 8760) for tests. */
export function digestResponse(challenge: string, o: { method: string; uri: string; user: string; password: string; nc?: number; cnonce?: string }): string {
  const p = parseDigestHeader(challenge)!;
  const alg = p.get('algorithm') ?? 'MD5';
  const h = (s: string): string => createHash(alg === 'SHA-256' ? 'sha256' : 'md5').update(s).digest('hex');
  const realm = p.get('realm')!;
  const nonce = p.get('nonce')!;
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = o.cnonce ?? 'abcdef01';
  const ha1 = h(`${o.user}:${realm}:${o.password}`);
  const ha2 = h(`${o.method}:${o.uri}`);
  const response = h(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${o.user}", realm="${realm}", nonce="${nonce}", uri="${o.uri}", response="${response}", algorithm=${alg}, cnonce="${cnonce}", qop=auth, nc=${nc}`;
}

export const SDP = (port: number, ip = '127.0.0.1'): string =>
  ['v=0', `o=- ${port} 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function waitFor<T>(emitter: { once(e: any, l: any): unknown }, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    emitter.once(event, (...a: unknown[]) => {
      clearTimeout(t);
      resolve((a.length <= 1 ? a[0] : a) as T);
    });
  });
}
