import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { SipRequest } from '../message/message.ts';
import { isSipUri, parseUri, unescapeUser } from '../message/uri.ts';
import type { CredentialStore } from './credential-store.ts';
import type { DigestAlgorithm } from './ha1.ts';

export interface DigestOptions {
  realm: string;
  credentials: CredentialStore;
  logger: Logger;
  /** challenge order; RFC 8760 3: the preferred (SHA-256) first. Default ['SHA-256', 'MD5'] */
  algorithms?: DigestAlgorithm[];
  /** nonce lifetime; an older nonce gets stale=true (RFC 2617 3.2.1). Default 300 s */
  nonceTtlMs?: number;
  now?: () => number;
}

export type DigestResult =
  | { ok: true; username: string; agentId: string | undefined }
  | { ok: false; stale: boolean; reason: 'no-credentials' | 'bad-header' | 'bad-nonce' | 'replay' | 'wrong-realm' | 'bad-response' | 'unsupported' | 'uri-mismatch' };

/** Parses `Digest k=v, k="v", ...` (RFC 2617 3.2.2). Returns null for another scheme or bad syntax. */
export function parseDigestHeader(value: string): Map<string, string> | null {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return null;
  const params = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))\s*(?:,|$)/gy;
  const rest = m[1]!;
  let pos = 0;
  while (pos < rest.length) {
    re.lastIndex = pos;
    const p = re.exec(rest);
    if (!p) return null;
    params.set(p[1]!.toLowerCase(), p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!);
    pos = re.lastIndex;
  }
  return params;
}

const DEFAULT_PORT = { sip: 5060, sips: 5061 } as const;

/**
 * Whether a digest `uri` names the resource of the Request-URI (RFC 7616 3.4.6): the same scheme, host and port (an
 * absent port is the scheme's default) and user; parameters may differ (a phone may leave out `;transport=tcp`), and so
 * may a user left out (sipp's [authentication] sends the host and port alone), never another user.
 */
export function sameResource(digestUri: string, requestUri: string): boolean {
  if (digestUri === requestUri) return true;
  try {
    const a = parseUri(digestUri);
    const b = parseUri(requestUri);
    if (!isSipUri(a) || !isSipUri(b)) return false;
    return (
      a.scheme === b.scheme &&
      (a.user === undefined || unescapeUser(a.user) === unescapeUser(b.user ?? '')) &&
      a.host.toLowerCase() === b.host.toLowerCase() &&
      (a.port ?? DEFAULT_PORT[a.scheme]) === (b.port ?? DEFAULT_PORT[b.scheme])
    );
  } catch {
    return false;
  }
}

/** H() of RFC 2617 / RFC 8760 for the algorithm, hex. */
export function hash(alg: DigestAlgorithm, s: string): string {
  return createHash(alg === 'MD5' ? 'md5' : 'sha256').update(s, 'utf8').digest('hex');
}

function safeEqualHex(a: string, b: string): boolean {
  const ba = Buffer.from(a.toLowerCase());
  const bb = Buffer.from(b.toLowerCase());
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/**
 * Digest authentication server side (RFC 2617, RFC 8760): qop=auth, SHA-256 preferred and MD5 for older phones,
 * stateless HMAC nonces with expiry (stale=true), nonce-count replay protection. Never logs HA1 or passwords.
 * An unknown user is challenged exactly like a known user with a wrong password.
 */
export class DigestAuthenticator {
  private readonly secret = randomBytes(32);
  private readonly algorithms: DigestAlgorithm[];
  private readonly ttl: number;
  private readonly now: () => number;
  /** nonce -> highest nc accepted (RFC 2617 3.2.2: nonce-count) */
  private readonly nonceCounts = new Map<string, { nc: number; expires: number }>();
  private sweepAt = 0;

  constructor(private readonly opts: DigestOptions) {
    this.algorithms = opts.algorithms ?? ['SHA-256', 'MD5'];
    this.ttl = opts.nonceTtlMs ?? 300_000;
    this.now = opts.now ?? Date.now;
  }

  get realm(): string {
    return this.opts.realm;
  }

  private makeNonce(): string {
    const body = Buffer.alloc(16);
    body.writeDoubleBE(this.now(), 0);
    randomBytes(8).copy(body, 8);
    const mac = createHmac('sha256', this.secret).update(body).digest().subarray(0, 16);
    return Buffer.concat([body, mac]).toString('base64url');
  }

  /** 'ok' | 'stale' | 'bad' */
  private checkNonce(nonce: string): 'ok' | 'stale' | 'bad' {
    let raw: Buffer;
    try {
      raw = Buffer.from(nonce, 'base64url');
    } catch {
      return 'bad';
    }
    if (raw.length !== 32) return 'bad';
    const body = raw.subarray(0, 16);
    const mac = createHmac('sha256', this.secret).update(body).digest().subarray(0, 16);
    if (!timingSafeEqual(mac, raw.subarray(16))) return 'bad';
    const issued = body.readDoubleBE(0);
    return this.now() - issued > this.ttl ? 'stale' : 'ok';
  }

  /**
   * WWW-Authenticate / Proxy-Authenticate values, one per algorithm, preferred (SHA-256) first (RFC 8760 2.4).
   * Deliberate deviation: `md5Only` sends just the MD5 challenge, for clients known to support only MD5 and to
   * read a single challenge (sipp 3.6 reads the first and aborts on SHA-256; SIP.js 0.21 keeps only the last).
   */
  challenge(stale = false, md5Only = false): string[] {
    const nonce = this.makeNonce();
    const algs = md5Only && this.algorithms.includes('MD5') ? (['MD5'] as const) : this.algorithms;
    return algs.map(
      (alg) =>
        `Digest realm="${this.opts.realm}", nonce="${nonce}", algorithm=${alg}, qop="auth"${stale ? ', stale=true' : ''}`,
    );
  }

  /** Verifies the credentials in `headerName` (authorization / proxy-authorization). */
  async verify(req: SipRequest, headerName: 'authorization' | 'proxy-authorization'): Promise<DigestResult> {
    const values = req.getAll(headerName);
    if (values.length === 0) return { ok: false, stale: false, reason: 'no-credentials' };
    // use the credentials for our realm (a phone may carry others for upstream proxies)
    let p: Map<string, string> | null = null;
    for (const v of values) {
      const parsed = parseDigestHeader(v);
      if (parsed && parsed.get('realm') === this.opts.realm) {
        p = parsed;
        break;
      }
      p ??= parsed;
    }
    if (!p) return { ok: false, stale: false, reason: 'no-credentials' }; // e.g. an unknown scheme (RFC 4475 3.3.7)
    const username = p.get('username');
    const nonce = p.get('nonce');
    const uri = p.get('uri');
    const response = p.get('response');
    if (!username || !nonce || !uri || !response) return { ok: false, stale: false, reason: 'bad-header' };
    if (p.get('realm') !== this.opts.realm) return { ok: false, stale: false, reason: 'wrong-realm' };
    // RFC 7616 3.4.6 / RFC 2617 3.2.2.5: the response covers the digest uri, not the Request-URI: were they allowed to
    // differ, an authenticated request could be sent on to another target (a queue's INVITE turned to the trunk)
    if (!sameResource(uri, req.uri)) return { ok: false, stale: false, reason: 'uri-mismatch' };
    const algParam = (p.get('algorithm') ?? 'MD5').toUpperCase();
    const alg: DigestAlgorithm | undefined = algParam === 'MD5' ? 'MD5' : algParam === 'SHA-256' ? 'SHA-256' : undefined;
    if (!alg || !this.algorithms.includes(alg)) return { ok: false, stale: false, reason: 'unsupported' };
    const nonceState = this.checkNonce(nonce);
    const qop = p.get('qop');
    const nc = p.get('nc');
    const cnonce = p.get('cnonce');
    // we always offer qop="auth"; RFC 8760 requires it, and it is what gives replay protection
    if (qop !== 'auth' || !nc || !cnonce || !/^[0-9a-fA-F]{8}$/.test(nc)) return { ok: false, stale: false, reason: 'bad-header' };
    const cred = await this.opts.credentials.lookup(username);
    // compute even for an unknown user so both paths cost the same
    const ha1 = cred && cred.realm === this.opts.realm ? (alg === 'MD5' ? cred.ha1Md5 : cred.ha1Sha256) : hash(alg, `${username}:${this.opts.realm}:${randomBytes(8).toString('hex')}`);
    const ha2 = hash(alg, `${req.method}:${uri}`);
    const expected = hash(alg, `${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
    if (!cred || !safeEqualHex(expected, response)) return { ok: false, stale: false, reason: nonceState === 'bad' ? 'bad-nonce' : 'bad-response' };
    // A correct response whose nonce is expired, or not ours (issued before a restart: the secret is per process), or
    // whose nonce count was used already (sip.js sends its last Authorization again on every refresh): the client knows
    // the password, so it is asked again with a fresh nonce and stale=true (RFC 2617 3.2.1), and its address is not
    // counted towards the lockout (a NAT full of browser softphones refreshing at once would lock itself out). A replay
    // by someone else gets the same new challenge, which they cannot answer.
    if (nonceState !== 'ok') return { ok: false, stale: true, reason: 'bad-nonce' };
    const ncValue = parseInt(nc, 16);
    const seen = this.nonceCounts.get(nonce);
    if (seen && ncValue <= seen.nc) return { ok: false, stale: true, reason: 'replay' };
    this.nonceCounts.set(nonce, { nc: ncValue, expires: this.now() + this.ttl });
    this.sweep();
    return { ok: true, username, agentId: cred.agentId };
  }

  private sweep(): void {
    const now = this.now();
    if (now < this.sweepAt) return;
    this.sweepAt = now + 10_000;
    for (const [n, v] of this.nonceCounts) if (v.expires < now) this.nonceCounts.delete(n);
  }
}
