import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { formatPrefixes, parsePrefixes } from '../../web-softphone/admin/callbacks.ts';
import type { CannedResponse, RecordedRequest, StandIn } from '../support/web-stand-in.ts';
import { pageWithStandIn } from './browser.ts';

// The Callbacks tab of the admin console: the prefixes' text (in Node), and the form in the built page against the
// labelled stand-in (test/support/web-stand-in.ts); the real server's rules (what a prefix is, agents' calls through
// the trunk) are its own tests'.

describe("the prefixes agents may dial, as the admin types them", () => {
  it('splits on commas and spaces, drops empty items, and writes the list back the same way', () => {
    expect(parsePrefixes(' +372, +49  +358,,\n3725 ')).toEqual(['+372', '+49', '+358', '3725']);
    expect(parsePrefixes('')).toEqual([]);
    expect(parsePrefixes(' , ')).toEqual([]);
    expect(formatPrefixes(['+372', '+49'])).toBe('+372, +49');
    expect(formatPrefixes([])).toBe('');
    expect(parsePrefixes(formatPrefixes(['+372', '+49']))).toEqual(['+372', '+49']);
  });

  it("leaves whether an item is a prefix to the server", () => {
    expect(parsePrefixes('+372, x')).toEqual(['+372', 'x']);
  });
});

describe('the Callbacks tab of the admin console', () => {
  let server: StandIn;
  let page: Page;
  pageWithStandIn((t) => ({ server, page } = t));

  const text = (id: string): Promise<string | null> => page.getByTestId(id).textContent();
  const value = (id: string): Promise<string> => page.getByTestId(id).inputValue();
  const puts = (): RecordedRequest[] => server.requests.filter((r) => r.method === 'PUT' && r.path === '/api/settings/callbacks');
  const SETTINGS = {
    trunk: 'sip:gw.example.net:5060;transport=udp', callerId: '+3726001234', dialSeconds: 30, retrySeconds: 300, attempts: 3,
    username: null, passwordSet: false, agentCalls: true, allowedPrefixes: ['+372', '+49'], source: 'database',
  };
  let answers: CannedResponse[];

  beforeEach(() => {
    for (const path of ['/api/skills', '/api/agents', '/api/queues', '/api/ivr-menus', '/api/prompts', '/api/users']) server.route(`GET ${path}`, () => ({ status: 200, body: { items: [] } }));
    server.route('GET /api/settings/callbacks', () => ({ status: 200, body: SETTINGS }));
    // (as the server: the settings saved come back, else the refusal queued in `answers`)
    answers = [];
    server.route('PUT /api/settings/callbacks', (req) => answers.shift() ?? { status: 200, body: { ...SETTINGS, ...(req.body as object), source: 'database' } });
  });

  async function openTab(): Promise<void> {
    await page.goto(`${server.origin}/admin/`);
    await page.evaluate(() => sessionStorage.setItem('callflow.admin.token', 'admin-token'));
    await page.reload();
    await page.getByTestId('tab-callbacks').click();
    await expect.poll(() => value('callbacks-caller-id')).toBe('+3726001234');
  }

  it('shows whether agents may dial and the prefixes they may dial, loaded with the rest', async () => {
    await openTab();
    expect(await page.getByTestId('callbacks-agent-calls').isChecked()).toBe(true);
    expect(await value('callbacks-prefixes')).toBe('+372, +49');
    expect(await value('callbacks-trunk')).toBe('sip:gw.example.net:5060;transport=udp');
    // (the labels and the hint the admin reads)
    expect(await page.getByLabel('Agents may dial phone numbers (from their desk phone or the browser softphone)').isChecked()).toBe(true);
    expect(await page.getByLabel('Allowed prefixes').inputValue()).toBe('+372, +49');
    const hint = await page.getByTestId('callbacks-prefixes').getAttribute('aria-describedby');
    expect(await page.locator(`#${hint}`).textContent()).toBe('Numbers agents dial must start with one of these; empty: any number. Keep the list short (toll fraud).');
    expect(await page.getByTestId('error').isVisible()).toBe(false);
  });

  it('shows no agent calls and any number allowed when the server says nothing of them (an older server)', async () => {
    server.route('GET /api/settings/callbacks', () => ({ status: 200, body: { ...SETTINGS, agentCalls: undefined, allowedPrefixes: undefined } }));
    await openTab();
    expect(await page.getByTestId('callbacks-agent-calls').isChecked()).toBe(false);
    expect(await value('callbacks-prefixes')).toBe('');
  });

  it('sends agentCalls and the prefixes as a list with the rest on Save, and shows what the server saved', async () => {
    await openTab();
    await page.getByTestId('callbacks-agent-calls').uncheck();
    await page.getByTestId('callbacks-prefixes').fill(' +372,+358  49 ,, ');
    await page.getByTestId('callbacks-save').click();
    await expect.poll(() => text('notice')).toBe('Callbacks go through sip:gw.example.net:5060;transport=udp.');
    expect(puts().map((r) => [r.body, r.headers.authorization])).toEqual([[{
      trunk: 'sip:gw.example.net:5060;transport=udp', callerId: '+3726001234', dialSeconds: 30, retrySeconds: 300, attempts: 3, username: null,
      agentCalls: false, allowedPrefixes: ['+372', '+358', '49'],
    }, 'Bearer admin-token']]);
    // (the form shows the server's answer: the list written back in its own way)
    expect(await value('callbacks-prefixes')).toBe('+372, +358, 49');
    expect(await page.getByTestId('callbacks-agent-calls').isChecked()).toBe(false);

    // (ticked again and the list emptied: any number)
    await page.getByTestId('callbacks-agent-calls').check();
    await page.getByTestId('callbacks-prefixes').fill('  ');
    await page.getByTestId('callbacks-save').click();
    await expect.poll(() => puts().length).toBe(2);
    expect(puts()[1]!.body).toMatchObject({ agentCalls: true, allowedPrefixes: [] });
    await expect.poll(() => value('callbacks-prefixes')).toBe('');
    expect(await page.getByTestId('error').isVisible()).toBe(false);
  });

  it("shows the server's refusal of a prefix in its words and keeps what was typed", async () => {
    await openTab();
    answers.push({
      status: 400,
      body: { statusCode: 400, code: 'ERR_VALIDATION', error: 'Bad Request', message: 'body.allowedPrefixes[1]: expected a dialling prefix like +372, got "x"', field: 'body.allowedPrefixes' },
    });
    await page.getByTestId('callbacks-prefixes').fill('+372, x');
    await page.getByTestId('callbacks-save').click();
    await expect.poll(() => text('error')).toBe('body.allowedPrefixes[1]: expected a dialling prefix like +372, got "x"');
    expect(await page.getByTestId('notice').isVisible()).toBe(false);
    expect(puts().map((r) => (r.body as { allowedPrefixes: unknown }).allowedPrefixes)).toEqual([['+372', 'x']]);
    expect(await value('callbacks-prefixes')).toBe('+372, x');
    expect(await page.getByTestId('callbacks-agent-calls').isChecked()).toBe(true);
  });
});
