import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { makeTone } from '../support/baresip.ts';
import { launchBrowser } from './support/browser.ts';
import { SESSION_ENDED } from '../../server/auth/guard.ts';
import { type Harness, SUPERVISOR_PASSWORD, agentPageReady, createAgent, eventually, startCallCenter, supervisorToken } from './support/harness.ts';

/**
 * Ending sessions on the running server: an agent disabled by an admin is logged out of the ACD (no call is offered
 * to them) and their desk's socket closes; a supervisor who changes their password keeps this session (the new token)
 * while their other wall-board closes; an ended session's token opens no socket.
 */
describe('accounts: sessions end on the live channels', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 47400, rtpPortMax: 47499 });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  /** A socket of `path` with `token`, its messages, and how it closed (once it did). */
  async function socket(path: string, token: string): Promise<{ ws: WebSocket; messages: Array<{ type: string; message?: string; state?: string }>; closed: Promise<number> }> {
    const ws = new WebSocket(`${h.baseUrl.replace('http', 'ws')}${path}?token=${token}`);
    const messages: Array<{ type: string; message?: string }> = [];
    ws.on('message', (m) => messages.push(JSON.parse(String(m))));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    return { ws, messages, closed };
  }

  it('an agent disabled while ready is logged out and their desk closes; their token opens nothing more', async () => {
    const a = await createAgent(h, { login: 'anna', name: 'Anna', languages: { en: 5 }, skills: {} });
    const token = await h.login('anna', a.password);
    const desk = await socket('/ws/agent', token);
    await eventually(() => desk.messages.some((m) => m.type === 'state'), 5000, 'the desk told its state');
    desk.ws.send(JSON.stringify({ type: 'ready' }));
    await eventually(() => h.server.center.desk.state(String(a.id)).state === 'ready', 5000, 'Anna ready');

    expect((await h.api('PATCH', `/api/agents/${a.id}`, { disabled: true }, h.admin)).status).toBe(200);
    expect(await desk.closed).toBe(4401);
    expect(desk.messages.at(-1)).toEqual({ type: 'error', message: SESSION_ENDED });
    await eventually(() => h.server.center.desk.state(String(a.id)).state === 'logged-out', 5000, 'Anna logged out');
    expect(h.server.center.acd.engine.agentInfo(String(a.id)).state).toBe('logged-out');

    const again = await socket('/ws/agent', token);
    expect(await again.closed).toBe(4401);
    expect(again.messages).toEqual([{ type: 'error', message: SESSION_ENDED }]);
    expect((await h.api('GET', '/api/agent/state', undefined, token)).status).toBe(401);
  });

  it('an agent changes their password on the agent page and goes on working there; the old password signs in no more', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-account-'));
    const browser = await launchBrowser(makeTone(path.join(dir, 'tone.wav'), 700));
    try {
      const b = await createAgent(h, { login: 'bea', name: 'Bea', languages: { en: 5 }, skills: {} });
      const page = browser.page;
      await agentPageReady(page, h, 'bea', b.password);
      await page.getByTestId('account-open').click();
      await page.getByTestId('password-current').fill(b.password);
      await page.getByTestId('password-new').fill('bea-second-password');
      await page.getByTestId('password-repeat').fill('bea-second-password');
      await page.getByTestId('password-save').click();
      await eventually(async () => (await page.getByTestId('account-message').textContent()) === 'Password changed' || undefined, 10_000, 'Password changed');
      // the desk's socket was closed with the old session and opened again with the new token: its buttons still work
      await page.getByTestId('account-close').click();
      await page.getByTestId('not-ready').click();
      await eventually(() => h.server.center.desk.state(String(b.id)).state === 'not-ready', 10_000, 'Bea not ready');
      expect((await h.api('POST', '/api/login', { username: 'bea', password: b.password })).status).toBe(401);
      expect((await h.api('POST', '/api/login', { username: 'bea', password: 'bea-second-password' })).status).toBe(200);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("a supervisor's new password closes their other wall-boards; the new token opens one", async () => {
    const sue = await supervisorToken(h);
    const board = await socket('/ws/supervisor', sue);
    await eventually(() => board.messages.some((m) => m.type === 'wallboard'), 5000, 'the wall-board');
    const r = await h.api('PUT', '/api/me/password', { currentPassword: SUPERVISOR_PASSWORD, newPassword: 'sue-second-password' }, sue);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(await board.closed).toBe(4401);
    const fresh = await socket('/ws/supervisor', r.body.token as string);
    await eventually(() => fresh.messages.some((m) => m.type === 'wallboard'), 5000, 'the wall-board with the new token');
    fresh.ws.close();
  });
});
