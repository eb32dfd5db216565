import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_CSP } from '../../server/http/security-headers.ts';
import { makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, SUPERVISOR_PASSWORD, agentPageReady, createAgent, eventually, signInBoard, signInConsole, startCallCenter, supervisorToken } from './support/harness.ts';

/**
 * The browser apps under their content security policy, from the real server in Chromium: the agent page signs in,
 * registers its softphone over the WebSocket and gets a call from the demo page's widget; the wall-board and the admin
 * console sign in — and the browser reports no violation of the policy on any of them. No other page can frame them.
 */
describe('security headers', () => {
  let h: Harness;
  let dir: string;
  let browsers: TestBrowser[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-csp-'));
    h = await startCallCenter({ rtpPortMin: 47500, rtpPortMax: 47599 });
    expect((await h.api('POST', '/api/queues', { name: 'support', skills: {}, wrapUpSeconds: 0 }, h.admin)).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(browsers.map((b) => b.close()));
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  /** A browser (the agent's, or the customer's) whose pages keep the policy violations Chromium reports (window.violations). */
  async function browser(): Promise<TestBrowser> {
    const b = await launchBrowser(makeTone(path.join(dir, 'tone.wav'), 700));
    browsers.push(b);
    await b.context.addInitScript(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
    });
    return b;
  }
  const violations = (page: Page) => page.evaluate(() => (window as unknown as { violations: string[] }).violations);

  it('pages answer with the policy and are never framed; the API and the widget script are not pages', async () => {
    for (const p of ['/agent/', '/supervisor/', '/admin/', '/demo/']) {
      const r = await fetch(`${h.baseUrl}${p}`);
      expect(r.status, p).toBe(200);
      expect(r.headers.get('content-security-policy'), p).toBe(PAGE_CSP);
      expect(r.headers.get('x-frame-options'), p).toBe('DENY');
      expect(r.headers.get('x-content-type-options'), p).toBe('nosniff');
    }
    const docs = await fetch(`${h.baseUrl}/docs/`);
    expect(docs.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    for (const p of ['/api/health', '/widget.js']) {
      const r = await fetch(`${h.baseUrl}${p}`);
      expect(r.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(r.headers.get('content-security-policy'), p).toBeNull();
    }
  });

  it('the agent page, the widget, the wall-board and the console work with no violation', async () => {
    const a = await createAgent(h, { login: 'anna', name: 'Anna', languages: { en: 5 }, skills: {} });
    const agent = (await browser()).page;
    await agentPageReady(agent, h, 'anna', a.password);

    // (the customer's browser also opens the wall-board, the console and the framing page, in tabs of their own)
    const other = await browser();
    const customer = other.page;
    await customer.goto(`${h.baseUrl}/demo/`);
    await customer.getByTestId('cf-call-button').click();
    await customer.getByTestId('cf-start').click();
    await eventually(async () => (await agent.getByTestId('incoming').isVisible()) || undefined, 20_000, 'the call on the agent page');
    await customer.getByTestId('cf-hangup').click();
    await eventually(async () => !(await agent.getByTestId('incoming').isVisible()) || undefined, 20_000, 'the call gone');

    await supervisorToken(h);
    const board = await other.context.newPage();
    await signInBoard(board, h, 'sue', SUPERVISOR_PASSWORD);
    await eventually(async () => (await board.getByTestId('wb-agent-Anna').isVisible()) || undefined, 15_000, 'the wall-board');

    const admin = await other.context.newPage();
    await signInConsole(admin, h);

    for (const page of [agent, customer, board, admin]) expect(await violations(page)).toEqual([]);

    // another site framing the console gets nothing of it
    const framer = await other.context.newPage();
    await framer.setContent(`<iframe id="f" src="${h.baseUrl}/admin/"></iframe>`);
    await new Promise((r) => setTimeout(r, 1500));
    const frame = framer.frames().find((f) => f !== framer.mainFrame());
    expect(await frame?.locator('[data-testid=login-username]').count()).toBe(0);
  }, 120_000);
});
