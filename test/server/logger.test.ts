import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.ts';

describe('the process logger', () => {
  it('redacts passwords, HA1s, tokens, the secret key and sealed secrets wherever a logged object carries them', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    logger.info(
      {
        password: 'pw-top', ha1: 'ha1-top', token: 'tok-top', secretKey: 'key-top', passwordSealed: 'sealed-top',
        auth: { username: 'acme', password: 'pw-nested', passwordSealed: 'sealed-nested' },
        cred: { ha1Md5: 'md5-nested', ha1Sha256: 'sha-nested' },
        config: { secretKey: 'key-nested' },
        req: { headers: { authorization: 'Bearer abc' } },
      },
      'something happened',
    );
    const text = lines.join('');
    for (const secret of ['pw-top', 'ha1-top', 'tok-top', 'key-top', 'sealed-top', 'pw-nested', 'sealed-nested', 'md5-nested', 'sha-nested', 'key-nested', 'Bearer abc']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('"username":"acme"');
    expect(text).toContain('[redacted]');
  });
});
