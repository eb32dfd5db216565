import { randomBytes } from 'node:crypto';
import { hash, parseDigestHeader } from './digest.ts';
import type { DigestAlgorithm } from './ha1.ts';

/** Credentials we answer a challenge with (a trunk's account at its provider). */
export interface ClientCredentials {
  username: string;
  password: string;
}

const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * The Authorization (or Proxy-Authorization) value answering one of a 401/407's challenges (RFC 2617, RFC 8760):
 * the first with an algorithm we know (SHA-256 or MD5, as the server ordered them), qop=auth when offered.
 * Null when none can be answered (another scheme, an unknown algorithm, auth-int only).
 */
export function answerChallenge(challenges: readonly string[], creds: ClientCredentials, method: string, uri: string): string | null {
  for (const value of challenges) {
    const c = parseDigestHeader(value);
    if (c === null) continue;
    const realm = c.get('realm');
    const nonce = c.get('nonce');
    const algName = (c.get('algorithm') ?? 'MD5').toUpperCase();
    const alg: DigestAlgorithm | undefined = algName === 'MD5' ? 'MD5' : algName === 'SHA-256' ? 'SHA-256' : undefined;
    if (realm === undefined || nonce === undefined || alg === undefined) continue;
    const qops = (c.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase()).filter(Boolean);
    if (qops.length > 0 && !qops.includes('auth')) continue;
    const ha1 = hash(alg, `${creds.username}:${realm}:${creds.password}`);
    const ha2 = hash(alg, `${method}:${uri}`);
    const parts = [`username=${quote(creds.username)}`, `realm=${quote(realm)}`, `nonce=${quote(nonce)}`, `uri=${quote(uri)}`];
    if (qops.length > 0) {
      const cnonce = randomBytes(8).toString('hex');
      const nc = '00000001';
      parts.push(`response=${quote(hash(alg, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`))}`, 'qop=auth', `nc=${nc}`, `cnonce=${quote(cnonce)}`);
    } else {
      parts.push(`response=${quote(hash(alg, `${ha1}:${nonce}:${ha2}`))}`);
    }
    parts.push(`algorithm=${alg}`);
    const opaque = c.get('opaque');
    if (opaque !== undefined) parts.push(`opaque=${quote(opaque)}`);
    return `Digest ${parts.join(', ')}`;
  }
  return null;
}
