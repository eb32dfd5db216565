import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_ENDED } from '../../server/auth/guard.ts';
import { DATABASE_KINDS } from '../support/databases.ts';
import { ADMIN_PASSWORD, type TestApp, testApp } from '../support/app.ts';

/**
 * Accounts and their sessions: a new password, another role, disabling or deleting an account ends its sessions (the
 * tokens it signed in with are refused at once), anyone changes their own password (the answer is a new token for
 * their session) and may sign out everywhere; an admin cannot lock the last admin out by disabling or demoting
 * themselves.
 */
describe.each(DATABASE_KINDS)('accounts and sessions on %s', (kind) => {
  let t: TestApp;
  let admin: { authorization: string };
  beforeEach(async () => {
    t = await testApp(kind);
    admin = await t.auth('admin', ADMIN_PASSWORD);
  });
  afterEach(async () => {
    await t?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, headers: object, payload?: object) =>
    t.app.inject({ method, url, headers: { ...headers }, ...(payload ? { payload } : {}) });
  const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api/login', payload: { username, password } });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function staff(login: string, role: 'admin' | 'supervisor'): Promise<number> {
    const r = await call('POST', '/api/users', admin, { login, name: login.toUpperCase(), password: `${login}-password`, role });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ login, role, disabled: false });
    return r.json().id as number;
  }

  /** Expects the token refused because its session ended. */
  async function ended(auth: object): Promise<void> {
    const r = await call('GET', '/api/me', auth);
    expect(r.statusCode).toBe(401);
    expect(r.json().message).toBe(SESSION_ENDED);
  }

  it('anyone changes their own password: other sessions end, the answer signs this one in again', async () => {
    const created = await call('POST', '/api/agents', admin, { login: 'anna', name: 'Anna', password: 'anna-password', skills: {}, languages: { en: 5 } });
    expect(created.statusCode).toBe(201);
    const desk = await t.auth('anna', 'anna-password');
    const laptop = await t.auth('anna', 'anna-password');

    const wrong = await call('PUT', '/api/me/password', desk, { currentPassword: 'guess', newPassword: 'anna-new-password' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().message).toBe('the current password is wrong');
    const same = await call('PUT', '/api/me/password', desk, { currentPassword: 'anna-password', newPassword: 'anna-password' });
    expect(same.statusCode).toBe(400);
    expect(same.json().message).toBe('the new password is the current one');
    const short = await call('PUT', '/api/me/password', desk, { currentPassword: 'anna-password', newPassword: 'short' });
    expect(short.statusCode).toBe(400);
    expect((await call('GET', '/api/me', desk)).statusCode).toBe(200); // refusals change nothing

    const changed = await call('PUT', '/api/me/password', desk, { currentPassword: 'anna-password', newPassword: 'anna-new-password' });
    expect(changed.statusCode, changed.body).toBe(200);
    await ended(desk);
    await ended(laptop);
    const again = bearer(changed.json().token as string);
    expect((await call('GET', '/api/me', again)).json()).toMatchObject({ login: 'anna', role: 'agent' });
    expect((await login('anna', 'anna-password')).statusCode).toBe(401);
    expect((await login('anna', 'anna-new-password')).statusCode).toBe(200);

    // the audit log keeps the change, never the passwords
    const audit = await call('GET', '/api/audit?path=/api/me/password', admin);
    expect(audit.statusCode).toBe(200);
    const items = audit.json().items as Array<{ login: string; status: number; detail: unknown }>;
    expect(items.map((i) => [i.login, i.status])).toEqual(expect.arrayContaining([['anna', 200], ['anna', 403]]));
    expect(JSON.stringify(items)).not.toContain('anna-new-password');
  });

  it('sign out everywhere: every token of the user is refused, signing in again works', async () => {
    await staff('sue', 'supervisor');
    const one = await t.auth('sue', 'sue-password');
    const two = await t.auth('sue', 'sue-password');
    const r = await call('DELETE', '/api/me/sessions', one);
    expect(r.statusCode).toBe(204);
    await ended(one);
    await ended(two);
    const fresh = await t.auth('sue', 'sue-password');
    expect((await call('GET', '/api/wallboard', fresh)).statusCode).not.toBe(401);
  });

  it("an admin's change of password, role or disabled ends that account's sessions; a name does not", async () => {
    const sueId = await staff('sue', 'supervisor');
    let sue = await t.auth('sue', 'sue-password');

    const renamed = await call('PATCH', `/api/users/${sueId}`, admin, { name: 'Sue Smith' });
    expect(renamed.json()).toEqual({ id: sueId, login: 'sue', name: 'Sue Smith', role: 'supervisor', disabled: false });
    expect((await call('GET', '/api/me', sue)).statusCode).toBe(200);

    expect((await call('PATCH', `/api/users/${sueId}`, admin, { password: 'sue-second-password' })).statusCode).toBe(200);
    await ended(sue);
    sue = await t.auth('sue', 'sue-second-password');

    const promoted = await call('PATCH', `/api/users/${sueId}`, admin, { role: 'admin' });
    expect(promoted.json().role).toBe('admin');
    await ended(sue); // (its token said supervisor)
    sue = await t.auth('sue', 'sue-second-password');
    expect((await call('GET', '/api/users', sue)).statusCode).toBe(200);

    expect((await call('PATCH', `/api/users/${sueId}`, admin, { disabled: true })).json().disabled).toBe(true);
    await ended(sue);
    expect((await login('sue', 'sue-second-password')).statusCode).toBe(401);
    expect((await call('PATCH', `/api/users/${sueId}`, admin, { disabled: false })).statusCode).toBe(200);
    expect((await login('sue', 'sue-second-password')).statusCode).toBe(200);

    expect((await call('GET', '/api/users', admin)).json().items).toEqual([
      expect.objectContaining({ login: 'admin', role: 'admin', disabled: false }),
      expect.objectContaining({ login: 'sue', role: 'admin', disabled: false }),
    ]);
  });

  it('keeps an admin: nobody disables, demotes or deletes their own account; agents are not users here', async () => {
    const me = (await call('GET', '/api/me', admin)).json().id as number;
    const self = await call('PATCH', `/api/users/${me}`, admin, { disabled: true });
    expect(self.statusCode).toBe(409);
    expect(self.json().message).toBe('your own account cannot be disabled');
    expect((await call('PATCH', `/api/users/${me}`, admin, { role: 'supervisor' })).json().message).toBe('your own account cannot be given another role');
    expect((await call('DELETE', `/api/users/${me}`, admin)).json().message).toBe('your own account cannot be deleted');
    expect((await call('PATCH', `/api/users/${me}`, admin, { name: 'The Admin', password: 'admin-new-password' })).statusCode).toBe(200); // these, yes
    await ended(admin);
    admin = await t.auth('admin', 'admin-new-password');

    const annId = await staff('ann', 'admin');
    const ann = await t.auth('ann', 'ann-password');
    expect((await call('DELETE', `/api/users/${me}`, ann)).statusCode).toBe(204); // another admin remains: ann
    await ended(admin);
    expect((await call('DELETE', `/api/users/${annId}`, ann)).statusCode).toBe(409);

    const agent = await call('POST', '/api/agents', ann, { login: 'bob', name: 'Bob', password: 'bob-password', skills: {}, languages: {} });
    expect((await call('PATCH', `/api/users/${agent.json().id}`, ann, { name: 'x' })).statusCode).toBe(404);
    expect((await call('DELETE', `/api/users/${agent.json().id}`, ann)).statusCode).toBe(404);
    expect((await call('PATCH', '/api/users/999999', ann, { name: 'x' })).statusCode).toBe(404);
    expect((await call('PATCH', `/api/users/${annId}`, ann, {})).statusCode).toBe(400);
    expect((await call('PATCH', `/api/users/${annId}`, ann, { role: 'agent' })).statusCode).toBe(400);
  });

  it("an agent's new password, disabling or deletion ends their sessions", async () => {
    const id = (await call('POST', '/api/agents', admin, { login: 'anna', name: 'Anna', password: 'anna-password', skills: {}, languages: {} })).json().id as number;
    let anna = await t.auth('anna', 'anna-password');
    expect((await call('PATCH', `/api/agents/${id}`, admin, { languages: { en: 4 } })).statusCode).toBe(200);
    expect((await call('GET', '/api/me', anna)).statusCode).toBe(200); // a profile change ends nothing
    expect((await call('PATCH', `/api/agents/${id}`, admin, { password: 'anna-second-password' })).statusCode).toBe(200);
    await ended(anna);
    anna = await t.auth('anna', 'anna-second-password');
    expect((await call('PATCH', `/api/agents/${id}`, admin, { disabled: true })).statusCode).toBe(200);
    await ended(anna);
    expect((await call('PATCH', `/api/agents/${id}`, admin, { disabled: false })).statusCode).toBe(200);
    anna = await t.auth('anna', 'anna-second-password');
    expect((await call('DELETE', `/api/agents/${id}`, admin)).statusCode).toBe(204);
    const gone = await call('GET', '/api/me', anna);
    expect(gone.statusCode).toBe(401);
  });
});
