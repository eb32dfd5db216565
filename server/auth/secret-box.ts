import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Encryption at rest for the secrets the server must use in clear later and so cannot hash: today the callback
 * trunk's password (our INVITE answers the provider's digest challenge with it). AES-256-GCM under a key that is
 * not in the database (SECRET_KEY, or a key file in DATA_DIR): a copy of the database (a dump, a backup) does not
 * give the password away. A sealed value: `sealed:v1:` iv "." tag "." ciphertext (base64url).
 */
export class SecretBox {
  static readonly PREFIX = 'sealed:v1:';
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new TypeError(`a secret key is 32 bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
  }

  static isSealed(value: string): boolean {
    return value.startsWith(SecretBox.PREFIX);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${SecretBox.PREFIX}${[iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.')}`;
  }

  /** The plain text; throws when the value is not sealed, was changed, or was sealed under another key. */
  open(sealed: string): string {
    const parts = SecretBox.isSealed(sealed) ? sealed.slice(SecretBox.PREFIX.length).split('.') : [];
    if (parts.length !== 3) throw new Error('not a sealed value');
    const [iv, tag, data] = parts.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
    if (iv.length !== 12 || tag.length !== 16) throw new Error('not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('the sealed value does not open with this key (another key, or the value was changed)');
    }
  }
}

/** SECRET_KEY's value as a key: 32 bytes written as 64 hex digits or in base64; null when it is not one. */
export function parseSecretKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t, 'base64'); // (Node's base64 also reads the URL-safe alphabet)
    if (key.length === 32) return key;
  }
  return null;
}

export const KEY_FILE = 'secret.key';

/**
 * The server's secret box: under `secretKey` (SECRET_KEY, already checked by the config) when set, else under the
 * key in `dataDir`/secret.key, made (random, readable by its owner only) on the first start. Servers that share a
 * database need the same key: set SECRET_KEY on each.
 */
export async function loadSecretBox(secretKey: string | null, dataDir: string): Promise<{ box: SecretBox; source: 'environment' | 'file' | 'new file' }> {
  if (secretKey !== null) {
    const key = parseSecretKey(secretKey);
    if (key === null) throw new TypeError('SECRET_KEY is not 32 bytes in hex or base64');
    return { box: new SecretBox(key), source: 'environment' };
  }
  const file = path.join(dataDir, KEY_FILE);
  try {
    const text = await readFile(file, 'utf8');
    const key = parseSecretKey(text);
    if (key === null) throw new Error(`${file} does not hold a 32-byte key in hex or base64`);
    return { box: new SecretBox(key), source: 'file' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  // written whole under a name of its own, then linked into place: a link fails when the file exists, so two servers
  // starting at once on one DATA_DIR agree on one key, and neither reads a file half written
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadSecretBox(null, dataDir);
    throw err;
  } finally {
    await unlink(draft);
  }
  return { box: new SecretBox(key), source: 'new file' };
}
