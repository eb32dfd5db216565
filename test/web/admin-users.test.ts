import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RecordedRequest, StandIn } from '../support/web-stand-in.ts';
import { pageWithStandIn } from './browser.ts';

// The admin console's accounts (admins and supervisors) and the agents' disabled flag, in the built page; the API is
// the labelled stand-in (test/support/web-stand-in.ts) keeping a list of its own, the real server's tests drive
// the rules (never your own account) for real.
let server: StandIn;
let page: Page;
pageWithStandIn((t) => ({ server, page } = t));

interface User { id: number; login: string; name: string; role: 'admin' | 'supervisor'; disabled: boolean }
interface Agent { id: number; login: string; name: string; skills: Record<string, number>; languages: Record<string, number>; sipUsername: string | null; disabled: boolean }

const text = (id: string): Promise<string | null> => page.getByTestId(id).textContent();
const cells = (row: string): Promise<string[]> => page.getByTestId(row).locator('td').allTextContents();
const sent = (method: string, path: RegExp): RecordedRequest[] => server.requests.filter((r) => r.method === method && path.test(r.path));
const conflict = (message: string) => ({ status: 409, body: { statusCode: 409, code: 'ERR_INVALID_STATE', error: 'Conflict', message } });

let users: User[];
let agents: Agent[];

beforeEach(() => {
  // (the admin signed in is admin, id 1)
  users = [
    { id: 1, login: 'admin', name: 'Ada Admin', role: 'admin', disabled: false },
    { id: 2, login: 'sue', name: 'Sue', role: 'supervisor', disabled: false },
    { id: 3, login: 'olga', name: 'Olga', role: 'supervisor', disabled: true },
  ];
  agents = [{ id: 7, login: 'mari', name: 'Mari Tamm', skills: {}, languages: {}, sipUsername: null, disabled: false }];
  for (const path of ['/api/skills', '/api/queues', '/api/ivr-menus', '/api/prompts']) server.route(`GET ${path}`, () => ({ status: 200, body: { items: [] } }));
  server.route('GET /api/settings/callbacks', () => ({
    status: 200,
    body: { trunk: null, callerId: 'callflow', dialSeconds: 30, retrySeconds: 300, attempts: 3, username: null, passwordSet: false, source: 'environment' },
  }));
  server.route('GET /api/users', () => ({ status: 200, body: { items: users } }));
  server.route('GET /api/agents', () => ({ status: 200, body: { items: agents } }));
});

/** Routes PATCH and DELETE of /api/users/:id and /api/agents/:id as the server does, the own-account rules included. */
function routeChanges(): void {
  for (const u of users) {
    server.route(`PATCH /api/users/${u.id}`, (req) => {
      const body = req.body as Partial<User> & { password?: string };
      if (u.id === 1 && body.disabled === true) return conflict('your own account cannot be disabled');
      if (u.id === 1 && body.role !== undefined && body.role !== u.role) return conflict('your own account cannot be given another role');
      const { password: _password, ...rest } = body;
      Object.assign(u, rest);
      return { status: 200, body: u };
    });
    server.route(`DELETE /api/users/${u.id}`, () => {
      if (u.id === 1) return conflict('your own account cannot be deleted');
      users = users.filter((x) => x !== u);
      return { status: 204, body: null };
    });
  }
  server.route('PATCH /api/agents/7', (req) => {
    const { password: _password, ...rest } = req.body as Partial<Agent> & { password?: string };
    Object.assign(agents[0]!, rest);
    return { status: 200, body: agents[0] };
  });
  server.route('POST /api/agents', (req) => {
    const { password: _password, ...rest } = req.body as Partial<Agent> & { password?: string };
    const agent: Agent = { id: 8, login: '', name: '', skills: {}, languages: {}, sipUsername: null, disabled: false, ...rest };
    agents.push(agent);
    server.route('PATCH /api/agents/8', (r) => ((Object.assign(agent, r.body as Partial<Agent>)), { status: 200, body: agent }));
    return { status: 201, body: agent };
  });
}

async function openUsers(): Promise<void> {
  routeChanges();
  await page.goto(`${server.origin}/admin/`);
  await page.evaluate(() => sessionStorage.setItem('callflow.admin.token', 'admin-token'));
  await page.reload();
  await page.getByTestId('tab-users').click();
  await page.getByTestId('user-sue').waitFor({ state: 'visible' });
}

describe('the accounts in the admin console', () => {
  it('lists the accounts with whether they are disabled, and the actions of each', async () => {
    await openUsers();
    expect(await cells('user-sue')).toEqual(['sue', 'Sue', 'supervisor', 'active', 'Edit Disable Delete']);
    expect(await cells('user-olga')).toEqual(['olga', 'Olga', 'supervisor', 'disabled', 'Edit Enable Delete']);
    expect(await page.getByTestId('user-olga').getAttribute('class')).toBe('dimmed');
    expect(await page.getByTestId('user-sue').getAttribute('class')).toBeNull();
  });

  it('edits the name and role and sets a new password (PATCH with what is given), then back to a new account', async () => {
    await openUsers();
    await page.getByTestId('user-sue').getByTestId('edit-sue').click();
    const f = page.getByTestId('user-form');
    await expect.poll(() => f.locator('[data-role="title"]').textContent()).toBe('Edit account sue');
    expect(await page.getByTestId('user-login').inputValue()).toBe('sue');
    expect(await page.getByTestId('user-login').isDisabled()).toBe(true);
    expect(await page.getByTestId('user-name').inputValue()).toBe('Sue');
    expect(await page.getByTestId('user-role').inputValue()).toBe('supervisor');
    expect(await page.getByTestId('user-password').getAttribute('placeholder')).toBe('(unchanged)');
    expect(await text('user-save')).toBe('Save');

    await page.getByTestId('user-name').fill('Sue Smith');
    await page.getByTestId('user-role').selectOption('admin');
    await page.getByTestId('user-password').fill('new-secret-1');
    await page.getByTestId('user-save').click();
    await expect.poll(() => text('notice')).toBe('Admin sue saved.');
    const patches = sent('PATCH', /^\/api\/users\//);
    expect(patches.map((r) => [r.path, r.body, r.headers.authorization])).toEqual([['/api/users/2', { name: 'Sue Smith', role: 'admin', password: 'new-secret-1' }, 'Bearer admin-token']]);
    await expect.poll(() => cells('user-sue')).toEqual(['sue', 'Sue Smith', 'admin', 'active', 'Edit Disable Delete']);
    // (saved: the form is for a new account again)
    await expect.poll(() => f.locator('[data-role="title"]').textContent()).toBe('New account');
    expect(await page.getByTestId('user-login').isDisabled()).toBe(false);
    expect(await text('user-save')).toBe('Create');

    // no new password typed: none sent
    await page.getByTestId('user-olga').getByTestId('edit-olga').click();
    await page.getByTestId('user-name').fill('Olga Ojamaa');
    await page.getByTestId('user-save').click();
    await expect.poll(() => text('notice')).toBe('Supervisor olga saved.');
    expect(sent('PATCH', /^\/api\/users\//)[1]?.body).toEqual({ name: 'Olga Ojamaa', role: 'supervisor' });

    // Cancel
    await page.getByTestId('user-sue').getByTestId('edit-sue').click();
    await page.getByTestId('user-cancel').click();
    await expect.poll(() => f.locator('[data-role="title"]').textContent()).toBe('New account');
    expect(await page.getByTestId('user-login').inputValue()).toBe('');
    expect(await page.getByTestId('user-login').isDisabled()).toBe(false);
    expect(sent('PATCH', /^\/api\/users\//)).toHaveLength(2);
  });

  it('disables and enables an account, and shows the refusal to disable your own or give it another role', async () => {
    await openUsers();
    await page.getByTestId('user-sue').getByTestId('disable-sue').click();
    await expect.poll(() => text('notice')).toBe('Supervisor sue disabled: signed out everywhere, and cannot sign in.');
    await expect.poll(() => cells('user-sue')).toEqual(['sue', 'Sue', 'supervisor', 'disabled', 'Edit Enable Delete']);
    await page.getByTestId('user-sue').getByTestId('enable-sue').click();
    await expect.poll(() => text('notice')).toBe('Supervisor sue enabled.');
    await expect.poll(() => cells('user-sue')).toEqual(['sue', 'Sue', 'supervisor', 'active', 'Edit Disable Delete']);
    expect(sent('PATCH', /^\/api\/users\//).map((r) => [r.path, r.body])).toEqual([
      ['/api/users/2', { disabled: true }],
      ['/api/users/2', { disabled: false }],
    ]);

    await page.getByTestId('user-admin').getByTestId('disable-admin').click();
    await expect.poll(() => text('error')).toBe('your own account cannot be disabled');
    expect(await page.getByTestId('notice').isVisible()).toBe(false);
    expect(await cells('user-admin')).toEqual(['admin', 'Ada Admin', 'admin', 'active', 'Edit Disable Delete']);

    await page.getByTestId('user-admin').getByTestId('edit-admin').click();
    await page.getByTestId('user-role').selectOption('supervisor');
    await page.getByTestId('user-save').click();
    await expect.poll(() => text('error')).toBe('your own account cannot be given another role');
    // (refused: the form keeps what was typed)
    expect(await page.getByTestId('user-role').inputValue()).toBe('supervisor');
    // signed in still
    expect(await page.getByTestId('login-view').isVisible()).toBe(false);
  });

  it('deletes an account after asking, and shows the refusal to delete your own', async () => {
    await openUsers();
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.getByTestId('user-sue').getByTestId('delete-sue').click();
    await expect.poll(() => asked).toEqual(['Delete sue?']);
    expect(sent('DELETE', /^\/api\/users\//)).toHaveLength(0);

    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('user-sue').getByTestId('delete-sue').click();
    await expect.poll(() => text('notice')).toBe('Account sue deleted.');
    await page.getByTestId('user-sue').waitFor({ state: 'detached' });
    expect(sent('DELETE', /^\/api\/users\//).map((r) => [r.path, r.headers.authorization])).toEqual([['/api/users/2', 'Bearer admin-token']]);

    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('user-admin').getByTestId('delete-admin').click();
    await expect.poll(() => text('error')).toBe('your own account cannot be deleted');
    expect(await page.getByTestId('user-admin').isVisible()).toBe(true);
  });
});

describe("the agents' disabled flag and new password in the admin console", () => {
  it('shows a disabled agent, and sends disabled and a new password when an agent is saved', async () => {
    await openUsers();
    await page.getByTestId('tab-agents').click();
    await page.getByTestId('agent-mari').waitFor({ state: 'visible' });
    expect(await cells('agent-mari')).toEqual(['mari', 'Mari Tamm', '', '', '', 'active', 'Edit Delete']);

    await page.getByTestId('agent-mari').getByTestId('edit-mari').click();
    expect(await page.getByTestId('agent-disabled').isChecked()).toBe(false);
    await page.getByTestId('agent-disabled').check();
    await page.getByTestId('agent-password').fill('new-secret-1');
    await page.getByTestId('agent-save').click();
    await expect.poll(() => text('notice')).toBe('Agent mari saved.');
    expect(sent('PATCH', /^\/api\/agents\//).map((r) => [r.path, r.body])).toEqual([
      ['/api/agents/7', { login: 'mari', name: 'Mari Tamm', skills: {}, languages: {}, password: 'new-secret-1', disabled: true }],
    ]);
    await expect.poll(() => cells('agent-mari')).toEqual(['mari', 'Mari Tamm', '', '', '', 'disabled', 'Edit Delete']);
    expect(await page.getByTestId('agent-mari').getAttribute('class')).toBe('dimmed');

    // enabled again, the password kept
    await page.getByTestId('agent-mari').getByTestId('edit-mari').click();
    expect(await page.getByTestId('agent-disabled').isChecked()).toBe(true);
    await page.getByTestId('agent-disabled').uncheck();
    await page.getByTestId('agent-save').click();
    await expect.poll(() => cells('agent-mari')).toEqual(['mari', 'Mari Tamm', '', '', '', 'active', 'Edit Delete']);
    expect(sent('PATCH', /^\/api\/agents\//)[1]?.body).toEqual({ login: 'mari', name: 'Mari Tamm', skills: {}, languages: {}, disabled: false });

    // a new agent made disabled: created (POST takes no disabled), then disabled
    await page.getByTestId('agent-login').fill('jaan');
    await page.getByTestId('agent-name').fill('Jaan');
    await page.getByTestId('agent-password').fill('jaan-secret-1');
    await page.getByTestId('agent-disabled').check();
    await page.getByTestId('agent-save').click();
    await expect.poll(() => text('notice')).toBe('Agent jaan saved.');
    expect(sent('POST', /^\/api\/agents$/).map((r) => r.body)).toEqual([{ login: 'jaan', name: 'Jaan', skills: {}, languages: {}, password: 'jaan-secret-1' }]);
    expect(sent('PATCH', /^\/api\/agents\/8$/).map((r) => r.body)).toEqual([{ disabled: true }]);
    await expect.poll(() => cells('agent-jaan')).toEqual(['jaan', 'Jaan', '', '', '', 'disabled', 'Edit Delete']);
  });
});
