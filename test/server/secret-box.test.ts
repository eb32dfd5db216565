import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_FILE, loadSecretBox, parseSecretKey, SecretBox } from '../../server/auth/secret-box.ts';

describe('SecretBox', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'secret-box-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('seals a secret so that only the same key opens it, and notices a changed value', () => {
    const box = new SecretBox(Buffer.alloc(32, 7));
    const sealed = box.seal('trunk-sécret');
    expect(SecretBox.isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('trunk');
    expect(box.seal('trunk-sécret')).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed)).toBe('trunk-sécret');
    expect(() => new SecretBox(Buffer.alloc(32, 8)).open(sealed)).toThrow(/does not open with this key/);
    const [iv, tag, data] = sealed.slice(SecretBox.PREFIX.length).split('.') as [string, string, string];
    const flipped = Buffer.from(data, 'base64url');
    flipped[0]! ^= 1;
    expect(() => box.open(`${SecretBox.PREFIX}${iv}.${tag}.${flipped.toString('base64url')}`)).toThrow(/does not open/);
    expect(() => box.open('trunk-secret')).toThrow(/not a sealed value/);
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow(/32 bytes/);
  });

  it('reads a key written in hex, base64 or base64url, and nothing else', () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 250));
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(`${key.toString('base64url')}\n`)).toEqual(key);
    expect(parseSecretKey('ab'.repeat(16))).toBeNull();
    expect(parseSecretKey('correct horse battery staple')).toBeNull();
  });

  it('makes a key file readable by its owner only on the first start, uses it again after, and prefers SECRET_KEY', async () => {
    const dir = path.join(tempDir(), 'var');
    const first = await loadSecretBox(null, dir);
    expect(first.source).toBe('new file');
    const file = path.join(dir, KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await loadSecretBox(null, dir);
    expect(again.source).toBe('file');
    expect(again.box.open(first.box.seal('x'))).toBe('x');
    const fromEnv = await loadSecretBox('c'.repeat(64), dir);
    expect(fromEnv.source).toBe('environment');
    expect(() => fromEnv.box.open(first.box.seal('x'))).toThrow();
    expect(readFileSync(file, 'utf8')).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    writeFileSync(file, 'garbage');
    await expect(loadSecretBox(null, dir)).rejects.toThrow(/does not hold a 32-byte key/);
  });

  it('two servers starting at once on one data directory end up with the same key', async () => {
    const dir = tempDir();
    const [a, b] = await Promise.all([loadSecretBox(null, dir), loadSecretBox(null, dir)]);
    expect(b.box.open(a.box.seal('same'))).toBe('same');
  });
});
