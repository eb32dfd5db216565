import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordSip, startStandIn, type StandIn } from '../support/web-stand-in.ts';
import { launchBrowser, requireBuild } from './browser.ts';

// Two origins on loopback: `site` is somebody's shop that embeds the widget, `server` serves widget.js and
// (as a labelled stand-in, see test/support/web-stand-in.ts) the call API the widget talks to.
let browser: Browser;
let site: StandIn;
let server: StandIn;
let context: BrowserContext;
let page: Page;

/** A foreign page with CSS that would wreck an unprotected widget, embedding widget.js from `server`. */
function shopPage(title: string, attrs: string, lang = 'en'): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${title}</title>
<style>button { display: none !important; } p, span { color: red !important; font-size: 40px !important; }</style></head>
<body><h1>${title}</h1><p>Somebody else's shop.</p>
<script src="${server.origin}/widget.js" ${attrs} async></script></body></html>`;
}

const ATTRS = 'data-queue="support" data-language="en" data-languages="en,et,ru,fi,de,hu"';

beforeAll(async () => {
  requireBuild();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  site = await startStandIn();
  server = await startStandIn();
  context = await browser.newContext();
  page = await context.newPage();
});
afterEach(async () => {
  await context?.close();
  await site?.close();
  await server?.close();
});

const state = (): Promise<string | undefined> => page.evaluate(() => window.CallflowWidget?.state);

describe('customer widget', () => {
  it('injects a Call us button into a foreign page and opens its panel on click', async () => {
    site.page('/shop.html', shopPage('Garden tools', ATTRS));
    await page.goto(`${site.origin}/shop.html`);
    const button = page.getByTestId('cf-call-button');
    await button.waitFor({ state: 'visible' });
    expect(await button.textContent()).toContain('Call us');
    // The host page's `button { display: none !important }` does not reach into the shadow root.
    expect(await page.locator('callflow-widget').evaluate((el) => el.shadowRoot?.mode)).toBe('open');
    const panel = page.getByTestId('cf-panel');
    expect(await panel.isVisible()).toBe(false);
    await button.click();
    await panel.waitFor({ state: 'visible' });
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    expect(await page.getByTestId('cf-start').isVisible()).toBe(true);
    expect(await state()).toBe('idle');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
  });

  it('offers the languages of data-languages with the default selected and speaks it', async () => {
    site.page('/et.html', shopPage('Aiatööriistad', 'data-queue="support" data-language="et" data-languages="en,et,ru"'));
    await page.goto(`${site.origin}/et.html`);
    await page.getByTestId('cf-call-button').click();
    const select = page.getByTestId('cf-language');
    expect(await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['en', 'et', 'ru']);
    expect(await select.inputValue()).toBe('et');
    expect(await page.getByTestId('cf-start').textContent()).toBe('Alusta kõnet');
    await select.selectOption('ru');
    expect(await page.getByTestId('cf-start').textContent()).toBe('Позвонить');
  });

  it('takes the default language from the page when data-language is absent', async () => {
    site.page('/de.html', shopPage('Gartengeräte', 'data-queue="support" data-languages="en,et"', 'de-AT'));
    await page.goto(`${site.origin}/de.html`);
    await page.getByTestId('cf-call-button').click();
    const select = page.getByTestId('cf-language');
    expect(await select.inputValue()).toBe('de');
    expect(await select.locator('option').count()).toBe(3);
  });

  it('records the pages visited on the site, the last ten, oldest first', async () => {
    for (let i = 1; i <= 12; i++) site.page(`/p${i}.html`, shopPage(`Page ${i}`, ATTRS));
    for (let i = 1; i <= 12; i++) {
      await page.goto(`${site.origin}/p${i}.html`);
      await page.getByTestId('cf-call-button').waitFor();
    }
    await page.reload(); // a reload does not add the same page twice
    await page.getByTestId('cf-call-button').waitFor();
    const history = await page.evaluate(() => JSON.parse(localStorage.getItem('callflow.pageHistory') ?? '[]'));
    expect(history).toHaveLength(10);
    expect(history.map((h: { title: string }) => h.title)).toEqual(Array.from({ length: 10 }, (_, i) => `Page ${i + 3}`));
    expect(history[9].url).toBe(`${site.origin}/p12.html`);
    expect(Number.isNaN(Date.parse(history[9].at))).toBe(false);
  });

  it("sends the call request to the script's own server and shows the server's refusal", async () => {
    server.route('POST /api/public/calls', () => ({ status: 503, body: { message: 'Our phone line is closed until 9:00.' } }));
    site.page('/a.html', shopPage('Rakes', `${ATTRS} data-category="rakes" data-customer-id="cust-42"`));
    site.page('/b.html', shopPage('Spades', `${ATTRS} data-category="spades" data-customer-id="cust-42"`));
    await page.goto(`${site.origin}/a.html`);
    await page.getByTestId('cf-call-button').waitFor();
    await page.goto(`${site.origin}/b.html`);
    await page.getByTestId('cf-call-button').click();
    await page.getByTestId('cf-language').selectOption('fi');
    await page.getByTestId('cf-start').click();
    const error = page.getByTestId('cf-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe('Our phone line is closed until 9:00.');
    expect(await state()).toBe('failed');
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.path).toBe('/api/public/calls');
    expect(req.body).toMatchObject({
      queue: 'support',
      language: 'fi',
      page: { url: `${site.origin}/b.html`, title: 'Spades', category: 'spades', language: 'en' },
      customerId: 'cust-42',
    });
    const history = (req.body as { history: { url: string; title: string; at: string }[] }).history;
    expect(history.map((h) => h.title)).toEqual(['Rakes', 'Spades']);
    // The start button is back, so the customer can try again.
    expect(await page.getByTestId('cf-start').isVisible()).toBe(true);
  });

  it('the demo shop embeds the widget with English selected, six languages and the page category', async () => {
    server.route('POST /api/public/calls', () => ({ status: 404, body: { message: 'queue "support" does not exist' } }));
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().includes('/api/')) failed.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${server.origin}/demo/`);
    await page.getByRole('link', { name: 'Tents' }).click();
    await page.waitForURL(`${server.origin}/demo/tents.html`);
    await page.getByTestId('cf-call-button').click();
    const select = page.getByTestId('cf-language');
    expect(await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['en', 'et', 'ru', 'fi', 'de', 'hu']);
    expect(await select.inputValue()).toBe('en');
    // The shop's stylesheet loaded from /demo/assets/.
    expect(await page.locator('header').evaluate((h) => getComputedStyle(h).backgroundColor)).toBe('rgb(29, 77, 58)');
    await page.getByTestId('cf-start').click();
    await page.getByTestId('cf-error').waitFor({ state: 'visible' });
    expect(await page.getByTestId('cf-error').textContent()).toBe('queue "support" does not exist');
    expect(server.requests[0]?.body).toMatchObject({
      queue: 'support',
      language: 'en',
      page: { url: `${server.origin}/demo/tents.html`, title: 'Tents — Nordic Outdoor', category: 'tents', language: 'en' },
    });
    expect((server.requests[0]?.body as { history: { title: string }[] }).history.map((h) => h.title)).toEqual([
      'Nordic Outdoor — gear for the northern seasons',
      'Tents — Nordic Outdoor',
    ]);
    expect(failed).toEqual([]);
  });

  describe('with a call placed (stand-in API, events socket and SIP endpoint)', () => {
    let events: WebSocket | undefined;
    let sip: { messages: string[] };

    beforeEach(() => {
      events = undefined;
      server.route('POST /api/public/calls', () => ({
        status: 201,
        body: {
          callId: 'call-1',
          token: 'call-token-1',
          sip: {
            wsUrl: `${server.wsOrigin}/sip`,
            uri: 'sip:web-call-1@test.realm',
            target: 'sip:support@test.realm',
            authorizationUsername: 'web-call-1',
            authorizationPassword: 'one-call-secret',
            displayName: 'Web customer',
          },
          eventsUrl: `${server.wsOrigin}/ws/customer?token=call-token-1`,
        },
      }));
      server.socket('/ws/customer', (ws, url) => {
        if (url.searchParams.get('token') === 'call-token-1') events = ws;
      });
      sip = recordSip(server, '/sip');
    });

    async function startCall(): Promise<void> {
      site.page('/shop.html', shopPage('Lawn mowers', ATTRS));
      await page.goto(`${site.origin}/shop.html`);
      await page.evaluate(() => void window.CallflowWidget?.call('de'));
      await expect.poll(() => sip.messages.find((m) => m.startsWith('INVITE ')), { timeout: 10_000 }).toBeDefined();
      await expect.poll(() => events !== undefined).toBe(true);
    }

    const send = (msg: unknown): void => events?.send(JSON.stringify(msg));
    const text = (id: string): Promise<string | null> => page.getByTestId(id).textContent();

    it('dials the target with the call token, audio only and without REGISTER', async () => {
      await startCall();
      const invite = sip.messages.find((m) => m.startsWith('INVITE '))!;
      expect(invite.split('\r\n')[0]).toBe('INVITE sip:support@test.realm SIP/2.0');
      expect(invite).toMatch(/^X-Call-Token: call-token-1$/m);
      expect(invite).toMatch(/^From: "Web customer" <sip:web-call-1@test\.realm>/m);
      expect(invite).toMatch(/^m=audio /m);
      expect(invite).not.toMatch(/^m=video /m);
      expect(sip.messages.some((m) => m.startsWith('REGISTER '))).toBe(false);
      expect((server.requests[0]?.body as { language: string }).language).toBe('de');
    });

    it('shows the place in line and the estimated wait, then the agent, then the end', async () => {
      await startCall();
      send({ type: 'queued', position: 2, ewtSeconds: 150 });
      await expect.poll(state).toBe('queued');
      await expect.poll(() => text('cf-position')).toBe('Sie sind Nummer 2 in der Warteschlange');
      expect(await text('cf-ewt')).toBe('etwa 3 Min.');
      // this server did not say it can call back (no "callbacks": true): no "call me back" offer
      expect(await page.getByTestId('cf-callback').isVisible()).toBe(false);
      send({ type: 'position', position: 1, ewtSeconds: null });
      await expect.poll(() => text('cf-position')).toBe('Sie sind Nummer 1 in der Warteschlange');
      expect(await page.getByTestId('cf-ewt').isVisible()).toBe(false);
      send({ type: 'ringing' });
      await expect.poll(state).toBe('ringing');
      send({ type: 'connected', agentName: 'Mari' });
      await expect.poll(state).toBe('connected');
      expect(await text('cf-status')).toBe('Verbunden mit Mari');
      expect(await page.getByTestId('cf-position').isVisible()).toBe(false);
      send({ type: 'ended', reason: 'agent-hangup' });
      await expect.poll(state).toBe('ended');
      expect(await text('cf-status')).toBe('Der Anruf ist beendet.');
      expect(await page.getByTestId('cf-start').isVisible()).toBe(true);
    });

    it("lists the agent's links newest first, opened only by their own button, until the panel is closed after the call", async () => {
      await startCall();
      send({ type: 'connected', agentName: 'Mari' });
      await expect.poll(state).toBe('connected');
      const links = page.getByTestId('cf-link');
      const texts = (): Promise<string[]> => page.getByTestId('cf-link-text').allTextContents();
      expect(await page.getByTestId('cf-links').isVisible()).toBe(false);
      send({ type: 'link', url: 'https://shop.example/manuals/mower.pdf', title: 'Bedienungsanleitung' });
      await expect.poll(texts).toEqual(['Ihr Ansprechpartner hat Ihnen einen Link geschickt: Bedienungsanleitung']);
      // not a link the widget would offer, whatever the server sends: never rendered
      send({ type: 'link', url: 'javascript:alert(document.cookie)', title: 'Gutschein' });
      send({ type: 'link', url: 'data:text/html,<script>alert(1)</script>', title: 'Gutschein' });
      send({ type: 'link', url: 'https://shop.example/blades', title: '<img src=x onerror=alert(1)>' });
      await expect.poll(() => links.count()).toBe(2);
      expect(await texts()).toEqual([
        'Ihr Ansprechpartner hat Ihnen einen Link geschickt: <img src=x onerror=alert(1)>', // (text, not markup)
        'Ihr Ansprechpartner hat Ihnen einen Link geschickt: Bedienungsanleitung',
      ]);
      expect(await page.locator('callflow-widget').evaluate((el) => el.shadowRoot?.querySelectorAll('img').length)).toBe(0);
      expect(await links.evaluateAll((as) => as.map((a) => [(a as HTMLAnchorElement).href, (a as HTMLAnchorElement).target, (a as HTMLAnchorElement).rel, a.textContent]))).toEqual([
        ['https://shop.example/blades', '_blank', 'noopener noreferrer', 'Öffnen'],
        ['https://shop.example/manuals/mower.pdf', '_blank', 'noopener noreferrer', 'Öffnen'],
      ]);
      // nothing opened by itself
      expect(context.pages()).toHaveLength(1);
      // the customer closes the panel during the call: the links stay, and a new one opens the panel again
      await page.locator('callflow-widget button.close').click();
      await page.getByTestId('cf-panel').waitFor({ state: 'hidden' });
      site.page('/manual.html', '<!doctype html><title>Manual</title><p>Manual</p>');
      send({ type: 'link', url: `${site.origin}/manual.html`, title: null });
      await page.getByTestId('cf-panel').waitFor({ state: 'visible' });
      expect((await texts())[0]).toBe(`Ihr Ansprechpartner hat Ihnen einen Link geschickt: ${new URL(site.origin).host}`);
      expect(await links.count()).toBe(3);
      // after the call the links stay until the panel is closed
      send({ type: 'ended', reason: 'agent-hangup' });
      await expect.poll(state).toBe('ended');
      expect(await links.count()).toBe(3);
      const opened = context.waitForEvent('page');
      await links.first().click();
      const tab = await opened;
      await tab.waitForURL(`${site.origin}/manual.html`);
      // (noopener noreferrer: the new tab cannot reach the shop's page, nor learn where it came from)
      expect(await tab.evaluate(() => [window.opener, document.referrer])).toEqual([null, '']);
      await page.locator('callflow-widget button.close').click();
      await page.getByTestId('cf-call-button').click();
      await page.getByTestId('cf-panel').waitFor({ state: 'visible' });
      expect(await links.count()).toBe(0);
      expect(await page.getByTestId('cf-links').isVisible()).toBe(false);
    });

    it('asks for a message after the tone when the call goes to voicemail: no place in line or callback offer any more', async () => {
      server.route('POST /api/public/calls', () => ({
        status: 201,
        body: {
          callId: 'call-1',
          token: 'call-token-1',
          callbacks: true,
          sip: {
            wsUrl: `${server.wsOrigin}/sip`, uri: 'sip:web-call-1@test.realm', target: 'sip:support@test.realm',
            authorizationUsername: 'web-call-1', authorizationPassword: 'one-call-secret', displayName: 'Web customer',
          },
          eventsUrl: `${server.wsOrigin}/ws/customer?token=call-token-1`,
        },
      }));
      await startCall();
      send({ type: 'queued', position: 1, ewtSeconds: 30 });
      await expect.poll(() => text('cf-position')).toBe('Sie sind Nummer 1 in der Warteschlange');
      expect(await page.getByTestId('cf-callback').isVisible()).toBe(true);
      send({ type: 'voicemail' });
      await expect.poll(() => text('cf-status')).toBe(
        'Zurzeit kann niemand Ihren Anruf entgegennehmen. Bitte hinterlassen Sie nach dem Signalton eine Nachricht und legen Sie dann auf.',
      );
      expect(await state()).toBe('queued'); // (the call goes on: the customer speaks, then hangs up)
      expect(await page.getByTestId('cf-position').isVisible()).toBe(false);
      expect(await page.getByTestId('cf-callback').isVisible()).toBe(false);
      expect(await page.getByTestId('cf-hold-music').evaluate((a: HTMLAudioElement) => a.paused)).toBe(true);
      // a late place in line does not bring the queue back
      send({ type: 'position', position: 1, ewtSeconds: 30 });
      await page.waitForTimeout(200);
      expect(await page.getByTestId('cf-position').isVisible()).toBe(false);
      await page.getByTestId('cf-hangup').click();
      await expect.poll(state).toBe('ended');
      expect(await text('cf-status')).toBe('Vielen Dank für Ihre Nachricht.');
    });

    it('tells the customer while the call lasts that a queue which records its calls may record this one', async () => {
      server.route('POST /api/public/calls', () => ({
        status: 201,
        body: {
          callId: 'call-1',
          token: 'call-token-1',
          callbacks: false,
          recorded: true,
          sip: {
            wsUrl: `${server.wsOrigin}/sip`, uri: 'sip:web-call-1@test.realm', target: 'sip:support@test.realm',
            authorizationUsername: 'web-call-1', authorizationPassword: 'one-call-secret', displayName: 'Web customer',
          },
          eventsUrl: `${server.wsOrigin}/ws/customer?token=call-token-1`,
        },
      }));
      expect(await page.getByTestId('cf-recorded').isVisible()).toBe(false);
      await startCall();
      send({ type: 'queued', position: 1, ewtSeconds: 30 });
      await expect.poll(() => text('cf-recorded')).toBe('Dieses Gespräch kann aufgezeichnet werden.');
      expect(await page.getByTestId('cf-recorded').isVisible()).toBe(true);
      await page.getByTestId('cf-hangup').click();
      await expect.poll(state).toBe('ended');
      expect(await page.getByTestId('cf-recorded').isVisible()).toBe(false);
    });

    describe('in a queue that asks callers to rate the call', () => {
      /** The answer to POST /api/public/calls, with `survey` as given. */
      function answerWithSurvey(survey: boolean): void {
        server.route('POST /api/public/calls', () => ({
          status: 201,
          body: {
            callId: 'call-1',
            token: 'call-token-1',
            callbacks: false,
            recorded: false,
            survey,
            sip: {
              wsUrl: `${server.wsOrigin}/sip`, uri: 'sip:web-call-1@test.realm', target: 'sip:support@test.realm',
              authorizationUsername: 'web-call-1', authorizationPassword: 'one-call-secret', displayName: 'Web customer',
            },
            eventsUrl: `${server.wsOrigin}/ws/customer?token=call-token-1`,
          },
        }));
      }
      const survey = () => page.getByTestId('cf-survey');
      const scores = () => page.getByTestId('cf-survey-score');
      const surveyRequests = () => server.requests.filter((r) => r.path === '/api/public/calls/call-1/survey');

      it('asks for 1 to 5 stars once the answered call has ended, sends the score with the call token, then thanks the caller', async () => {
        answerWithSurvey(true);
        server.route('POST /api/public/calls/call-1/survey', (req) => ({ status: 201, body: { score: (req.body as { score: number }).score } }));
        await startCall();
        send({ type: 'connected', agentName: 'Mari' });
        await expect.poll(state).toBe('connected');
        expect(await survey().isVisible()).toBe(false); // (not while the call lasts)
        // the customer closed the panel during the call: the end of the call opens it for the rating
        await page.locator('callflow-widget button.close').click();
        await page.getByTestId('cf-panel').waitFor({ state: 'hidden' });
        send({ type: 'ended', reason: 'agent-hangup' });
        await survey().waitFor({ state: 'visible' });
        expect(await state()).toBe('ended');
        expect(await text('cf-survey-question')).toBe('Wie war Ihr Anruf?');
        expect(await text('cf-survey-scale')).toBe('5 = sehr gut, 1 = sehr schlecht');
        expect(await scores().evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')))).toEqual(['1 von 5', '2 von 5', '3 von 5', '4 von 5', '5 von 5']);
        expect(await page.getByRole('button', { name: '4 von 5' }).isEnabled()).toBe(true);
        await page.getByRole('button', { name: '4 von 5' }).click();
        await expect.poll(() => text('cf-survey-thanks')).toBe('Vielen Dank für Ihre Rückmeldung.');
        expect(surveyRequests()).toHaveLength(1);
        expect(surveyRequests()[0]!.method).toBe('POST');
        expect(surveyRequests()[0]!.headers.authorization).toBe('Bearer call-token-1');
        expect(surveyRequests()[0]!.body).toEqual({ score: 4 });
        // given once: the stars stay, the chosen one pressed, none to press again
        expect(await scores().evaluateAll((bs) => bs.map((b) => [(b as HTMLButtonElement).disabled, b.getAttribute('aria-pressed')]))).toEqual([
          [true, 'false'], [true, 'false'], [true, 'false'], [true, 'true'], [true, 'false'],
        ]);
        expect(await page.getByTestId('cf-survey-scale').isVisible()).toBe(false);
        expect(await page.getByTestId('cf-error').isVisible()).toBe(false);
        // closed after the call, the rating goes with the panel
        await page.locator('callflow-widget button.close').click();
        await page.getByTestId('cf-call-button').click();
        await page.getByTestId('cf-panel').waitFor({ state: 'visible' });
        expect(await survey().isVisible()).toBe(false);
        expect(surveyRequests()).toHaveLength(1);
      });

      it("shows the server's refusal of a rating and lets the caller give it again", async () => {
        answerWithSurvey(true);
        server.route('POST /api/public/calls/call-1/survey', () => ({
          status: 409, body: { statusCode: 409, code: 'CALL_ERR_SURVEY', error: 'Conflict', message: 'This call has been rated already.' },
        }));
        await startCall();
        send({ type: 'connected', agentName: 'Mari' });
        await expect.poll(state).toBe('connected');
        await page.getByTestId('cf-hangup').click(); // (the caller hangs up: asked all the same)
        await survey().waitFor({ state: 'visible' });
        await page.getByRole('button', { name: '2 von 5' }).click();
        await expect.poll(() => text('cf-error')).toBe('This call has been rated already.');
        expect(surveyRequests()[0]!.body).toEqual({ score: 2 });
        expect(await text('cf-survey-thanks')).toBe('');
        expect(await scores().evaluateAll((bs) => bs.every((b) => !(b as HTMLButtonElement).disabled))).toBe(true);
      });

      it('does not ask when the queue does not want ratings', async () => {
        answerWithSurvey(false);
        await startCall();
        send({ type: 'connected', agentName: 'Mari' });
        await expect.poll(state).toBe('connected');
        send({ type: 'ended', reason: 'agent-hangup' });
        await expect.poll(state).toBe('ended');
        await page.waitForTimeout(200);
        expect(await survey().isVisible()).toBe(false);
        expect(surveyRequests()).toEqual([]);
      });

      it('does not ask after a call no agent answered', async () => {
        answerWithSurvey(true);
        await startCall();
        send({ type: 'queued', position: 1, ewtSeconds: 30 });
        await expect.poll(state).toBe('queued');
        send({ type: 'ringing' }); // (offered to an agent who did not answer)
        await expect.poll(state).toBe('ringing');
        await page.getByTestId('cf-hangup').click();
        await expect.poll(state).toBe('ended');
        await page.waitForTimeout(200);
        expect(await survey().isVisible()).toBe(false);
        expect(await text('cf-status')).toBe('Der Anruf ist beendet.');
      });
    });

    it('cancels the INVITE when the customer hangs up while waiting', async () => {
      await startCall();
      send({ type: 'queued', position: 3, ewtSeconds: 40 });
      await expect.poll(state).toBe('queued');
      expect(await text('cf-ewt')).toBe('weniger als eine Minute');
      await page.getByTestId('cf-hangup').click();
      await expect.poll(state).toBe('ended');
      await expect.poll(() => sip.messages.some((m) => m.startsWith('CANCEL sip:support@test.realm SIP/2.0')), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => events?.readyState).toBe(3); // the widget closed its events socket
    });
  });
});
