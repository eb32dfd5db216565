import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { passwordFormError } from '../../web-softphone/shared/account.ts';
import { type StandIn, emptyWallBoard } from '../support/web-stand-in.ts';
import { pageWithStandIn } from './browser.ts';

// The Account panel (shared/account.ts) of the wall-board and the admin console, in the built pages (the agent
// page's is in agent.test.ts); the API answers come from the labelled stand-in (test/support/web-stand-in.ts).
let server: StandIn;
let page: Page;
pageWithStandIn((t) => ({ server, page } = t));

const ENDED = 'session ended (password or role changed, account disabled or deleted): sign in again';
const text = (id: string): Promise<string | null> => page.getByTestId(id).textContent();
const visible = (id: string): Promise<boolean> => page.getByTestId(id).isVisible();
const stored = (key: string): Promise<string | null> => page.evaluate((k) => sessionStorage.getItem(k), key);
const puts = () => server.requests.filter((r) => r.method === 'PUT' && r.path === '/api/me/password');
/** the server's 401 for a token whose session ended */
const endedAnswer = { status: 401, body: { statusCode: 401, code: 'ERR_UNAUTHENTICATED', error: 'Unauthorized', message: ENDED } };

async function fillPasswords(current: string, next: string, repeat: string): Promise<void> {
  await page.getByTestId('password-current').fill(current);
  await page.getByTestId('password-new').fill(next);
  await page.getByTestId('password-repeat').fill(repeat);
  await page.getByTestId('password-save').click();
}

describe('the password form, checked on the page', () => {
  it('asks for the current password, a new one of 8 to 256 characters, repeated the same', () => {
    expect(passwordFormError('', 'new-secret-1', 'new-secret-1')).toBe('Enter your current password.');
    expect(passwordFormError('old', 'short', 'short')).toBe('The new password needs at least 8 characters.');
    expect(passwordFormError('old', 'x'.repeat(257), 'x'.repeat(257))).toBe('The new password may have at most 256 characters.');
    expect(passwordFormError('old', 'new-secret-1', 'new-secret-2')).toBe('The new passwords do not match.');
    expect(passwordFormError('old', '12345678', '12345678')).toBeNull();
  });
});

describe('the Account panel of the wall-board', () => {
  /** the tokens the board's socket was opened with, in order */
  let socketTokens: string[];
  /** the token the stand-in takes (a password change replaces it) */
  let live: string;
  const board = emptyWallBoard();

  beforeEach(() => {
    socketTokens = [];
    live = 'sup-token';
    // (as the server: a socket of a token that no longer stands, and every one open when its session ends, is told and closed)
    const open = new Set<WebSocket>();
    server.socket('/ws/supervisor', (ws, url) => {
      const token = url.searchParams.get('token') ?? '';
      socketTokens.push(token);
      if (token !== live) {
        ws.send(JSON.stringify({ type: 'error', message: ENDED }));
        ws.close(4401, 'unauthorized');
        return;
      }
      open.add(ws);
      ws.on('close', () => open.delete(ws));
      ws.send(JSON.stringify(board));
    });
    const endSessions = () => {
      for (const ws of open) {
        ws.send(JSON.stringify({ type: 'error', message: ENDED }));
        ws.close(4401, 'session ended');
      }
    };
    server.route('GET /api/blocked-callers', (req) => (req.headers.authorization === `Bearer ${live}` ? { status: 200, body: [] } : endedAnswer));
    server.route('PUT /api/me/password', async (req) => {
      const body = req.body as { currentPassword: string; newPassword: string };
      if (body.currentPassword !== 'sue-password') return { status: 403, body: { statusCode: 403, code: 'ERR_FORBIDDEN', error: 'Forbidden', message: 'the current password is wrong' } };
      if (body.newPassword === body.currentPassword) return { status: 400, body: { statusCode: 400, code: 'ERR_VALIDATION', error: 'Bad Request', message: 'the new password is the current one' } };
      // the old token's socket is closed before the answer goes out
      live = 'sup-token-2';
      endSessions();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { status: 200, body: { token: 'sup-token-2', expiresAt: new Date(Date.now() + 3_600_000).toISOString() } };
    });
    server.route('DELETE /api/me/sessions', () => {
      live = '';
      endSessions();
      return { status: 204, body: null };
    });
  });

  async function openBoard(): Promise<void> {
    await page.goto(`${server.origin}/supervisor/`);
    await page.evaluate(() => sessionStorage.setItem('callflow.supervisor.token', 'sup-token'));
    await page.reload();
    await expect.poll(() => text('wb-live')).toBe('live');
  }

  it("changes the password: the page's checks, the server's refusals, then the new token for the API and the board's socket", async () => {
    await openBoard();
    await page.getByTestId('account-open').click();
    await page.getByTestId('account-panel').waitFor({ state: 'visible' });

    await fillPasswords('sue-password', 'new-secret-1', 'new-secret-one');
    await expect.poll(() => text('account-message')).toBe('The new passwords do not match.');
    expect(puts()).toHaveLength(0);

    await fillPasswords('sue-password', 'sue-password', 'sue-password');
    await expect.poll(() => text('account-message')).toBe('the new password is the current one');
    await fillPasswords('wrong-password', 'new-secret-1', 'new-secret-1');
    await expect.poll(() => text('account-message')).toBe('the current password is wrong');
    expect(puts().map((r) => r.headers.authorization)).toEqual(['Bearer sup-token', 'Bearer sup-token']);
    expect(await stored('callflow.supervisor.token')).toBe('sup-token');

    await fillPasswords('sue-password', 'new-secret-1', 'new-secret-1');
    await expect.poll(() => text('account-message')).toBe('Password changed');
    expect(puts()[2]?.body).toEqual({ currentPassword: 'sue-password', newPassword: 'new-secret-1' });
    expect(await stored('callflow.supervisor.token')).toBe('sup-token-2');
    await expect.poll(() => socketTokens).toEqual(['sup-token', 'sup-token-2']);
    await expect.poll(() => text('wb-live')).toBe('live');
    expect(await visible('login-view')).toBe(false);

    // the next request carries the new token
    const before = server.requests.length;
    await page.getByTestId('blocked-reload').click();
    await expect.poll(() => server.requests.slice(before).find((r) => r.path === '/api/blocked-callers')?.headers.authorization).toBe('Bearer sup-token-2');
    expect(await visible('login-view')).toBe(false);
  });

  it('signs out everywhere after asking, back at the sign-in form', async () => {
    await openBoard();
    await page.getByTestId('account-open').click();
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('sign-out-everywhere').click();
    await page.getByTestId('login-username').waitFor({ state: 'visible' });
    const deletes = server.requests.filter((r) => r.method === 'DELETE' && r.path === '/api/me/sessions');
    expect(deletes.map((r) => r.headers.authorization)).toEqual(['Bearer sup-token']);
    await expect.poll(() => text('login-error')).toBe('Signed out everywhere.');
    expect(await stored('callflow.supervisor.token')).toBeNull();
    expect(await visible('account-panel')).toBe(false);
  });

  it("goes back to the sign-in form with the server's message when a request is refused because the session ended", async () => {
    await openBoard();
    live = 'someone-else'; // (an admin disabled the account, say: its token is refused; the socket stays open here)
    await page.getByTestId('blocked-reload').click();
    await page.getByTestId('login-username').waitFor({ state: 'visible' });
    expect(await text('login-error')).toBe(ENDED);
    expect(await stored('callflow.supervisor.token')).toBeNull();
  });
});

describe('the Account panel of the admin console', () => {
  let live: string;

  beforeEach(() => {
    live = 'admin-token';
    const ok = (body: unknown) => (req: { headers: Record<string, unknown> }) => (req.headers.authorization === `Bearer ${live}` ? { status: 200, body } : endedAnswer);
    for (const path of ['/api/skills', '/api/agents', '/api/queues', '/api/ivr-menus', '/api/prompts', '/api/users']) server.route(`GET ${path}`, ok({ items: [] }));
    server.route('GET /api/settings/callbacks', ok({ trunk: null, callerId: 'callflow', dialSeconds: 30, retrySeconds: 300, attempts: 3, username: null, passwordSet: false, source: 'environment' }));
    server.route('PUT /api/me/password', (req) => {
      const body = req.body as { currentPassword: string };
      if (body.currentPassword !== 'admin-password') return { status: 403, body: { statusCode: 403, code: 'ERR_FORBIDDEN', error: 'Forbidden', message: 'the current password is wrong' } };
      live = 'admin-token-2';
      return { status: 200, body: { token: 'admin-token-2', expiresAt: new Date(Date.now() + 3_600_000).toISOString() } };
    });
    server.route('DELETE /api/me/sessions', () => ((live = ''), { status: 204, body: null }));
  });

  async function openConsole(): Promise<void> {
    await page.goto(`${server.origin}/admin/`);
    await page.evaluate(() => sessionStorage.setItem('callflow.admin.token', 'admin-token'));
    await page.reload();
    await page.getByTestId('tab-users').waitFor({ state: 'visible' });
    await expect.poll(() => server.requests.filter((r) => r.path === '/api/settings/callbacks').length).toBe(1);
  }

  it('changes the password, and the next request carries the new token', async () => {
    await openConsole();
    await page.getByTestId('account-open').click();
    await fillPasswords('admin-password', 'new-secret-1', 'new-secret-2');
    await expect.poll(() => text('account-message')).toBe('The new passwords do not match.');
    await fillPasswords('not-it', 'new-secret-1', 'new-secret-1');
    await expect.poll(() => text('account-message')).toBe('the current password is wrong');
    expect(puts()).toHaveLength(1);
    await fillPasswords('admin-password', 'new-secret-1', 'new-secret-1');
    await expect.poll(() => text('account-message')).toBe('Password changed');
    expect(await stored('callflow.admin.token')).toBe('admin-token-2');

    const before = server.requests.length;
    await page.getByTestId('tab-prompts').click();
    await expect.poll(() => server.requests.slice(before).find((r) => r.path === '/api/prompts')?.headers.authorization).toBe('Bearer admin-token-2');
    expect(await visible('error')).toBe(false);
    expect(await visible('login-view')).toBe(false);
  });

  it('signs out everywhere after asking, back at the sign-in form', async () => {
    await openConsole();
    await page.getByTestId('account-open').click();
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('sign-out-everywhere').click();
    await page.getByTestId('login-username').waitFor({ state: 'visible' });
    expect(server.requests.filter((r) => r.method === 'DELETE' && r.path === '/api/me/sessions').map((r) => r.headers.authorization)).toEqual(['Bearer admin-token']);
    await expect.poll(() => text('login-error')).toBe('Signed out everywhere.');
    expect(await stored('callflow.admin.token')).toBeNull();
    expect(await visible('tab-users')).toBe(false);
  });

  it("shows the server's refusal to sign out everywhere in the panel, signed in still", async () => {
    server.route('DELETE /api/me/sessions', () => ({ status: 500, body: { statusCode: 500, code: 'ERR_INTERNAL', error: 'Internal Server Error', message: 'database down' } }));
    await openConsole();
    await page.getByTestId('account-open').click();
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('sign-out-everywhere').click();
    await expect.poll(() => text('account-message')).toBe('database down');
    expect(await stored('callflow.admin.token')).toBe('admin-token');
    expect(await visible('login-view')).toBe(false);
  });

  it("goes back to the sign-in form with the server's message when a request is refused because the session ended", async () => {
    await openConsole();
    live = 'someone-else';
    await page.getByTestId('tab-prompts').click();
    await page.getByTestId('login-username').waitFor({ state: 'visible' });
    expect(await text('login-error')).toBe(ENDED);
    expect(await stored('callflow.admin.token')).toBeNull();
    expect(await visible('tab-users')).toBe(false);
  });
});
