import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { toneWav } from '../media/helpers/audio.ts';
import { type Harness, consoleBrowser, consoleShows, signInConsole, startCallCenter } from './support/harness.ts';

/** The Recordings section of the admin console in Chromium against the real server: what it uploads is what callers hear. */
describe('admin console: recordings', () => {
  let h: Harness;
  let browser: Awaited<ReturnType<typeof consoleBrowser>>;
  let page: Page;
  let dir: string;

  const shows = (testId: 'notice' | 'error', want: string | RegExp) => consoleShows(page, testId, want);
  const prompt = async (language: string, name: string) =>
    ((await h.api('GET', '/api/prompts', undefined, h.admin)).body.items as Array<Record<string, unknown>>).find((p) => p.language === language && p.name === name);
  const cells = (key: string) => page.getByTestId(`prompt-${key}`).locator('td').allTextContents();

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 46400, rtpPortMax: 46499 });
    browser = await consoleBrowser();
    page = browser.page;
    dir = mkdtempSync(path.join(os.tmpdir(), 'callflow-admin-prompts-'));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the prompts, uploads a recording that then plays, shows what is wrong with a file, and deletes it', async () => {
    await signInConsole(page, h);
    await page.getByTestId('tab-prompts').click();

    // the shipped prompts, by language
    expect(await prompt('en', 'all-agents-busy')).toEqual({ name: 'all-agents-busy', language: 'en', shipped: true, custom: false });
    expect(await cells('en/all-agents-busy')).toEqual(['all-agents-busy', 'en', 'shipped', 'Play']);
    expect(await page.getByTestId('prompt-et/n/3').locator('td').allTextContents()).toEqual(['n/3', 'et', 'shipped', 'Play']);
    expect(await page.getByTestId('delete-en/all-agents-busy').count()).toBe(0);
    expect(await page.getByTestId('prompt-language').inputValue()).toBe('en');
    const known = await page.locator('#prompt-names option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(known).toEqual(expect.arrayContaining(['all-agents-busy', 'music-on-hold', 'n/3']));
    // Play: what callers hear now (the shipped speech), fetched with the admin's token into the page's audio element
    const audio = page.getByTestId('prompt-audio');
    const seconds = async () => audio.evaluate((a: HTMLAudioElement) => (a.src.startsWith('blob:') && a.readyState >= 1 ? a.duration : 0));
    await page.getByTestId('play-en/all-agents-busy').click();
    await expect.poll(seconds, { timeout: 10_000 }).toBeGreaterThan(0);
    const speech = await seconds();
    expect(Math.abs(speech - 2)).toBeGreaterThan(0.2); // (told apart from the recording below by its length)

    // a recording of it (2 s of 1 kHz): listed as recorded, and what plays from now on
    const wav = path.join(dir, 'busy.wav');
    writeFileSync(wav, toneWav(1000, 2));
    await page.getByTestId('prompt-name').fill('all-agents-busy');
    await page.getByTestId('prompt-file').setInputFiles(wav);
    await page.getByTestId('prompt-upload').click();
    await shows('notice', 'Recording all-agents-busy (en) saved.');
    expect(await cells('en/all-agents-busy')).toEqual(['all-agents-busy', 'en', 'recorded', 'Play Delete recording']);
    expect(await prompt('en', 'all-agents-busy')).toEqual({ name: 'all-agents-busy', language: 'en', shipped: true, custom: true });
    // the form is empty again for the next one
    expect(await page.getByTestId('prompt-name').inputValue()).toBe('');
    expect(await page.getByTestId('prompt-file').evaluate((i: HTMLInputElement) => i.files?.length ?? 0)).toBe(0);

    // Play: the recording now (2 s), not the shipped speech
    const played = page.waitForResponse((r) => r.url().endsWith('/api/prompts/en/all-agents-busy'));
    await page.getByTestId('play-en/all-agents-busy').click();
    const res = await played;
    expect([res.status(), res.headers()['content-type']]).toEqual([200, 'audio/wav']);
    await expect.poll(seconds, { timeout: 10_000 }).toBeCloseTo(2, 1);

    // a file that is not a WAV: the server's refusal as it words it, and nothing changes
    const text = path.join(dir, 'notes.wav');
    writeFileSync(text, 'these are my notes, not a recording\n');
    const refused = await fetch(`${h.baseUrl}/api/prompts/en/welcome-sales`, {
      method: 'PUT', headers: { authorization: `Bearer ${h.admin}`, 'content-type': 'audio/wav' }, body: 'these are my notes, not a recording\n',
    });
    expect(refused.status).toBe(400);
    const message = ((await refused.json()) as { message: string }).message;
    expect(message).toMatch(/^body: the recording for "welcome-sales" is not audio sox can read as WAV/);
    await page.getByTestId('prompt-name').fill('welcome-sales');
    await page.getByTestId('prompt-file').setInputFiles(text);
    await page.getByTestId('prompt-upload').click();
    await shows('error', message);
    expect(await prompt('en', 'welcome-sales')).toBeUndefined();
    // a name the server does not take, named as it says
    await page.getByTestId('prompt-name').fill('Welcome Sales');
    await page.getByTestId('prompt-upload').click();
    await shows('error', 'params.name: prompt name "Welcome Sales" is not a name like "please-hold" or "n/3"');

    // a new name in another language (for an IVR menu's "@welcome-sales"): recorded, with no shipped one behind it
    await page.getByTestId('prompt-name').fill('welcome-sales');
    await page.getByTestId('prompt-language').fill('et');
    await page.getByTestId('prompt-file').setInputFiles(wav);
    await page.getByTestId('prompt-upload').click();
    await shows('notice', 'Recording welcome-sales (et) saved.');
    expect(await prompt('et', 'welcome-sales')).toEqual({ name: 'welcome-sales', language: 'et', shipped: false, custom: true });
    expect(await cells('et/welcome-sales')).toEqual(['welcome-sales', 'et', 'recorded', 'Play Delete recording']);

    // Delete recording (confirmed): the shipped prompt plays again
    await page.getByTestId('delete-en/all-agents-busy').click();
    await shows('notice', 'Recording all-agents-busy (en) deleted.');
    expect(await prompt('en', 'all-agents-busy')).toEqual({ name: 'all-agents-busy', language: 'en', shipped: true, custom: false });
    expect(await cells('en/all-agents-busy')).toEqual(['all-agents-busy', 'en', 'shipped', 'Play']);
    await page.getByTestId('play-en/all-agents-busy').click();
    await expect.poll(seconds, { timeout: 10_000 }).toBeCloseTo(speech, 2);
    // one only recorded is gone from the list
    await page.getByTestId('delete-et/welcome-sales').click();
    await shows('notice', 'Recording welcome-sales (et) deleted.');
    expect(await prompt('et', 'welcome-sales')).toBeUndefined();
    expect(await page.getByTestId('prompt-et/welcome-sales').count()).toBe(0);
  }, 120_000);
});
