import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { toneWav } from '../media/helpers/audio.ts';
import { type Harness, consoleBrowser, consoleShows, signInConsole, startCallCenter } from './support/harness.ts';

/** The IVR menus section of the admin console in Chromium against the real server: what it saves is what the API holds. */
describe('admin console: IVR menus', () => {
  let h: Harness;
  let browser: Awaited<ReturnType<typeof consoleBrowser>>;
  let page: Page;

  const shows = (testId: 'notice' | 'error', want: string | RegExp) => consoleShows(page, testId, want);
  const menus = async () => (await h.api('GET', '/api/ivr-menus', undefined, h.admin)).body.items as Array<Record<string, unknown>>;
  /** A menu as the API gives it, without its timestamps. */
  const menu = async (name: string) => {
    const found = (await menus()).find((m) => m.name === name);
    if (found === undefined) return undefined;
    const { createdAt: _c, updatedAt: _u, ...rest } = found;
    return rest;
  };

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 45700, rtpPortMax: 45799 });
    browser = await consoleBrowser();
    page = browser.page;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('lets the admin create a menu that names queues, edit it and delete it, and shows what is wrong with a menu', async () => {
    await signInConsole(page, h);
    // queues made elsewhere while the console is open: the menus section knows them when it is opened
    const sales = await h.api('POST', '/api/queues', { name: 'sales' }, h.admin);
    const support = await h.api('POST', '/api/queues', { name: 'support', language: 'et' }, h.admin);
    expect([sales.status, support.status]).toEqual([201, 201]);
    const salesId = sales.body.id as number;
    const supportId = support.body.id as number;
    await page.getByTestId('tab-ivr').click();

    // an option naming a queue that does not exist is refused before anything is sent, naming the line
    await page.getByTestId('ivr-name').fill('main');
    await page.getByTestId('ivr-prompt').fill('en: For sales press 1. For support in Estonian press 2.\net: Müük: vajutage 1. Tugi: vajutage 2.');
    // Listen: the line the cursor is on, spoken as callers will hear it (the Estonian one, a few seconds of audio)
    await page.getByTestId('ivr-prompt').evaluate((t: HTMLTextAreaElement) => t.setSelectionRange(t.value.length, t.value.length));
    await page.getByTestId('ivr-prompt-listen').click();
    const audio = page.getByTestId('ivr-listen-audio');
    const seconds = async () => audio.evaluate((a: HTMLAudioElement) => (a.src.startsWith('blob:') && a.readyState >= 1 ? a.duration : 0));
    await expect.poll(seconds, { timeout: 10_000 }).toBeGreaterThan(1.5);
    await page.getByTestId('ivr-closed-prompt').fill('zz: Hello.');
    await page.getByTestId('ivr-closed-prompt-listen').click();
    await shows('error', 'body.language: no voice speaks "zz"');
    // "@<name>" plays an admin's recording of that name (here 5 s of tone, longer than any line above)
    const up = await fetch(`${h.baseUrl}/api/prompts/en/closed-tone`, { method: 'PUT', headers: { authorization: `Bearer ${h.admin}`, 'content-type': 'audio/wav' }, body: new Uint8Array(toneWav(440, 5)) });
    expect(up.status).toBe(204);
    await page.getByTestId('ivr-closed-prompt').fill('en: @closed-tone');
    await page.getByTestId('ivr-closed-prompt-listen').click();
    await expect.poll(seconds, { timeout: 10_000 }).toBeGreaterThan(4.9);
    await page.getByTestId('ivr-options').fill('1 sales queue:sales\n2 support in Estonian lang:et queue:suport\n9 goodbye hangup');
    await page.getByTestId('ivr-timeout').fill('7');
    await page.getByTestId('ivr-attempts').fill('2');
    await page.getByTestId('ivr-default-action').fill('queue:support');
    await page.getByTestId('ivr-hours').fill('mon-fri 08:00-18:00');
    await page.getByTestId('ivr-hours-tz').fill('Europe/Tallinn');
    await page.getByTestId('ivr-closed-prompt').fill('en: We are closed.');
    await page.getByTestId('ivr-closed-action').fill('hangup');
    await page.getByTestId('ivr-save').click();
    await shows('error', 'options, line 2: there is no queue suport');
    await page.getByTestId('ivr-options').fill('1 sales queue:sales\n2 support in Estonian lang:et queue:support\n9');
    await page.getByTestId('ivr-save').click();
    await shows('error', 'options, line 3: say what key 9 does (queue:<name>, menu:<name>, voicemail:<queue name> or hangup), e.g. "9 sales queue:sales"');
    expect(await menus()).toEqual([]);

    // saved: the API holds exactly that menu, the queues by their ids
    await page.getByTestId('ivr-options').fill('1 sales queue:sales\n2 support in Estonian lang:et queue:support\n9 goodbye hangup');
    await page.getByTestId('ivr-save').click();
    await shows('notice', 'Menu main saved.');
    const saved = await menu('main');
    expect(saved).toEqual({
      id: expect.any(Number),
      name: 'main',
      language: 'en',
      prompt: { en: 'For sales press 1. For support in Estonian press 2.', et: 'Müük: vajutage 1. Tugi: vajutage 2.' },
      options: [
        { digit: '1', label: 'sales', language: null, action: { type: 'queue', queueId: salesId } },
        { digit: '2', label: 'support in Estonian', language: 'et', action: { type: 'queue', queueId: supportId } },
        { digit: '9', label: 'goodbye', language: null, action: { type: 'hangup' } },
      ],
      timeoutSeconds: 7,
      maxAttempts: 2,
      defaultAction: { type: 'queue', queueId: supportId },
      openingHours: { timeZone: 'Europe/Tallinn', days: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ from: '08:00', to: '18:00' }]])) },
      closedPrompt: { en: 'We are closed.' },
      closedAction: { type: 'hangup' },
    });
    const row = page.getByTestId('ivr-main');
    expect(await row.locator('td').allTextContents()).toEqual(['main', 'en', '3', 'mon-fri 08:00-18:00 (Europe/Tallinn)', 'Edit Delete']);
    // the form is empty again for the next menu
    expect(await page.getByTestId('ivr-options').inputValue()).toBe('');
    expect(await page.getByTestId('ivr-timeout').inputValue()).toBe('5');

    // edited: the form shows the menu with the queues' names; one option changed, always open from now on
    await row.getByTestId('edit-main').click();
    expect(await page.getByTestId('ivr-options').inputValue()).toBe('1 sales queue:sales\n2 support in Estonian lang:et queue:support\n9 goodbye hangup');
    expect(await page.getByTestId('ivr-default-action').inputValue()).toBe('queue:support');
    expect(await page.getByTestId('ivr-closed-action').inputValue()).toBe('hangup');
    expect(await page.getByTestId('ivr-prompt').inputValue()).toBe('en: For sales press 1. For support in Estonian press 2.\net: Müük: vajutage 1. Tugi: vajutage 2.');
    expect(await page.getByTestId('ivr-hours').inputValue()).toBe('mon-fri 08:00-18:00');
    await page.getByTestId('ivr-options').fill('1 sales queue:sales\n2 sales in Estonian lang:et queue:sales\n9 goodbye hangup');
    await page.getByTestId('ivr-hours').fill('');
    await page.getByTestId('ivr-default-action').fill('');
    await page.getByTestId('ivr-save').click();
    await shows('notice', 'Menu main saved.');
    expect(await menu('main')).toEqual({
      ...saved,
      options: [
        { digit: '1', label: 'sales', language: null, action: { type: 'queue', queueId: salesId } },
        { digit: '2', label: 'sales in Estonian', language: 'et', action: { type: 'queue', queueId: salesId } },
        { digit: '9', label: 'goodbye', language: null, action: { type: 'hangup' } },
      ],
      defaultAction: null,
      openingHours: null,
    });
    expect(await page.getByTestId('ivr-main').locator('td').allTextContents()).toEqual(['main', 'en', '3', 'always open', 'Edit Delete']);

    // the server's refusals are shown as it words them: a queue's name (409), a queue that is not there (422: the
    // console writes one it does not know by its id), a prompt without the menu's language
    const clash = { name: 'support', language: 'en', prompt: { en: 'Hello.' }, options: [{ digit: '1', label: 'sales', language: null, action: { type: 'queue', queueId: salesId } }] };
    const refused = await h.api('POST', '/api/ivr-menus', clash, h.admin);
    expect(refused.status).toBe(409);
    await page.getByTestId('ivr-name').fill('support');
    await page.getByTestId('ivr-prompt').fill('en: Hello.');
    await page.getByTestId('ivr-options').fill('1 sales queue:sales');
    await page.getByTestId('ivr-save').click();
    await shows('error', refused.body.message as string);
    const gone = await h.api('POST', '/api/ivr-menus', { ...clash, name: 'evening', options: [{ ...clash.options[0], action: { type: 'queue', queueId: 999 } }] }, h.admin);
    expect(gone.status).toBe(422);
    expect(gone.body.message).toMatch(/^body\.options\[0\]\.action\.queueId/);
    await page.getByTestId('ivr-name').fill('evening');
    await page.getByTestId('ivr-options').fill('1 sales queue:#999');
    await page.getByTestId('ivr-save').click();
    await shows('error', gone.body.message as string);
    const unspoken = await h.api('POST', '/api/ivr-menus', { ...clash, name: 'evening', language: 'et' }, h.admin);
    expect(unspoken.body.message).toMatch(/^body\.prompt/);
    await page.getByTestId('ivr-cancel').click();
    await page.getByTestId('ivr-name').fill('evening');
    await page.getByTestId('ivr-language').fill('et');
    await page.getByTestId('ivr-prompt').fill('en: Hello.');
    await page.getByTestId('ivr-options').fill('1 sales queue:sales');
    await page.getByTestId('ivr-save').click();
    await shows('error', unspoken.body.message as string);
    expect((await menus()).map((m) => m.name)).toEqual(['main']);

    // deleted
    await page.getByTestId('ivr-main').getByTestId('delete-main').click();
    await shows('notice', 'Menu main deleted.');
    expect(await menus()).toEqual([]);
    expect(await page.getByTestId('ivr-main').count()).toBe(0);
  }, 120_000);
});
