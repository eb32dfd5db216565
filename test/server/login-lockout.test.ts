import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, type TestApp, testApp } from '../support/app.ts';

/**
 * Password guessing over POST /api/login: an address with too many wrong passwords is refused for a while. (90 s a
 * test: PGlite's starts and the password hashes take their time on a loaded CI machine.)
 */
describe('login lockout', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const login = (app: TestApp, password: string, from: string, username = 'admin', forwardedFor?: string) =>
    app.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username, password },
      remoteAddress: from,
      ...(forwardedFor === undefined ? {} : { headers: { 'x-forwarded-for': forwardedFor } }),
    });

  it('refuses an address after LOGIN_MAX_FAILURES wrong passwords, even with the right one, and only that address', async () => {
    t = await testApp('pglite', { LOGIN_MAX_FAILURES: '3' });
    expect((await login(t, ADMIN_PASSWORD, '10.0.0.7')).statusCode).toBe(200);
    // failures for known and unknown logins count alike (no hint which logins exist)
    expect((await login(t, 'guess-1', '10.0.0.7')).statusCode).toBe(401);
    expect((await login(t, 'guess-2', '10.0.0.7', 'ghost')).statusCode).toBe(401);
    expect((await login(t, 'guess-3', '10.0.0.7')).statusCode).toBe(401);
    const locked = await login(t, ADMIN_PASSWORD, '10.0.0.7');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ code: 'ERR_TOO_MANY_REQUESTS', error: 'Too Many Requests' });
    expect(locked.json().message).toMatch(/too many failed logins from 10\.0\.0\.7/);
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(290);
    expect(retryAfter).toBeLessThanOrEqual(300);
    // another address is not affected
    expect((await login(t, ADMIN_PASSWORD, '10.0.0.8')).statusCode).toBe(200);
  }, 90_000);

  it('a successful login clears the count, and 0 turns the lockout off', async () => {
    t = await testApp('pglite', { LOGIN_MAX_FAILURES: '3' });
    for (let round = 0; round < 2; round++) {
      expect((await login(t, 'guess', '10.0.0.9')).statusCode).toBe(401);
      expect((await login(t, 'guess', '10.0.0.9')).statusCode).toBe(401);
      expect((await login(t, ADMIN_PASSWORD, '10.0.0.9')).statusCode).toBe(200);
    }
    await t.close();
    t = await testApp('pglite', { LOGIN_MAX_FAILURES: '0' });
    for (let i = 0; i < 4; i++) expect((await login(t, 'guess', '10.0.0.10')).statusCode).toBe(401);
    expect((await login(t, ADMIN_PASSWORD, '10.0.0.10')).statusCode).toBe(200);
  }, 90_000);

  it('behind a trusted reverse proxy (TRUSTED_PROXIES) counts each client by X-Forwarded-For; otherwise the header is ignored', async () => {
    t = await testApp('pglite', { LOGIN_MAX_FAILURES: '2', TRUSTED_PROXIES: '10.0.0.1' });
    const viaProxy = (password: string, client: string) => login(t!, password, '10.0.0.1', 'admin', client);
    expect((await viaProxy('guess', '203.0.113.5')).statusCode).toBe(401);
    expect((await viaProxy('guess', '203.0.113.5')).statusCode).toBe(401);
    const locked = await viaProxy(ADMIN_PASSWORD, '203.0.113.5');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().message).toMatch(/from 203\.0\.113\.5/);
    // the other customers and agents behind the same proxy still get in
    expect((await viaProxy(ADMIN_PASSWORD, '203.0.113.6')).statusCode).toBe(200);
    // a client that is not a trusted proxy cannot pick its address with the header
    expect((await login(t, 'guess', '10.0.0.50', 'admin', '203.0.113.7')).statusCode).toBe(401);
    expect((await login(t, 'guess', '10.0.0.50', 'admin', '203.0.113.8')).statusCode).toBe(401);
    expect((await login(t, ADMIN_PASSWORD, '10.0.0.50', 'admin', '203.0.113.9')).statusCode).toBe(429);
  }, 90_000);
});
