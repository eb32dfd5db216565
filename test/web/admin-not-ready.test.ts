import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_NOT_READY_REASONS, moveRow, reasonRows, reasonsBody, reasonsSourceText, systemReasonsText } from '../../web-softphone/admin/not-ready.ts';
import { DEFAULT_NOT_READY_REASONS, parseNotReadyReasons, reasonLabel } from '../../web-softphone/shared/not-ready-reasons.ts';
import type { RecordedRequest, StandIn } from '../support/web-stand-in.ts';
import { pageWithStandIn } from './browser.ts';

// The agents' not-ready reasons in the admin console: the list's rows and the body it sends (in Node), and the tab in the
// built page against the labelled stand-in (test/support/web-stand-in.ts); the real server's rules (the code's form,
// repeats, its own reasons) are driven by the end-to-end tests.

const SYSTEM = { 'not-ready': 'Not ready', login: 'Just logged in', 'missed-offers': 'Missed offers', supervisor: 'Set by a supervisor' };

describe("the not-ready reasons' list", () => {
  it('reads the server\'s answer, dropping items without a code and naming one without a label by its code', () => {
    expect(parseNotReadyReasons({ items: DEFAULT_NOT_READY_REASONS, system: SYSTEM, source: 'default' })).toEqual({
      items: DEFAULT_NOT_READY_REASONS, system: SYSTEM, source: 'default',
    });
    expect(parseNotReadyReasons({ items: [{ code: 'coffee', maxMinutes: 10 }, { label: 'no code' }, null, { code: 'x', label: 'X', maxMinutes: 'soon' }], source: 'database' })).toEqual({
      items: [{ code: 'coffee', label: 'coffee', maxMinutes: 10 }, { code: 'x', label: 'X', maxMinutes: null }], system: {}, source: 'database',
    });
    expect(parseNotReadyReasons(null)).toEqual({ items: [], system: {}, source: 'default' });
  });

  it("words a code by the admin's label, the server's own reason's, else as it is", () => {
    const reasons = { items: [{ code: 'coffee', label: 'Coffee break', maxMinutes: 10 }], system: SYSTEM };
    expect(reasonLabel('coffee', reasons)).toBe('Coffee break');
    expect(reasonLabel('login', reasons)).toBe('Just logged in');
    expect(reasonLabel('gone', reasons)).toBe('gone');
  });

  it('fills the rows with the max minutes empty for no limit, and sends them back trimmed, in their order, empty as null', () => {
    const rows = reasonRows(DEFAULT_NOT_READY_REASONS);
    expect(rows).toEqual([
      { code: 'break', label: 'Break', maxMinutes: '15' },
      { code: 'lunch', label: 'Lunch', maxMinutes: '60' },
      { code: 'training', label: 'Training', maxMinutes: '' },
      { code: 'other', label: 'Other', maxMinutes: '' },
    ]);
    expect(reasonsBody(rows)).toEqual({ items: DEFAULT_NOT_READY_REASONS });
    expect(reasonsBody([{ code: ' coffee ', label: ' Coffee break ', maxMinutes: ' 10 ' }, { code: 'meeting', label: 'Team meeting', maxMinutes: '  ' }])).toEqual({
      items: [{ code: 'coffee', label: 'Coffee break', maxMinutes: 10 }, { code: 'meeting', label: 'Team meeting', maxMinutes: null }],
    });
  });

  it('names the row and what is missing; the codes themselves are the server\'s to judge', () => {
    expect(() => reasonsBody([])).toThrow('Not-ready reasons: add at least one (agents need a reason to go not ready)');
    const row = { code: 'x', label: 'X', maxMinutes: '' };
    expect(() => reasonsBody(Array.from({ length: MAX_NOT_READY_REASONS + 1 }, () => row))).toThrow('Not-ready reasons: at most 30');
    expect(() => reasonsBody([row, { code: ' ', label: 'Coffee', maxMinutes: '' }])).toThrow('reason 2: code required, e.g. coffee (lower-case letters, digits, dashes)');
    expect(() => reasonsBody([{ code: 'coffee', label: '', maxMinutes: '' }])).toThrow('reason 1 (coffee): label required, e.g. Coffee break');
    expect(() => reasonsBody([{ code: 'coffee', label: 'Coffee', maxMinutes: '1.5' }])).toThrow('reason 1 (coffee): max minutes: "1.5" is not a whole number');
    expect(reasonsBody([{ code: 'Login', label: 'L', maxMinutes: '0' }, { code: 'Login', label: 'L', maxMinutes: '9999' }]).items).toHaveLength(2);
  });

  it('moves a row up or down, and leaves the rows as they are at either end', () => {
    expect(moveRow(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveRow(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveRow(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveRow(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });

  it("says where the list comes from and which codes are the server's own", () => {
    expect(reasonsSourceText('database')).toBe('Set here.');
    expect(reasonsSourceText('default')).toBe("The server's defaults until saved here.");
    expect(systemReasonsText(SYSTEM)).toBe(
      "The server's own reasons (not codes for this list): not-ready (Not ready), login (Just logged in), missed-offers (Missed offers), supervisor (Set by a supervisor).",
    );
    expect(systemReasonsText({})).toBe('');
  });
});

describe('the Not-ready reasons tab of the admin console', () => {
  let server: StandIn;
  let page: Page;
  pageWithStandIn((t) => ({ server, page } = t));

  const text = (id: string): Promise<string | null> => page.getByTestId(id).textContent();
  const puts = (): RecordedRequest[] => server.requests.filter((r) => r.method === 'PUT' && r.path === '/api/not-ready-reasons');
  const reads = (): RecordedRequest[] => server.requests.filter((r) => r.method === 'GET' && r.path === '/api/not-ready-reasons');
  const rows = () => page.getByTestId('not-ready-row');
  const row = (i: number) => rows().nth(i);
  /** every row's code, label and max minutes as shown */
  const shown = () =>
    page.getByTestId('not-ready-row').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('input')].map((i) => i.value)),
    );
  let answers: Array<{ status: number; body: unknown }>;

  beforeEach(() => {
    for (const path of ['/api/skills', '/api/agents', '/api/queues', '/api/ivr-menus', '/api/prompts', '/api/users']) server.route(`GET ${path}`, () => ({ status: 200, body: { items: [] } }));
    server.route('GET /api/settings/callbacks', () => ({
      status: 200,
      body: { trunk: null, callerId: 'callflow', dialSeconds: 30, retrySeconds: 300, attempts: 3, username: null, passwordSet: false, source: 'environment' },
    }));
    server.route('GET /api/not-ready-reasons', () => ({ status: 200, body: { items: DEFAULT_NOT_READY_REASONS, system: SYSTEM, source: 'default' } }));
    // (as the server: the list saved comes back, else the refusal queued in `answers`)
    answers = [];
    server.route('PUT /api/not-ready-reasons', (req) => answers.shift() ?? { status: 200, body: { ...(req.body as object), system: SYSTEM, source: 'database' } });
  });

  async function openTab(): Promise<void> {
    await page.goto(`${server.origin}/admin/`);
    await page.evaluate(() => sessionStorage.setItem('callflow.admin.token', 'admin-token'));
    await page.reload();
    await page.getByTestId('tab-skills').waitFor({ state: 'visible' });
    // (read when the tab opens, not with the console)
    expect(reads()).toHaveLength(0);
    await page.getByTestId('tab-not-ready').click();
    await expect.poll(() => rows().count()).toBe(4);
  }

  it('lists the reasons in their order, where the list comes from and the server\'s own codes, read with the admin\'s token', async () => {
    await openTab();
    expect(await shown()).toEqual([['break', 'Break', '15'], ['lunch', 'Lunch', '60'], ['training', 'Training', ''], ['other', 'Other', '']]);
    expect(reads().map((r) => r.headers.authorization)).toEqual(['Bearer admin-token']);
    expect(await text('not-ready-source')).toBe("The server's defaults until saved here.");
    expect(await text('not-ready-system')).toContain('login (Just logged in)');
    expect(await page.getByTestId('tab-not-ready').getAttribute('aria-pressed')).toBe('true');
    // (the first row cannot go up, the last not down)
    expect(await row(0).getByTestId('not-ready-up').isDisabled()).toBe(true);
    expect(await row(0).getByTestId('not-ready-down').isEnabled()).toBe(true);
    expect(await row(3).getByTestId('not-ready-down').isDisabled()).toBe(true);
    expect(await row(1).getByTestId('not-ready-label').getAttribute('aria-label')).toBe('Label of reason 2');
    expect(await page.getByTestId('error').isVisible()).toBe(false);
  });

  it('edits, adds, moves and removes rows, then PUTs the whole list in its order and says so', async () => {
    await openTab();
    await row(0).getByTestId('not-ready-label').fill('Short break');
    await row(0).getByTestId('not-ready-max').fill('10');
    await page.getByTestId('not-ready-add').click();
    await expect.poll(() => rows().count()).toBe(5);
    // (the keyboard is on the new row's code)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('not-ready-code');
    await row(4).getByTestId('not-ready-code').fill('coffee');
    await row(4).getByTestId('not-ready-label').fill('Coffee');
    await row(4).getByTestId('not-ready-up').click();
    await row(3).getByTestId('not-ready-up').click();
    expect(await shown()).toEqual([['break', 'Short break', '10'], ['lunch', 'Lunch', '60'], ['coffee', 'Coffee', ''], ['training', 'Training', ''], ['other', 'Other', '']]);
    await row(3).getByTestId('not-ready-remove').click();
    await row(0).getByTestId('not-ready-down').click();
    expect(await shown()).toEqual([['lunch', 'Lunch', '60'], ['break', 'Short break', '10'], ['coffee', 'Coffee', ''], ['other', 'Other', '']]);
    expect(puts()).toHaveLength(0);

    await page.getByTestId('not-ready-save').click();
    await expect.poll(() => text('notice')).toBe('Not-ready reasons saved: Lunch, Short break, Coffee, Other.');
    expect(puts().map((r) => [r.body, r.headers.authorization])).toEqual([[{
      items: [
        { code: 'lunch', label: 'Lunch', maxMinutes: 60 },
        { code: 'break', label: 'Short break', maxMinutes: 10 },
        { code: 'coffee', label: 'Coffee', maxMinutes: null },
        { code: 'other', label: 'Other', maxMinutes: null },
      ],
    }, 'Bearer admin-token']]);
    expect(await text('not-ready-source')).toBe('Set here.');
    expect(await shown()).toEqual([['lunch', 'Lunch', '60'], ['break', 'Short break', '10'], ['coffee', 'Coffee', ''], ['other', 'Other', '']]);
    expect(await page.getByTestId('error').isVisible()).toBe(false);
  });

  it("shows the server's refusal in its words and keeps what was typed; a row it cannot send is named before asking", async () => {
    await openTab();
    answers.push({
      status: 400,
      body: { statusCode: 400, code: 'ERR_VALIDATION', message: 'body.items[1].code: "login" is the server\'s own (Just logged in): choose another code', field: 'body.items' },
    });
    await row(1).getByTestId('not-ready-code').fill('login');
    await page.getByTestId('not-ready-save').click();
    await expect.poll(() => text('error')).toBe('body.items[1].code: "login" is the server\'s own (Just logged in): choose another code');
    expect(await page.getByTestId('notice').isVisible()).toBe(false);
    expect(await row(1).getByTestId('not-ready-code').inputValue()).toBe('login');
    expect(puts()).toHaveLength(1);

    await row(1).getByTestId('not-ready-code').fill('lunch');
    await row(2).getByTestId('not-ready-max').fill('an hour');
    await page.getByTestId('not-ready-save').click();
    await expect.poll(() => text('error')).toBe('reason 3 (training): max minutes: "an hour" is not a whole number');
    for (const i of [3, 2, 1, 0]) await row(i).getByTestId('not-ready-remove').click();
    await page.getByTestId('not-ready-save').click();
    await expect.poll(() => text('error')).toBe('Not-ready reasons: add at least one (agents need a reason to go not ready)');
    expect(puts()).toHaveLength(1);
  });
});
