import { createHash } from 'node:crypto';

/** Digest algorithms we store HA1 for (RFC 8760: SHA-256 preferred, MD5 for older phones). */
export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** HA1 = H(username ":" realm ":" password), RFC 2617 3.2.2.2 / RFC 8760 2.5. */
export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  const hash = algorithm === 'MD5' ? 'md5' : 'sha256';
  return createHash(hash).update(`${username}:${realm}:${password}`, 'utf8').digest('hex');
}
