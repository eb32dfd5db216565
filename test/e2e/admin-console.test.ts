import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { webhookSignature } from '../../server/calls/webhooks.ts';
import { ADMIN_PASSWORD, type Harness, consoleBrowser, consoleShows, createAgent, eventually, signInConsole, startCallCenter } from './support/harness.ts';

/** The admin console (/admin/) in Chromium against the real server: what it saves is what the API and the ACD hold. */
describe('admin console', () => {
  let h: Harness;
  let browser: Awaited<ReturnType<typeof consoleBrowser>>;
  let page: Page;

  const shows = (testId: 'notice' | 'error', want: string | RegExp) => consoleShows(page, testId, want);
  /** A fresh session of the console, signed in as the admin. */
  const signInAsAdmin = async (): Promise<void> => {
    await page.evaluate(() => sessionStorage.clear());
    await signInConsole(page, h);
  };
  const agents = async () => (await h.api('GET', '/api/agents', undefined, h.admin)).body.items as Array<Record<string, unknown>>;
  const queue = async (name: string) => ((await h.api('GET', '/api/queues', undefined, h.admin)).body.items as Array<{ name: string }>).find((q) => q.name === name) as Record<string, unknown> | undefined;

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 45600, rtpPortMax: 45699 });
    browser = await consoleBrowser();
    page = browser.page;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('refuses an agent, and lets the admin set up skills, agents with desk phones, queues and supervisors', async () => {
    const agentLogin = await h.api('POST', '/api/agents', { login: 'olga', name: 'Olga', password: 'olga-password-1' }, h.admin);
    expect(agentLogin.status).toBe(201);
    await page.goto(`${h.baseUrl}/admin/`);
    await page.getByTestId('login-username').fill('olga');
    await page.getByTestId('login-password').fill('olga-password-1');
    await page.getByTestId('login-submit').click();
    await eventually(async () => (await page.getByTestId('login-error').textContent()) === 'The admin console is for admins.', 10_000, 'the refusal');
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('skill-form').waitFor();

    // skills: one saved, the same name again is refused with the server's message
    await page.getByTestId('skill-name').fill('billing');
    await page.getByTestId('skill-description').fill('Invoices and payments');
    await page.getByTestId('skill-save').click();
    await shows('notice', 'Skill billing saved.');
    await page.getByTestId('skill-billing').waitFor();
    await page.getByTestId('skill-name').fill('billing');
    await page.getByTestId('skill-save').click();
    await shows('error', /billing/);

    // agents: levels read from the form, a desk phone's credentials set; a bad level names the field
    await page.getByTestId('tab-agents').click();
    await page.getByTestId('agent-login').fill('mari');
    await page.getByTestId('agent-name').fill('Mari Tamm');
    await page.getByTestId('agent-password').fill('mari-password-1');
    await page.getByTestId('agent-skills').fill('billing:9');
    await page.getByTestId('agent-save').click();
    await shows('error', 'skills: "billing:9" is not name:level (a level from 1 to 5)');
    await page.getByTestId('agent-skills').fill('billing:4');
    await page.getByTestId('agent-languages').fill('et:5, en:3');
    await page.getByTestId('agent-sip-user').fill('1001');
    await page.getByTestId('agent-sip-password').fill('sip-secret-1');
    await page.getByTestId('agent-save').click();
    await shows('notice', 'Agent mari saved.');
    expect(await page.getByTestId('agent-mari').locator('td').allTextContents()).toEqual(expect.arrayContaining(['mari', 'Mari Tamm', 'billing:4', 'et:5, en:3', '1001']));
    expect((await agents()).find((a) => a.login === 'mari')).toMatchObject({ skills: { billing: 4 }, languages: { et: 5, en: 3 }, sipUsername: '1001' });
    // (the new agent signs in with the password the admin gave)
    expect(await h.login('mari', 'mari-password-1')).toBeTruthy();
    // editing keeps the password and the desk phone when those fields stay empty
    await page.getByTestId('edit-mari').click();
    await page.getByTestId('agent-skills').fill('billing:5');
    await page.getByTestId('agent-save').click();
    await shows('notice', 'Agent mari saved.');
    expect((await agents()).find((a) => a.login === 'mari')).toMatchObject({ skills: { billing: 5 }, sipUsername: '1001' });
    expect(await h.login('mari', 'mari-password-1')).toBeTruthy();

    // queues: every field the form has, saved and live in the ACD at once; then an edit
    await page.getByTestId('tab-queues').click();
    await page.getByTestId('queue-name').fill('billing-et');
    await page.getByTestId('queue-skills').fill('billing:2');
    await page.getByTestId('queue-language').fill('et');
    await page.getByTestId('queue-strategy').selectOption('most-skilled');
    await page.getByTestId('queue-sl-target').fill('90');
    await page.getByTestId('queue-sl-threshold').fill('15');
    await page.getByTestId('queue-wrap-up').fill('5');
    await page.getByTestId('queue-max-wait').fill('120');
    await page.getByTestId('queue-overflow').selectOption('action:voicemail');
    await page.getByTestId('queue-dispositions').fill('Resolved, Sale');
    await page.getByTestId('queue-disposition-required').check();
    await page.getByTestId('queue-record-calls').check();
    await page.getByTestId('queue-known-agent').fill('600');
    await page.getByTestId('queue-announce-wait').uncheck();
    await page.getByTestId('queue-announce-every').fill('45');
    await page.getByTestId('queue-moh').fill('jazz');
    await page.getByTestId('queue-hours').fill('mon-fri 08:00-18:00\nsat 10:00-14:00');
    await page.getByTestId('queue-hours-tz').fill('Europe/Tallinn');
    await page.getByTestId('queue-steps').fill('30s skills=billing:1\n90s wrong');
    await page.getByTestId('queue-save').click();
    await shows('error', 'steps, line 2: "wrong" is neither skills=… nor language=…');
    await page.getByTestId('queue-steps').fill('30s skills=billing:1\n90s language=any');
    await page.getByTestId('queue-page-rules').fill('url=/invoices skills=billing:4 for=20s\ncategory=premium priority=+5');
    await page.getByTestId('queue-save').click();
    await shows('notice', 'Queue billing-et saved.');
    const q = await queue('billing-et');
    expect(q).toMatchObject({
      skills: { billing: 2 }, language: 'et', strategy: 'most-skilled', serviceLevel: { thresholdSeconds: 15, target: 0.9 }, wrapUpSeconds: 5,
      maxWaitSeconds: 120, overflow: { action: 'voicemail' }, dispositions: ['Resolved', 'Sale'], dispositionRequired: true, recordCalls: true,
      knownAgentSeconds: 600, steps: [{ afterSeconds: 30, skills: { billing: 1 } }, { afterSeconds: 90, language: null }],
      pageRules: [{ when: { urlContains: '/invoices' }, skills: { billing: 4 }, forSeconds: 20 }, { when: { category: 'premium' }, priority: 5 }],
      announcements: { position: true, estimatedWait: false, periodicSeconds: 45, musicOnHold: 'jazz', greeting: ['all-agents-busy'] },
      openingHours: {
        timeZone: 'Europe/Tallinn',
        days: { ...Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ from: '08:00', to: '18:00' }]])), sat: [{ from: '10:00', to: '14:00' }] },
      },
    });
    await eventually(() => h.server.center!.acd.engine.hasQueue(String(q!.id)), 5_000, 'the queue in the ACD');
    // mari (billing 5, Estonian) serves it
    expect(h.server.center!.acd.engine.queueStatus(String(q!.id)).agentIds).toEqual([String((await agents()).find((a) => a.login === 'mari')!.id)]);
    await page.getByTestId('edit-billing-et').click();
    expect(await page.getByTestId('queue-wrap-up').inputValue()).toBe('5');
    expect(await page.getByTestId('queue-record-calls').isChecked()).toBe(true);
    expect(await page.getByTestId('queue-steps').inputValue()).toBe('30s skills=billing:1\n90s language=any');
    expect(await page.getByTestId('queue-page-rules').inputValue()).toBe('url=/invoices skills=billing:4 for=20s\ncategory=premium priority=5');
    expect(await page.getByTestId('queue-hours').inputValue()).toBe('mon-fri 08:00-18:00\nsat 10:00-14:00');
    // a time zone the server does not know is refused, naming the field
    await page.getByTestId('queue-hours-tz').fill('Mars/Olympus');
    await page.getByTestId('queue-save').click();
    await shows('error', 'body.openingHours.timeZone: unknown time zone "Mars/Olympus"');
    await page.getByTestId('queue-hours').fill('');
    await page.getByTestId('queue-wrap-up').fill('30');
    await page.getByTestId('queue-max-wait').fill('');
    await page.getByTestId('queue-overflow').selectOption('');
    await page.getByTestId('queue-save').click();
    await shows('notice', 'Queue billing-et saved.');
    expect(await queue('billing-et')).toMatchObject({
      wrapUpSeconds: 30, maxWaitSeconds: null, overflow: null, strategy: 'most-skilled', knownAgentSeconds: 600,
      steps: [{ afterSeconds: 30, skills: { billing: 1 } }, { afterSeconds: 90, language: null }], announcements: { musicOnHold: 'jazz', estimatedWait: false },
      openingHours: null,
    });

    // a skill still in use cannot be deleted: the server says why
    await page.getByTestId('tab-skills').click();
    await page.getByTestId('delete-billing').click();
    await shows('error', /still required/);
    await page.getByTestId('skill-billing').waitFor();

    // an account for a supervisor
    await page.getByTestId('tab-users').click();
    await page.getByTestId('user-login').fill('sue');
    await page.getByTestId('user-name').fill('Sue');
    await page.getByTestId('user-password').fill('sue-password-1');
    await page.getByTestId('user-save').click();
    await shows('notice', 'Supervisor sue created.');
    expect((await page.getByTestId('user-sue').locator('td').allTextContents()).slice(0, 4)).toEqual(['sue', 'Sue', 'supervisor', 'active']);
    const sue = await h.api('POST', '/api/login', { username: 'sue', password: 'sue-password-1' });
    expect(sue.body.role).toBe('supervisor');

    // deleting an agent
    await page.getByTestId('tab-agents').click();
    await page.getByTestId('delete-olga').click();
    await shows('notice', 'Agent olga deleted.');
    expect((await agents()).map((a) => a.login)).toEqual(['mari']);

    // the callback trunk, with the account the provider asks for: the password is never shown again
    await page.getByTestId('tab-callbacks').click();
    expect(await page.getByTestId('callbacks-source').textContent()).toMatch(/CALLBACK_\*/);
    await page.getByTestId('callbacks-trunk').fill('sip:1234@gw.example.net');
    await page.getByTestId('callbacks-save').click();
    await shows('error', /^body\.trunk: expected a SIP URI of the gateway without a user part/);
    await page.getByTestId('callbacks-trunk').fill('sip:gw.example.net:5060;transport=udp');
    await page.getByTestId('callbacks-username').fill('acme');
    await page.getByTestId('callbacks-password').fill('trunk-secret');
    await page.getByTestId('callbacks-attempts').fill('4');
    await page.getByTestId('callbacks-save').click();
    await shows('notice', 'Callbacks go through sip:gw.example.net:5060;transport=udp.');
    expect(await page.getByTestId('callbacks-password').inputValue()).toBe('');
    expect((await h.api('GET', '/api/settings/callbacks', undefined, h.admin)).body).toMatchObject({
      trunk: 'sip:gw.example.net:5060;transport=udp', attempts: 4, username: 'acme', passwordSet: true, source: 'database',
    });
    expect(h.server.center.callbacks.settings.auth).toEqual({ username: 'acme', password: 'trunk-secret' });
    // a public page now learns that this server calls back
    expect((await h.api('GET', '/api/public/queues/billing-et')).body).toMatchObject({ open: true, callbacks: true });
  }, 120_000);

  it("shows the audit log: the admin's change as the newest entry, their sign-ins below it, in pages, filtered", async () => {
    const cells = async (i: number) => page.getByTestId('audit-row').nth(i).locator('td').allTextContents();
    const actions = () => page.getByTestId('audit-row').locator('td:nth-child(4)').allTextContents();
    // a sign-in of its own (a wrong password first), whatever an earlier test left signed in
    await page.goto(`${h.baseUrl}/admin/`);
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${h.baseUrl}/admin/`);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await eventually(async () => (await page.getByTestId('login-error').textContent()) === 'wrong username or password', 10_000, 'the failed sign-in');
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('skill-name').fill('returns');
    await page.getByTestId('skill-description').fill('Parcels sent back');
    await page.getByTestId('skill-save').click();
    await shows('notice', 'Skill returns saved.');
    // (the log is written just after the answer went out)
    await eventually(async () => (await h.api('GET', '/api/audit?limit=1', undefined, h.admin)).body.items[0]?.path === '/api/skills', 5_000, 'the entry');

    await page.getByTestId('tab-audit').click();
    await eventually(async () => (await page.getByTestId('audit-row').count()) > 0, 10_000, 'the audit rows');
    const [time, who, address, action, result, details] = await cells(0);
    expect(time).toMatch(/^\d\d\.\d\d \d\d:\d\d:\d\d$/);
    expect([who, address, action, result, details]).toEqual(['admin (admin)', '127.0.0.1', 'created a skill', 'ok', 'name: returns, description: Parcels sent back']);
    const listed = await actions();
    const signedIn = listed.indexOf('signed in');
    expect(signedIn).toBeGreaterThan(0);
    expect((await cells(signedIn)).slice(1, 5)).toEqual(['admin', '127.0.0.1', 'signed in', 'ok']);
    expect((await cells(listed.indexOf('failed to sign in'))).slice(1, 5)).toEqual(['admin', '127.0.0.1', 'failed to sign in', '401: wrong username or password']);
    expect(listed.indexOf('failed to sign in')).toBeGreaterThan(signedIn);

    // 60 more changes: 50 a page, Next and Previous
    const id = ((await h.api('GET', '/api/skills?limit=500', undefined, h.admin)).body.items as Array<{ id: number; name: string }>).find((s) => s.name === 'returns')!.id;
    for (let i = 1; i <= 60; i++) expect((await h.api('PATCH', `/api/skills/${id}`, { description: `take ${i}` }, h.admin)).status).toBe(200);
    const all = await eventually(async () => {
      const newest = (await h.api('GET', '/api/audit?limit=1', undefined, h.admin)).body;
      return newest.items[0]?.detail?.description === 'take 60' ? (newest.total as number) : undefined;
    }, 5_000, 'the 60 entries');
    await page.getByTestId('audit-show').click();
    await eventually(async () => (await page.getByTestId('audit-count').textContent()) === `1–50 of ${all}`, 10_000, 'the first page');
    expect(await page.getByTestId('audit-row').count()).toBe(50);
    expect((await cells(0)).slice(3)).toEqual([`changed skill ${id}`, 'ok', 'description: take 60']);
    expect(await page.getByTestId('audit-prev').isDisabled()).toBe(true);
    await page.getByTestId('audit-next').click();
    await eventually(async () => (await page.getByTestId('audit-count').textContent()) === `51–${Math.min(100, all)} of ${all}`, 10_000, 'the second page');
    expect((await cells(0)).slice(3)).toEqual([`changed skill ${id}`, 'ok', 'description: take 10']);
    await page.getByTestId('audit-prev').click();
    await eventually(async () => (await page.getByTestId('audit-count').textContent()) === `1–50 of ${all}`, 10_000, 'the first page again');

    // filtered: the admin's sign-ins only, from the first page again
    await page.getByTestId('audit-next').click();
    await eventually(async () => (await page.getByTestId('audit-count').textContent())?.startsWith('51–'), 10_000, 'the second page');
    await page.getByTestId('audit-login').fill('admin');
    await page.getByTestId('audit-path').fill('/api/login');
    await page.getByTestId('audit-show').click();
    const logins = (await h.api('GET', '/api/audit?login=admin&path=/api/login', undefined, h.admin)).body.total as number;
    expect(logins).toBeGreaterThanOrEqual(2);
    await eventually(async () => (await page.getByTestId('audit-count').textContent()) === `1–${logins} of ${logins}`, 10_000, 'the sign-ins');
    expect(new Set(await actions())).toEqual(new Set(['signed in', 'failed to sign in']));
    // a filter the server refuses: its message, in the console's error area
    await page.getByTestId('audit-path').fill('api/login');
    await page.getByTestId('audit-show').click();
    await shows('error', /^querystring\.path /);
  }, 120_000);

  it('sets the webhook to a receiver, signed and with the events chosen, sends it a test, shows how delivery goes and turns it off', async () => {
    const SECRET = 'a-long-enough-webhook-secret';
    const got: Array<{ method: string; headers: IncomingHttpHeaders; body: string }> = [];
    let status = 204;
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        got.push({ method: req.method ?? '', headers: req.headers, body });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/callflow`;
    const webhook = async () => (await h.api('GET', '/api/settings/webhook', undefined, h.admin)).body;
    const events = (i: number) => (JSON.parse(got[i]!.body) as { events: Array<{ event: string }> }).events;
    const result = (want: RegExp) => eventually(async () => want.test((await page.getByTestId('webhook-test-result').textContent()) ?? ''), 10_000, `test result ${want}`);
    try {
      await page.goto(`${h.baseUrl}/admin/`);
      await signInAsAdmin();
      await page.getByTestId('tab-webhook').click();
      await eventually(async () => (await page.getByTestId('webhook-stats').textContent()) === 'delivered 0 · failures 0 · pending 0 · dropped 0', 10_000, 'the figures');
      expect(await page.getByTestId('webhook-all-events').isChecked()).toBe(true);
      expect(await page.getByTestId('webhook-no-secret').isChecked()).toBe(true);

      // a URL with credentials in it is refused by the server, naming the field
      await page.getByTestId('webhook-url').fill('http://user:pw@127.0.0.1/hooks');
      await page.getByTestId('webhook-save').click();
      await shows('error', /^body\.url: /);
      // signed, and only agents' logins
      await page.getByTestId('webhook-url').fill(url);
      await page.getByTestId('webhook-no-secret').uncheck();
      await page.getByTestId('webhook-secret').fill(SECRET);
      await page.getByTestId('webhook-all-events').uncheck();
      await page.getByTestId('webhook-events').getByLabel('AGENTLOGIN').check();
      await page.getByTestId('webhook-save').click();
      await shows('notice', 'Webhook saved.');
      expect(await webhook()).toMatchObject({ url, secretSet: true, events: ['AGENTLOGIN'] });
      expect(await page.getByTestId('webhook-secret').inputValue()).toBe('');
      expect(await page.getByTestId('webhook-secret').getAttribute('placeholder')).toBe('(unchanged)');

      // the test: a PING the receiver answers, signed with the secret
      await page.getByTestId('webhook-test').click();
      await result(/^Receiver answered 204 in \d+ ms$/);
      expect(got).toHaveLength(1);
      expect(got[0]!.method).toBe('POST');
      expect(JSON.parse(got[0]!.body)).toMatchObject({ events: [{ event: 'PING' }] });
      const { headers, body } = got[0]!;
      expect(headers['x-callflow-signature']).toBe(`sha256=${webhookSignature(SECRET, String(headers['x-callflow-timestamp']), body)}`);
      status = 503;
      await page.getByTestId('webhook-test').click();
      await result(/^Failed: HTTP 503$/);
      status = 204;

      // an agent logging in is delivered; the figures show it when the section opens again
      const wendy = await createAgent(h, { login: 'wendy', name: 'Wendy', languages: { en: 5 }, skills: {} });
      const token = await h.login('wendy', wendy.password);
      await eventually(async () => (await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'lunch' }, token)).status === 200, 5_000, 'wendy logged in');
      await eventually(() => got.length === 3, 10_000, 'the delivery');
      expect(events(2).map((e) => e.event)).toEqual(['AGENTLOGIN']);
      await page.getByTestId('tab-skills').click();
      await page.getByTestId('tab-webhook').click();
      await eventually(async () => (await page.getByTestId('webhook-stats').textContent()) === 'delivered 1 · failures 0 · pending 0 · dropped 0', 10_000, 'the delivery counted');

      // saved again with the secret left empty: it stays; all events again
      await page.getByTestId('webhook-all-events').check();
      await page.getByTestId('webhook-save').click();
      await shows('notice', 'Webhook saved.');
      expect(await webhook()).toMatchObject({ url, secretSet: true, events: null });

      // off: nothing to test any more
      await page.getByTestId('webhook-off').click();
      await shows('notice', 'Webhook turned off.');
      expect(await webhook()).toMatchObject({ url: null });
      expect(await page.getByTestId('webhook-url').inputValue()).toBe('');
      await page.getByTestId('webhook-test').click();
      await shows('error', /no webhook URL is set/);
      expect(got).toHaveLength(3);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  }, 120_000);

  it("erases a customer by phone number on the Customers tab only once confirmed, and shows the server's message for a number that is not one", async () => {
    const erasures = async () => (await h.api('GET', '/api/audit?path=/api/customers/erase', undefined, h.admin)).body.items as Array<{ status: number; detail: unknown }>;
    await page.goto(`${h.baseUrl}/admin/`);
    await signInAsAdmin();
    await page.getByTestId('tab-customers').click();

    // not confirmed: nothing is asked of the server
    await page.getByTestId('erase-kind').selectOption('number');
    await page.getByTestId('erase-value').fill('+372 555 0199');
    await page.getByTestId('erase-submit').click();
    await shows('error', 'Tick "I understand this cannot be undone" to erase the customer.');
    // a number that never called: nothing to erase, all said
    await page.getByTestId('erase-confirm').check();
    await page.getByTestId('erase-submit').click();
    await eventually(async () => (await page.getByTestId('erase-result').textContent()) === 'Erased: 0 calls, 0 notes, 0 recordings, 0 voicemails, 0 callbacks', 10_000, 'the erasure');
    expect(await page.getByTestId('error').isVisible()).toBe(false);
    // (the form is emptied: the next customer is confirmed anew)
    expect(await page.getByTestId('erase-confirm').isChecked()).toBe(false);
    expect(await page.getByTestId('erase-value').inputValue()).toBe('');
    await eventually(async () => (await erasures()).length === 1, 5_000, 'the audit entry');
    expect((await erasures())[0]).toMatchObject({ status: 200, detail: { number: '+372 555 0199' } });

    // not a phone number: the server's message, in the console's error area
    await page.getByTestId('erase-value').fill('call me');
    await page.getByTestId('erase-confirm').check();
    await page.getByTestId('erase-submit').click();
    await shows('error', 'body.number: not a phone number (digits, optionally a leading +, 4 to 20 of them)');
    expect(await page.getByTestId('erase-result').textContent()).toBe('');
  }, 120_000);
});
