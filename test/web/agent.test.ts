import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordSip, startStandIn, type StandIn } from '../support/web-stand-in.ts';
import { launchBrowser, requireBuild } from './browser.ts';

// The agent page is served from the built files; its API answers come from a labelled stand-in
// (test/support/web-stand-in.ts), not from the real server, whose end-to-end tests live with server/.
let browser: Browser;
let server: StandIn;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  requireBuild();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  server = await startStandIn();
  context = await browser.newContext();
  page = await context.newPage();
});
afterEach(async () => {
  await context?.close();
  await server?.close();
});

const text = (id: string): Promise<string | null> => page.getByTestId(id).textContent();
const visible = (id: string): Promise<boolean> => page.getByTestId(id).isVisible();

describe('agent softphone', () => {
  it('shows the sign-in form', async () => {
    await page.goto(`${server.origin}/agent/`);
    await page.getByTestId('login-username').waitFor({ state: 'visible' });
    expect(await visible('login-password')).toBe(true);
    expect(await page.getByTestId('login-password').getAttribute('type')).toBe('password');
    expect(await visible('login-submit')).toBe(true);
    expect(await visible('login-error')).toBe(false);
    expect(await visible('agent-state')).toBe(false);
    // The label belongs to its field (accessible name).
    expect(await page.getByLabel('User name').getAttribute('data-testid')).toBe('login-username');
  });

  it("shows the server's message when the sign-in is refused with 401", async () => {
    server.route('POST /api/login', () => ({ status: 401, body: { code: 'ERR_BAD_CREDENTIALS', message: 'wrong username or password' } }));
    await page.goto(`${server.origin}/agent/`);
    await page.getByTestId('login-username').fill('mari');
    await page.getByTestId('login-password').fill('not-her-password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor({ state: 'visible' });
    expect(await text('login-error')).toBe('wrong username or password');
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/api/login', { username: 'mari', password: 'not-her-password' }],
    ]);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.getByTestId('login-submit').isEnabled()).toBe(true);
  });

  it('goes back to the sign-in form when the stored token is no longer accepted', async () => {
    server.route('GET /api/me', () => ({ status: 401, body: { message: 'token expired' } }));
    await page.goto(`${server.origin}/agent/`);
    await page.evaluate(() => sessionStorage.setItem('callflow.agent.token', 'stale-token'));
    await page.reload();
    await page.getByTestId('login-username').waitFor({ state: 'visible' });
    await expect.poll(() => server.requests.length).toBe(1);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer stale-token');
    expect(await page.evaluate(() => sessionStorage.getItem('callflow.agent.token'))).toBeNull();
  });

  describe('signed in (stand-in API, agent socket and SIP endpoint)', () => {
    let agentWs: WebSocket | undefined;
    let received: unknown[];
    let sip: { messages: string[] };

    beforeEach(() => {
      agentWs = undefined;
      received = [];
      server.route('POST /api/login', () => ({ status: 200, body: { token: 'agent-token-1', role: 'agent', userId: '7' } }));
      server.route('GET /api/me', (req) =>
        req.headers.authorization === 'Bearer agent-token-1'
          ? { status: 200, body: { id: '7', login: 'mari', name: 'Mari Tamm', role: 'agent', skills: [], languages: [], sipUsername: null } }
          : { status: 401, body: { message: 'no token' } },
      );
      server.route('POST /api/agent/softphone', () => ({
        status: 200,
        body: {
          wsUrl: `${server.wsOrigin}/sip`,
          uri: 'sip:agent-7@test.realm',
          authorizationUsername: 'agent-7',
          authorizationPassword: 'session-secret',
          displayName: 'Mari Tamm',
        },
      }));
      server.socket('/ws/agent', (ws, url) => {
        if (url.searchParams.get('token') !== 'agent-token-1') {
          ws.close(4401, 'unauthorized');
          return;
        }
        agentWs = ws;
        ws.on('message', (data) => received.push(JSON.parse(String(data))));
        ws.send(JSON.stringify({ type: 'state', state: 'not-ready', reason: 'login', wrapUpEndsAt: null }));
      });
      sip = recordSip(server, '/sip');
    });

    async function signIn(): Promise<void> {
      await page.goto(`${server.origin}/agent/`);
      await page.getByTestId('login-username').fill('mari');
      await page.getByTestId('login-password').fill('demo-mari');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('agent-name').waitFor({ state: 'visible' });
      await expect.poll(() => agentWs !== undefined).toBe(true);
    }

    const send = (msg: unknown): void => agentWs?.send(JSON.stringify(msg));

    it('shows the agent, registers the softphone and keeps the token for this tab', async () => {
      await signIn();
      expect(await text('agent-name')).toBe('Mari Tamm');
      await expect.poll(() => text('agent-state')).toBe('not-ready');
      expect(await text('sip-status')).toBe('registering');
      await expect.poll(() => sip.messages.find((m) => m.startsWith('REGISTER '))?.split('\r\n')[0], { timeout: 10_000 }).toBe(
        'REGISTER sip:test.realm SIP/2.0',
      );
      const softphone = server.requests.find((r) => r.path === '/api/agent/softphone');
      expect(softphone?.headers.authorization).toBe('Bearer agent-token-1');
      expect(softphone?.body).toEqual({});
      expect(await page.evaluate(() => sessionStorage.getItem('callflow.agent.token'))).toBe('agent-token-1');
    });

    it('sends Ready and Not ready with the chosen reason, and follows the state the server reports', async () => {
      await signIn();
      await expect.poll(() => text('agent-state')).toBe('not-ready');
      await page.getByTestId('ready').click();
      await expect.poll(() => received).toContainEqual({ type: 'ready' });
      send({ type: 'state', state: 'ready', reason: '', wrapUpEndsAt: null });
      await expect.poll(() => text('agent-state')).toBe('ready');
      expect(await page.getByTestId('ready').isDisabled()).toBe(true);
      await page.getByTestId('not-ready-reason').selectOption('lunch');
      await page.getByTestId('not-ready').click();
      await expect.poll(() => received).toContainEqual({ type: 'not-ready', reason: 'lunch' });
    });

    it("shows an offered call with the caller's page, language, wait and history until the offer is withdrawn", async () => {
      await signIn();
      expect(await visible('incoming')).toBe(false);
      send({
        type: 'offer',
        callId: 'call-9',
        context: {
          queue: 'support',
          language: 'et',
          page: { url: 'https://shop.example/tents/taiga-2', title: 'Taiga 2 tent', category: 'tents' },
          history: [
            { url: 'https://shop.example/', title: 'Home', at: '2026-11-23T10:00:00.000Z' },
            { url: 'https://shop.example/tents/taiga-2', title: 'Taiga 2 tent', at: '2026-11-23T10:02:00.000Z' },
          ],
          caller: 'web',
          waitedSeconds: 42,
        },
      });
      await page.getByTestId('incoming').waitFor({ state: 'visible' });
      expect(await text('incoming-caller')).toBe('Web (browser widget)');
      expect(await text('incoming-page-url')).toBe('https://shop.example/tents/taiga-2');
      expect(await text('incoming-page-title')).toBe('Taiga 2 tent');
      expect(await text('incoming-language')).toBe('et');
      expect(await text('incoming-wait')).toBe('42 s');
      expect(await text('incoming-ivr')).toBe('—');
      const items = page.getByTestId('incoming-history').locator('li');
      expect(await items.count()).toBe(2);
      expect(await items.nth(0).textContent()).toContain('Home');
      expect(await items.nth(1).textContent()).toContain('https://shop.example/tents/taiga-2');
      // No INVITE yet: Answer waits for the phone to ring.
      expect(await page.getByTestId('answer').isDisabled()).toBe(true);
      send({ type: 'offer-cancelled', callId: 'call-9', reason: 'caller-hangup' });
      await page.getByTestId('incoming').waitFor({ state: 'hidden' });
    });

    it('keeps the caller on screen when the call was answered on the desk phone, until it ends', async () => {
      await signIn();
      const context = { queue: 'support', language: 'et', page: { url: 'https://shop.example/tents', title: 'Tents' }, history: [], waitedSeconds: 5 };
      send({ type: 'offer', callId: 'call-10', context });
      await page.getByTestId('incoming').waitFor({ state: 'visible' });
      send({ type: 'connected', callId: 'call-10', context, device: 'desk-phone' });
      await expect.poll(() => page.locator('#call-status').textContent()).toBe('Answered on your desk phone.');
      expect(await visible('incoming')).toBe(true);
      expect(await text('incoming-page-url')).toBe('https://shop.example/tents');
      expect(await visible('answer')).toBe(false);
      expect(await page.getByTestId('ready').isDisabled()).toBe(true);
      // Hang up works from the page too: through the server, which hangs up the desk phone's call
      server.route('POST /api/agent/call/hangup', () => ({ status: 200, body: { hungUp: true } }));
      await page.getByTestId('hangup').click();
      await expect.poll(() => server.requests.find((r) => r.path === '/api/agent/call/hangup')?.headers.authorization).toBe('Bearer agent-token-1');
      send({ type: 'call-ended', callId: 'call-10' });
      await page.getByTestId('incoming').waitFor({ state: 'hidden' });
    });

    it('offers to send a browser caller a link (not a phone caller), lists what was sent and shows a refusal in the server\'s words', async () => {
      await signIn();
      const web = { queue: 'support', language: 'et', page: { url: 'https://shop.example/tents', title: 'Tents' }, history: [], caller: 'web', waitedSeconds: 5 };
      send({ type: 'connected', callId: 'call-11', context: web, device: 'desk-phone' });
      await page.getByTestId('link-form').waitFor({ state: 'visible' });
      const answers = [
        { status: 202, body: { sent: true, customerConnected: false } },
        { status: 400, body: { code: 'ERR_VALIDATION', message: 'body.url must be an absolute http:// or https:// URL', field: 'body.url' } },
      ];
      server.route('POST /api/agent/calls/call-11/link', () => answers.shift()!);
      await page.getByTestId('link-url').fill(' https://shop.example/manuals/tent.pdf ');
      await page.getByTestId('link-title').fill('Tent manual');
      await page.getByTestId('link-send').click();
      await expect.poll(() => text('links-sent')).toBe("Tent manual https://shop.example/manuals/tent.pdf (the customer's page was not connected)");
      const sent = server.requests.find((r) => r.path === '/api/agent/calls/call-11/link')!;
      expect(sent.body).toEqual({ url: 'https://shop.example/manuals/tent.pdf', title: 'Tent manual' });
      expect(sent.headers.authorization).toBe('Bearer agent-token-1');
      expect(await page.getByTestId('link-url').inputValue()).toBe('');
      expect(await page.getByTestId('links-sent').locator('a').evaluate((a: HTMLAnchorElement) => [a.href, a.target, a.rel])).toEqual([
        'https://shop.example/manuals/tent.pdf', '_blank', 'noopener noreferrer',
      ]);
      await page.getByTestId('link-url').fill('javascript:alert(1)');
      await page.getByTestId('link-send').click();
      await expect.poll(() => text('link-error')).toBe('Not sent: body.url must be an absolute http:// or https:// URL');
      expect(await page.getByTestId('links-sent').locator('li').count()).toBe(1);
      send({ type: 'call-ended', callId: 'call-11' });
      await page.getByTestId('incoming').waitFor({ state: 'hidden' });

      // a caller on a phone: no browser to send a link to, and nothing of the last call's links
      send({ type: 'connected', callId: 'call-12', context: { ...web, caller: 'sip:+3725551234@carrier.example', ivr: ['welcome', 'main'] }, device: 'desk-phone' });
      await page.getByTestId('incoming').waitFor({ state: 'visible' });
      // (it came through the IVR menus: the agent sees which)
      expect(await text('incoming-ivr')).toBe('welcome › main');
      expect(await visible('link-form')).toBe(false);
      expect(await page.getByTestId('links-sent').locator('li').count()).toBe(0);
      expect(await visible('link-error')).toBe(false);
    });

    it('counts the wrap-up down from wrapUpEndsAt and sends Done', async () => {
      await signIn();
      const endsAt = new Date(Date.now() + 30_000).toISOString();
      send({ type: 'state', state: 'wrap-up', reason: '', wrapUpEndsAt: endsAt });
      await page.getByTestId('wrapup-done').waitFor({ state: 'visible' });
      expect(await text('agent-state')).toBe('wrap-up');
      const first = await text('wrapup-countdown');
      expect(first).toMatch(/^0:(29|30)$/);
      await expect.poll(() => text('wrapup-countdown'), { timeout: 5000 }).not.toBe(first);
      await page.getByTestId('wrapup-done').click();
      await expect.poll(() => received).toContainEqual({ type: 'wrap-up-done' });
      send({ type: 'state', state: 'ready', reason: '', wrapUpEndsAt: null });
      await page.getByTestId('wrapup-done').waitFor({ state: 'hidden' });
    });

    it('signs out when the server refuses the agent socket', async () => {
      await signIn();
      agentWs?.close(4401, 'unauthorized');
      await page.getByTestId('login-username').waitFor({ state: 'visible' });
      expect(await text('login-error')).toContain('unauthorized');
      expect(await page.evaluate(() => sessionStorage.getItem('callflow.agent.token'))).toBeNull();
    });
  });
});
