import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, eventually, startCallCenter } from './support/harness.ts';

/**
 * The widget's visual IVR: a page embeds the widget with data-menu (the demo shop's Help page); the customer sees the menu's options as buttons
 * (GET /api/public/menus/{name}), goes into a second menu and back, picks "Eesti keeles", and the browser call goes to
 * the queue that option leads to, in Estonian, with the menus on the way in the call's record (as a phone caller's IVR
 * path). The same menus phone callers hear (test/e2e/ivr.test.ts).
 */
describe('the visual IVR in the widget', () => {
  let h: Harness;
  let dir: string;
  let customer: TestBrowser | undefined;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-visual-ivr-'));
    h = await startCallCenter({ rtpPortMin: 46500, rtpPortMax: 46599 });
    await h.api('POST', '/api/skills', { name: 'support' }, h.admin);
    for (const name of ['sales', 'support']) {
      const q = await h.api('POST', '/api/queues', { name, skills: { support: 1 } }, h.admin);
      expect(q.status, JSON.stringify(q.body)).toBe(201);
      ids[name] = q.body.id;
    }
    const menu = async (body: Record<string, unknown>) => {
      const r = await h.api('POST', '/api/ivr-menus', body, h.admin);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids[body.name as string] = r.body.id;
    };
    await menu({
      name: 'help-lang', prompt: { en: 'For English press 1. Eesti keeles vajutage 2.' }, options: [
        { digit: '1', label: 'English', language: 'en', action: { type: 'queue', queueId: ids.support } },
        { digit: '2', label: 'Eesti keeles', language: 'et', action: { type: 'queue', queueId: ids.support } },
      ],
    });
    await menu({
      name: 'welcome', prompt: { en: 'To buy, press 1. For help with an order, press 2. To end the call, press 9.' }, options: [
        { digit: '1', label: 'Buying something', language: null, action: { type: 'queue', queueId: ids.sales } },
        { digit: '2', label: 'Help with an order', language: null, action: { type: 'menu', menuId: ids['help-lang'] } },
        { digit: '9', label: 'Goodbye', language: null, action: { type: 'hangup' } },
      ],
    });
    await menu({
      name: 'after-hours', prompt: { en: 'Hello.' }, openingHours: { timeZone: 'Europe/Tallinn', days: {} },
      closedPrompt: { en: 'We are closed.' }, closedAction: { type: 'queue', queueId: ids.sales },
    });
  }, 60_000);

  afterAll(async () => {
    await customer?.close();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const publicCall = (body: Record<string, unknown>) =>
    h.api('POST', '/api/public/calls', { language: 'en', page: { url: 'https://shop.example/', title: 'Shop' }, ...body });

  it('gives a page the menu\'s choices, and takes only a way through the menus that leads to the queue called', async () => {
    const main = await h.api('GET', '/api/public/menus/welcome');
    expect(main).toEqual({
      status: 200,
      body: {
        name: 'welcome', language: 'en', open: true, opensAt: null, closedNext: null,
        choices: [ // (the option that hangs up is not a choice on a page)
          { digit: '1', label: 'Buying something', language: null, next: { queue: 'sales' } },
          { digit: '2', label: 'Help with an order', language: null, next: { menu: 'help-lang' } },
        ],
      },
    });
    const closed = await h.api('GET', '/api/public/menus/after-hours');
    expect(closed.body).toMatchObject({ open: false, choices: [], closedNext: { queue: 'sales' } });
    expect(closed.body.opensAt).toBeNull(); // (never open: no opening within a week)
    expect(await h.api('GET', '/api/public/menus/nope')).toMatchObject({ status: 404, body: { message: 'IVR menu "nope" does not exist' } });
    expect((await h.api('GET', '/api/public/menus/sales')).status).toBe(404); // a queue is not a menu

    expect((await publicCall({ queue: 'sales', menus: ['welcome'] })).status).toBe(201);
    expect((await publicCall({ queue: 'support', menus: ['welcome', 'help-lang'] })).status).toBe(201);
    expect((await publicCall({ queue: 'sales', menus: ['after-hours'] })).status).toBe(201); // closed: where it sends callers
    const wrong = [
      [{ queue: 'support', menus: ['welcome'] }, 'body.menus: no option of "welcome" leads to queue "support"'],
      [{ queue: 'support', menus: ['help-lang', 'welcome'] }, 'body.menus: no option of the menu before leads to "welcome"'],
      [{ queue: 'sales', menus: ['nope'] }, 'body.menus: there is no IVR menu "nope"'],
    ] as const;
    for (const [body, message] of wrong) expect(await publicCall(body)).toMatchObject({ status: 400, body: { field: 'body.menus', message } });
  });

  it('shows the menus as buttons, Back goes up, and a choice calls its queue in its language with the menus on record', async () => {
    customer = await launchBrowser(makeTone(path.join(dir, 'tone-440.wav'), 440));
    const page = customer.page;
    // the demo shop's Help page embeds the widget with data-menu="welcome" instead of a queue
    await page.goto(`${h.baseUrl}/demo/help.html`);
    await page.getByTestId('cf-call-button').click();
    const choices = page.getByTestId('cf-choice');
    await eventually(async () => (await choices.count()) === 2, 10_000, 'the first menu\'s choices');
    expect(await page.getByTestId('cf-menu-title').textContent()).toBe('What is your call about?');
    expect(await choices.allTextContents()).toEqual(['Buying something', 'Help with an order']);
    expect(await page.getByTestId('cf-start').isHidden()).toBe(true); // a choice starts the call
    expect(await page.getByTestId('cf-menu-back').isHidden()).toBe(true);

    await choices.nth(1).click();
    await eventually(async () => JSON.stringify(await choices.allTextContents()) === '["English","Eesti keeles"]', 10_000, 'the second menu');
    await page.getByTestId('cf-menu-back').click();
    await eventually(async () => (await choices.allTextContents())[0] === 'Buying something', 5_000, 'back in the first menu');
    await choices.nth(1).click();
    await eventually(async () => (await choices.count()) === 2 && (await choices.nth(1).textContent()) === 'Eesti keeles', 10_000, 'the second menu again');
    await choices.nth(1).click();

    // the call: in line in the support queue, in Estonian, the menus on its record
    await eventually(async () => (await page.getByTestId('cf-status').textContent()) === 'Ootad järgmist vaba teenindajat', 20_000, 'in line, in Estonian');
    expect(await page.getByTestId('cf-menu').isHidden()).toBe(true);
    await h.server.center.log.flush();
    const record = ((await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items as Array<Record<string, unknown>>)[0]!;
    expect(record).toMatchObject({ queueId: ids.support, language: 'et', channel: 'webrtc' });
    expect(record.context).toMatchObject({ ivr: ['welcome', 'help-lang'], page: { url: `${h.baseUrl}/demo/help.html` } });

    // after the call, the menu is there again, from the top
    await page.getByTestId('cf-hangup').click();
    await eventually(async () => (await page.getByTestId('cf-menu').isVisible()) && (await choices.allTextContents())[0] === 'Buying something', 10_000, 'the menu after the call');
  });

  it('a closed menu says so, passes callers on to the menu it sends them to, or offers Start call to its queue', async () => {
    const page = customer!.page;
    const never = { timeZone: 'Europe/Tallinn', days: {} };
    // closed, sending callers to the language menu: the page shows that menu at once
    const closeTo = async (closedAction: Record<string, unknown>) => {
      const r = await h.api('PATCH', `/api/ivr-menus/${ids.welcome}`, { openingHours: never, closedAction }, h.admin);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      await page.reload();
      await page.getByTestId('cf-call-button').click();
    };
    await closeTo({ type: 'menu', menuId: ids['help-lang'] });
    const choices = page.getByTestId('cf-choice');
    await eventually(async () => JSON.stringify(await choices.allTextContents()) === '["English","Eesti keeles"]', 10_000, 'the language menu at once');
    expect(await page.getByTestId('cf-menu-back').isHidden()).toBe(true);

    // closed, sending callers to a queue: it says when it opens (never, here) and Start call goes to that queue
    await closeTo({ type: 'queue', queueId: ids.sales });
    await eventually(async () => (await page.getByTestId('cf-menu-title').textContent()) === 'We are closed now.', 10_000, 'closed');
    expect(await choices.count()).toBe(0);
    await page.getByTestId('cf-start').click();
    await eventually(async () => (await page.getByTestId('cf-status').textContent()) === 'Waiting for the next free agent', 20_000, 'in line');
    await h.server.center.log.flush();
    const record = ((await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items as Array<Record<string, unknown>>)[0]!;
    expect(record).toMatchObject({ queueId: ids.sales });
    expect(record.context).toMatchObject({ ivr: ['welcome'] });
    await page.getByTestId('cf-hangup').click();

    // closed and sending nobody anywhere: no Start call
    await closeTo({ type: 'hangup' });
    await eventually(async () => (await page.getByTestId('cf-menu-title').textContent()) === 'We are closed now.', 10_000, 'closed for good');
    expect(await page.getByTestId('cf-start').isHidden()).toBe(true);
  });
});
