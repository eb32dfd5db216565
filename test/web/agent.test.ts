import type { Page } from 'playwright-core';
import type { WebSocket } from 'ws';
import { beforeEach, describe, expect, it } from 'vitest';
import { localInputToIso, localInputValue, moveDefault } from '../../web-softphone/shared/local-time.ts';
import { type CannedResponse, recordSip, type StandIn } from '../support/web-stand-in.ts';
import { pageWithStandIn } from './browser.ts';

// The agent page is served from the built files; its API answers come from a labelled stand-in
// (test/support/web-stand-in.ts), not from the real server, whose end-to-end tests live with server/.
let server: StandIn;
let page: Page;
pageWithStandIn((t) => ({ server, page } = t));

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
    // (the server's word for why)
    expect(await text('login-error')).toBe('token expired');
  });

  describe('signed in (stand-in API, agent socket and SIP endpoint)', () => {
    let agentWs: WebSocket | undefined;
    let received: unknown[];
    let sip: ReturnType<typeof recordSip>;

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
      // ("My callbacks" is read on sign-in: none, unless a test says otherwise)
      server.route('GET /api/agent/callbacks', () => ({ status: 200, body: { items: [], total: 0, limit: 100, offset: 0 } }));
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

    describe("the admin's not-ready reasons", () => {
      const options = () => page.getByTestId('not-ready-reason').locator('option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]));
      const reasonReads = () => server.requests.filter((r) => r.method === 'GET' && r.path === '/api/not-ready-reasons');
      const SYSTEM = { 'not-ready': 'Not ready', login: 'Just logged in', 'missed-offers': 'Missed offers', supervisor: 'Set by a supervisor' };
      const list = (items: unknown[]) => ({ status: 200, body: { items, system: SYSTEM, source: 'database' } });
      const coffee = { code: 'coffee', label: 'Coffee break', maxMinutes: 10 };
      const meeting = { code: 'team-meeting', label: 'Team meeting', maxMinutes: null };
      const coaching = { code: 'coaching', label: 'Coaching', maxMinutes: 30 };

      it('lists their labels after sign-in (read with the agent\'s token), the first chosen, sends the chosen code and names the state by its label', async () => {
        server.route('GET /api/not-ready-reasons', () => list([coffee, meeting, coaching]));
        await signIn();
        await expect.poll(options).toEqual([['coffee', 'Coffee break'], ['team-meeting', 'Team meeting'], ['coaching', 'Coaching']]);
        expect(reasonReads().map((r) => r.headers.authorization)).toEqual(['Bearer agent-token-1']);
        expect(await page.getByTestId('not-ready-reason').inputValue()).toBe('coffee');
        // (the server's own reasons in its words too)
        await expect.poll(() => page.locator('#agent-state-reason').textContent()).toBe('(Just logged in)');

        send({ type: 'state', state: 'ready', reason: '', wrapUpEndsAt: null });
        await expect.poll(() => text('agent-state')).toBe('ready');
        await page.getByTestId('not-ready').click();
        await expect.poll(() => received).toContainEqual({ type: 'not-ready', reason: 'coffee' });
        send({ type: 'state', state: 'not-ready', reason: 'coffee', wrapUpEndsAt: null });
        await expect.poll(() => page.locator('#agent-state-reason').textContent()).toBe('(Coffee break)');

        await page.getByTestId('not-ready-reason').selectOption({ label: 'Team meeting' });
        await page.getByTestId('not-ready').click();
        await expect.poll(() => received).toContainEqual({ type: 'not-ready', reason: 'team-meeting' });
        expect(await visible('desk-error')).toBe(false);
      });

      it("shows the server's refusal of a reason no longer on the list, and reads the list again", async () => {
        const answers = [list([coffee, meeting, coaching]), list([coffee, coaching])];
        server.route('GET /api/not-ready-reasons', () => answers.shift() ?? list([coffee, coaching]));
        await signIn();
        await expect.poll(options).toHaveLength(3);
        await page.getByTestId('not-ready-reason').selectOption('team-meeting');
        await page.getByTestId('not-ready').click();
        await expect.poll(() => received).toContainEqual({ type: 'not-ready', reason: 'team-meeting' });
        const refusal = 'reason "team-meeting" is not one of the not-ready reasons: coffee, coaching';
        send({ type: 'error', message: refusal });
        await page.getByTestId('desk-error').waitFor({ state: 'visible' });
        expect(await text('desk-error')).toBe(refusal);
        expect(await page.getByTestId('desk-error').getAttribute('role')).toBe('alert');
        await expect.poll(options).toEqual([['coffee', 'Coffee break'], ['coaching', 'Coaching']]);
        expect(reasonReads()).toHaveLength(2);
        // (the agent's choice is gone from the list: the first is chosen)
        expect(await page.getByTestId('not-ready-reason').inputValue()).toBe('coffee');
        await expect.poll(() => text('agent-state')).toBe('not-ready');

        // another refusal (of Ready, say) reads nothing again
        await page.getByTestId('ready').click();
        await expect.poll(() => received).toContainEqual({ type: 'ready' });
        send({ type: 'error', message: 'not now' });
        await expect.poll(() => text('desk-error')).toBe('not now');
        expect(reasonReads()).toHaveLength(2);
        // the state the server reports next clears the message
        send({ type: 'state', state: 'ready', reason: '', wrapUpEndsAt: null });
        await page.getByTestId('desk-error').waitFor({ state: 'hidden' });
      });

      it('keeps its own list (the server\'s defaults) when the reasons cannot be read', async () => {
        server.route('GET /api/not-ready-reasons', () => ({ status: 500, body: { statusCode: 500, code: 'ERR_INTERNAL', message: 'database down' } }));
        await signIn();
        await expect.poll(() => reasonReads().length).toBe(1);
        await expect.poll(() => text('agent-state')).toBe('not-ready');
        expect(await options()).toEqual([['break', 'Break'], ['lunch', 'Lunch'], ['training', 'Training'], ['other', 'Other']]);
        expect(await page.getByTestId('not-ready-reason').inputValue()).toBe('break');
        // (nothing for the agent to see: the desk works as ever)
        expect(await visible('desk-error')).toBe(false);
        await page.getByTestId('not-ready-reason').selectOption('training');
        await page.getByTestId('not-ready').click();
        await expect.poll(() => received).toContainEqual({ type: 'not-ready', reason: 'training' });
      });
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

    const phoneCall = { queue: 'support', language: 'en', page: { url: '', title: '' }, history: [], caller: 'sip:+3725551234@carrier.example', waitedSeconds: 3 };

    it('pauses and resumes the recording of a recorded call with the agent\'s token, shows a refusal in the server\'s words, and nothing for a call not recorded', async () => {
      let release: () => void = () => {};
      const answers: (() => { status: number; body: unknown } | Promise<{ status: number; body: unknown }>)[] = [
        () => new Promise((resolve) => (release = () => resolve({ status: 200, body: { callId: 'call-50', paused: true } }))),
        () => ({ status: 409, body: { statusCode: 409, code: 'ERR_INVALID_STATE', error: 'Conflict', message: 'call call-50 is not connected to you (transferring)' } }),
      ];
      server.route('PUT /api/agent/calls/call-50/recording', () => answers.shift()!());
      const recordingPuts = () => server.requests.filter((r) => r.method === 'PUT' && r.path === '/api/agent/calls/call-50/recording');
      const toggle = page.getByTestId('recording-toggle');
      await signIn();
      expect(await visible('recording')).toBe(false);
      send({ type: 'connected', callId: 'call-50', context: phoneCall, device: 'desk-phone', recorded: true });
      await page.getByTestId('recording').waitFor({ state: 'visible' });
      expect(await text('recording-state')).toBe('● Recording');
      expect(await page.getByTestId('recording-state').getAttribute('role')).toBe('status');
      expect(await text('recording-toggle')).toBe('Pause recording');
      expect(await toggle.getAttribute('aria-pressed')).toBe('false');
      expect(await visible('recording-error')).toBe(false);
      // (the button names what it does)
      expect(await page.getByRole('button', { name: 'Pause recording' }).getAttribute('data-testid')).toBe('recording-toggle');

      await toggle.click();
      await expect.poll(() => recordingPuts().length).toBe(1);
      expect(await toggle.isDisabled()).toBe(true); // while the server answers
      release();
      await expect.poll(() => text('recording-state')).toBe('Recording paused');
      expect(await text('recording-toggle')).toBe('Resume recording');
      expect(await toggle.getAttribute('aria-pressed')).toBe('true');
      expect(await toggle.isEnabled()).toBe(true);
      expect(recordingPuts().map((r) => [r.headers.authorization, r.headers['content-type'], r.body])).toEqual([['Bearer agent-token-1', 'application/json', { paused: true }]]);

      // refused: the server's message next to the button, the recording still paused
      await toggle.click();
      await expect.poll(() => text('recording-error')).toBe('Not resumed: call call-50 is not connected to you (transferring)');
      expect(await page.getByTestId('recording-error').getAttribute('role')).toBe('alert');
      expect(recordingPuts()[1]?.body).toEqual({ paused: false });
      expect(await text('recording-state')).toBe('Recording paused');
      expect(await text('recording-toggle')).toBe('Resume recording');
      expect(await toggle.isEnabled()).toBe(true);

      // resumed elsewhere (the agent's other tab): the server says so
      send({ type: 'recording', callId: 'call-50', paused: false });
      await expect.poll(() => text('recording-state')).toBe('● Recording');
      expect(await text('recording-toggle')).toBe('Pause recording');
      expect(await visible('recording-error')).toBe(false);
      // (another call's message changes nothing: the queues message after it shows it was read)
      send({ type: 'recording', callId: 'call-other', paused: true });
      send({ type: 'queues', queues: [{ queue: 'support', waiting: 0, longestSince: null }] });
      await expect.poll(() => text('my-queues')).toBe('support: none waiting');
      expect(await text('recording-state')).toBe('● Recording');
      send({ type: 'recording', callId: 'call-50', paused: true });
      await expect.poll(() => text('recording-state')).toBe('Recording paused');

      send({ type: 'call-ended', callId: 'call-50' });
      await page.getByTestId('incoming').waitFor({ state: 'hidden' });
      expect(await visible('recording')).toBe(false);

      // a call whose queue does not record: nothing to pause
      send({ type: 'connected', callId: 'call-51', context: phoneCall, device: 'desk-phone', recorded: false });
      await page.getByTestId('incoming').waitFor({ state: 'visible' });
      expect(await visible('recording')).toBe(false);
      expect(await visible('recording-state')).toBe(false);
      expect(await visible('recording-toggle')).toBe(false);
      send({ type: 'call-ended', callId: 'call-51' });
      await page.getByTestId('incoming').waitFor({ state: 'hidden' });

      // the next recorded call starts unpaused
      send({ type: 'connected', callId: 'call-52', context: phoneCall, device: 'desk-phone', recorded: true });
      await page.getByTestId('recording').waitFor({ state: 'visible' });
      expect(await text('recording-state')).toBe('● Recording');
      expect(await text('recording-toggle')).toBe('Pause recording');
      expect(await toggle.getAttribute('aria-pressed')).toBe('false');
      expect(await visible('recording-error')).toBe(false);
      expect(recordingPuts()).toHaveLength(2);
    });
    // The server's part in this page's SIP calls, played by the test through the stand-in's SIP endpoint.
    const FINGERPRINT = 'a=fingerprint:sha-256 ' + Array.from({ length: 32 }, (_, i) => (i + 16).toString(16).toUpperCase()).join(':');
    /** An audio offer as a server would make it (Chromium accepts a made-up fingerprint until DTLS starts); `version`: its o= version. */
    const offerSdp = (version = 1): string =>
      [
        'v=0', `o=- 1 ${version} IN IP4 127.0.0.1`, 's=-', 't=0 0', 'a=group:BUNDLE 0', FINGERPRINT,
        'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 127.0.0.1', 'a=rtcp-mux', 'a=mid:0',
        'a=ice-ufrag:stdn', 'a=ice-pwd:standinstandinstandin00', 'a=setup:actpass', 'a=sendrecv', 'a=rtpmap:111 opus/48000/2', '',
      ].join('\r\n');
    const OFFER_SDP = offerSdp();
    const VIA = 'Via: SIP/2.0/WSS 127.0.0.1:8443';
    const FROM = 'From: <sip:support@test.realm>;tag=stand-in';
    const CONTACT = 'Contact: <sip:callflow@127.0.0.1:8443;transport=ws>';
    /** A header's value in a SIP message ('' when it has none). */
    const header = (msg: string, name: string): string => new RegExp(`^${name}: *(.*?)\r?$`, 'mi').exec(msg)?.[1] ?? '';
    const sdpOf = (msg: string): string => msg.slice(msg.indexOf('\r\n\r\n') + 4);

    /** The server's INVITE of call `callId` to this page's softphone, as the server sends it with its offer; `headers`: more of them. */
    function invite(callId: string, headers: string[] = []): void {
      sip.send(
        [
          'INVITE sip:agent-7@test.realm SIP/2.0', `${VIA};branch=z9hG4bK-${callId}`, 'Max-Forwards: 70', FROM, 'To: <sip:agent-7@test.realm>',
          `Call-ID: sip-${callId}`, 'CSeq: 1 INVITE', CONTACT, `X-Callflow-Call-Id: ${callId}`, ...headers,
          'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(OFFER_SDP)}`, '', OFFER_SDP,
        ].join('\r\n'),
      );
    }
    /** The softphone's final answers to the INVITE of `callId` ("200 OK": answered). */
    const finals = (callId: string): string[] =>
      sip.messages.filter((m) => /^SIP\/2\.0 [2-6]\d\d /.test(m) && new RegExp(`^Call-ID: *sip-${callId}\r?$`, 'mi').test(m) && /^CSeq: *1 INVITE/mi.test(m));
    const answered = (callId: string): boolean => finals(callId).some((m) => m.startsWith('SIP/2.0 200 '));
    /** A request of the server's in the dialog of call `callId`, which the softphone answered (to the 200's Contact): ACK, BYE, a re-INVITE with `sdp`. */
    function inDialog(callId: string, method: 'ACK' | 'BYE' | 'INVITE', cseq: number, sdp?: string): void {
      const ok = finals(callId).find((m) => m.startsWith('SIP/2.0 200 '))!;
      const target = /<([^>]+)>/.exec(header(ok, 'Contact'))![1];
      const body = sdp === undefined ? ['Content-Length: 0', '', ''] : [CONTACT, 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp];
      sip.send(
        [`${method} ${target} SIP/2.0`, `${VIA};branch=z9hG4bK-${method.toLowerCase()}${cseq}-${callId}`, 'Max-Forwards: 70', FROM, `To: ${header(ok, 'To')}`, `Call-ID: sip-${callId}`, `CSeq: ${cseq} ${method}`, ...body].join('\r\n'),
      );
    }
    /** Confirms the answered call (ACK to the 200's Contact): the call is on. */
    const ack = (callId: string): void => inDialog(callId, 'ACK', 1);
    const callState = (): Promise<string | null> => page.getByTestId('incoming').getAttribute('data-call-state');
    /** Signs in and waits for the softphone to be on the SIP endpoint. */
    async function signInWithPhone(): Promise<void> {
      await signIn();
      await expect.poll(() => sip.messages.some((m) => m.startsWith('REGISTER ')), { timeout: 10_000 }).toBe(true);
    }

    /** The o= version of the next answer the server makes up (accept). */
    let sdpVersion = 2;
    /** The server's 200 to an INVITE the page sent (a hold or a resume, a consult call, a call to a number), answering its offer; the page ACKs it. */
    function accept(request: string, toTag = 'stand-in-answer'): void {
      const offer = sdpOf(request);
      const mid = /^a=mid:(\S+?)\r?$/m.exec(offer)?.[1] ?? '0';
      const pt = /^a=rtpmap:(\d+) opus\/48000/m.exec(offer)?.[1] ?? '111';
      const offered = /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(offer)?.[1] ?? 'sendrecv';
      const direction = ({ sendonly: 'recvonly', recvonly: 'sendonly' } as Record<string, string>)[offered] ?? offered;
      const answer = [
        'v=0', `o=- 1 ${sdpVersion++} IN IP4 127.0.0.1`, 's=-', 't=0 0', `a=group:BUNDLE ${mid}`, FINGERPRINT,
        `m=audio 9 UDP/TLS/RTP/SAVPF ${pt}`, 'c=IN IP4 127.0.0.1', 'a=rtcp-mux', `a=mid:${mid}`,
        'a=ice-ufrag:stdn', 'a=ice-pwd:standinstandinstandin00', 'a=setup:passive', `a=${direction}`, `a=rtpmap:${pt} opus/48000/2`, '',
      ].join('\r\n');
      sip.reply(request, '200 OK', { toTag, headers: [CONTACT], body: answer });
    }

    /** The server hangs up a call the page placed and it answered with `toTag` (BYE from the server's side of its dialog). */
    function byeTo(request: string, toTag: string): void {
      const target = /<([^>]+)>/.exec(header(request, 'Contact'))![1];
      sip.send(
        [
          `BYE ${target} SIP/2.0`, `${VIA};branch=z9hG4bK-bye-${toTag}`, 'Max-Forwards: 70', `From: ${header(request, 'To')};tag=${toTag}`,
          `To: ${header(request, 'From')}`, `Call-ID: ${header(request, 'Call-ID')}`, 'CSeq: 1 BYE', 'Content-Length: 0', '', '',
        ].join('\r\n'),
      );
    }

    describe('auto-answer', () => {
      const note = () => page.getByTestId('auto-answer-note');
      const checkbox = () => page.getByTestId('auto-answer');

      it('is off by default; on, answers a call offered to this page by itself after 2 s as Answer does, saying so meanwhile, and plays its audio', async () => {
        await signInWithPhone();
        expect(await checkbox().isChecked()).toBe(false);
        expect(await page.getByLabel('Auto-answer calls on this page').getAttribute('data-testid')).toBe('auto-answer');
        await checkbox().check();
        expect(await page.evaluate(() => localStorage.getItem('callflow.agent.autoAnswer.mari'))).toBe('on');

        const sent = Date.now();
        send({ type: 'offer', callId: 'call-60', context: phoneCall });
        invite('call-60');
        await expect.poll(callState).toBe('ringing');
        expect(await note().isVisible()).toBe(true);
        expect(await note().textContent()).toBe('Answering automatically in 2 s…');
        expect(await note().getAttribute('role')).toBe('status');
        expect(await text('incoming-caller')).toBe('sip:+3725551234@carrier.example'); // (who is calling, meanwhile)
        await page.waitForTimeout(1000);
        expect(answered('call-60')).toBe(false);
        expect(await callState()).toBe('ringing');

        await expect.poll(() => answered('call-60'), { timeout: 10_000 }).toBe(true);
        expect(Date.now() - sent).toBeGreaterThanOrEqual(1900);
        expect(finals('call-60')).toHaveLength(1);
        expect(await note().isVisible()).toBe(false);
        ack('call-60');
        await expect.poll(callState).toBe('active');
        expect(await page.locator('#call-title').textContent()).toBe('On a call');
        // the caller's audio plays without a click (here autoplay is allowed; in a browser the checkbox's click unlocked it)
        await expect.poll(() => page.evaluate(() => {
          const a = document.getElementById('remote-audio') as HTMLAudioElement;
          return [a.srcObject instanceof MediaStream, a.paused];
        })).toEqual([true, false]);
      });

      it('off: an offered call rings until the agent clicks Answer, which answers it', async () => {
        await signInWithPhone();
        send({ type: 'offer', callId: 'call-61', context: phoneCall });
        invite('call-61');
        await expect.poll(callState).toBe('ringing');
        expect(await note().isVisible()).toBe(false);
        await page.waitForTimeout(2500);
        expect(answered('call-61')).toBe(false);
        expect(await callState()).toBe('ringing');
        await page.getByTestId('answer').click();
        await expect.poll(() => answered('call-61'), { timeout: 10_000 }).toBe(true);
        ack('call-61');
        await expect.poll(callState).toBe('active');
      });

      it('on: a click on Answer meanwhile answers at once, and once', async () => {
        await signInWithPhone();
        await checkbox().check();
        send({ type: 'offer', callId: 'call-64', context: phoneCall });
        invite('call-64');
        await expect.poll(callState).toBe('ringing');
        await note().waitFor({ state: 'visible' });
        await page.getByTestId('answer').click();
        expect(await callState()).toBe('connecting');
        expect(await note().isVisible()).toBe(false);
        await expect.poll(() => answered('call-64'), { timeout: 10_000 }).toBe(true);
        ack('call-64');
        await expect.poll(callState).toBe('active');
        await page.waitForTimeout(2500);
        expect(await callState()).toBe('active');
        expect(finals('call-64').every((m) => m.startsWith('SIP/2.0 200 '))).toBe(true);
        expect(await visible('desk-error')).toBe(false);
      });

      it('on: answers nothing when the offer is withdrawn before the 2 s, or the desk phone took the call', async () => {
        await signInWithPhone();
        await checkbox().check();
        send({ type: 'offer', callId: 'call-62', context: phoneCall });
        invite('call-62');
        await expect.poll(callState).toBe('ringing');
        await note().waitFor({ state: 'visible' });
        send({ type: 'offer-cancelled', callId: 'call-62', reason: 'caller-hangup' });
        await page.getByTestId('incoming').waitFor({ state: 'hidden' });
        expect(await note().isVisible()).toBe(false);

        // (the desk phone answered: the page shows the call, its softphone's INVITE is left to the CANCEL)
        send({ type: 'offer', callId: 'call-63', context: phoneCall });
        invite('call-63');
        await expect.poll(callState).toBe('ringing');
        send({ type: 'connected', callId: 'call-63', context: phoneCall, device: 'desk-phone' });
        await expect.poll(callState).toBe('elsewhere');
        expect(await note().isVisible()).toBe(false);

        await page.waitForTimeout(2500);
        expect(answered('call-62')).toBe(false);
        expect(finals('call-62').map((m) => m.split('\r\n')[0])).toEqual(['SIP/2.0 486 Busy Here']);
        expect(answered('call-63')).toBe(false);
        expect(await callState()).toBe('elsewhere');
      });

      it('is remembered in this browser for the agent across a reload', async () => {
        await signInWithPhone();
        await checkbox().check();
        await page.reload();
        await page.getByTestId('agent-name').waitFor({ state: 'visible' });
        await expect.poll(() => checkbox().isChecked()).toBe(true);
        await checkbox().uncheck();
        expect(await page.evaluate(() => localStorage.getItem('callflow.agent.autoAnswer.mari'))).toBeNull();
        await page.reload();
        await page.getByTestId('agent-name').waitFor({ state: 'visible' });
        expect(await checkbox().isChecked()).toBe(false);
      });
    });

    describe('consult (attended transfer)', () => {
      const ANNA = 'sip:anna@test.realm';
      const callError = () => page.locator('#call-error');

      beforeEach(() => {
        sdpVersion = 2;
        server.route('GET /api/agent/transfer-targets', () => ({
          status: 200,
          body: { queues: [{ id: '1', name: 'Support', uri: 'sip:support@test.realm' }], agents: [{ id: '12', name: 'Anna Tamm', uri: ANNA }] },
        }));
      });

      /** The INVITEs the page sent in the dialog of call `callId` (hold, resume), in order. */
      const reInvites = (callId: string): string[] => sip.messages.filter((m) => m.startsWith('INVITE ') && header(m, 'Call-ID') === `sip-${callId}`);
      /** The page's own calls to Anna (consults), in order. */
      const consultInvites = (): string[] => sip.messages.filter((m) => m.startsWith(`INVITE ${ANNA} SIP/2.0`));
      /** The requests of `method` the page sent with this Call-ID. */
      const sentIn = (method: string, callId: string): string[] => sip.messages.filter((m) => m.startsWith(`${method} `) && header(m, 'Call-ID') === callId);
      /** Whether each audio element has a stream and whether it is paused: the consult call's, the caller's. */
      const audio = () =>
        page.evaluate(() =>
          Object.fromEntries(
            ['consult-audio', 'remote-audio'].map((id) => {
              const a = document.getElementById(id) as HTMLAudioElement;
              return [id, [a.srcObject instanceof MediaStream, a.paused]];
            }),
          ),
        );
      const completes = () => server.requests.filter((r) => r.method === 'POST' && r.path === '/api/agent/call/consult/complete');

      /** Signs in with a call of a phone caller on this page's phone: offered, rung, answered, confirmed. */
      async function onCall(callId: string): Promise<void> {
        await signInWithPhone();
        send({ type: 'offer', callId, context: phoneCall });
        invite(callId);
        await expect.poll(callState).toBe('ringing');
        await page.getByTestId('answer').click();
        await expect.poll(() => answered(callId), { timeout: 10_000 }).toBe(true);
        ack(callId);
        await expect.poll(callState).toBe('active');
        await expect.poll(() => page.getByTestId('transfer-queue').locator('option').count()).toBe(2);
      }

      /** Consults Anna about call `callId`: its hold (re-INVITE number `holds`) answered, the consult call placed and returned unanswered. */
      async function consultAnna(callId: string, holds = 1): Promise<string> {
        const placed = consultInvites().length;
        await page.getByTestId('transfer-queue').selectOption({ label: 'Anna Tamm' });
        await page.getByTestId('consult').click();
        await expect.poll(() => reInvites(callId).length, { timeout: 10_000 }).toBe(holds);
        accept(reInvites(callId)[holds - 1]!);
        await expect.poll(callState).toBe('held');
        await expect.poll(() => consultInvites().length, { timeout: 10_000 }).toBe(placed + 1);
        return consultInvites()[placed]!;
      }

      /** The server answers the consult call (music until the other agent answers); the page confirms it. */
      async function answerConsult(request: string, toTag: string): Promise<void> {
        accept(request, toTag);
        await expect.poll(() => sentIn('ACK', header(request, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
      }

      it("holds the caller, calls the chosen agent from the page's phone (whose audio plays instead), follows the server's ringing and talking, and completes the transfer", async () => {
        const answers = [
          { status: 409, body: { statusCode: 409, code: 'ERR_INVALID_STATE', error: 'Conflict', message: 'Anna Tamm has not answered the consult call' } },
          { status: 200, body: { transferred: true } },
        ];
        server.route('POST /api/agent/call/consult/complete', () => answers.shift()!);
        await onCall('call-70');
        expect(await visible('consult')).toBe(true);
        expect(await visible('consult-panel')).toBe(false);
        await page.getByTestId('transfer-queue').selectOption({ label: 'Anna Tamm' });
        await page.getByTestId('consult').click();

        // first the caller is put on hold (the hold re-INVITE), and only then the consult call goes
        await expect.poll(() => reInvites('call-70').length, { timeout: 10_000 }).toBe(1);
        expect(sdpOf(reInvites('call-70')[0]!)).toMatch(/^a=sendonly\r?$/m);
        await page.getByTestId('consult-panel').waitFor({ state: 'visible' });
        expect(await text('consult-state')).toBe('Consulting Anna Tamm: ringing');
        expect(consultInvites()).toHaveLength(0);
        accept(reInvites('call-70')[0]!);
        await expect.poll(callState).toBe('held');
        await expect.poll(() => consultInvites().length, { timeout: 10_000 }).toBe(1);
        const consult = consultInvites()[0]!;
        expect(header(consult, 'Call-ID')).not.toBe('sip-call-70');
        expect(sdpOf(consult)).toMatch(/^m=audio /m);
        expect(sdpOf(consult)).not.toMatch(/^m=video /m);
        // (the consult holds the caller: no resuming, transferring or consulting again meanwhile)
        expect(await page.getByTestId('hold').isDisabled()).toBe(true);
        expect(await page.getByTestId('transfer').isDisabled()).toBe(true);
        expect(await page.getByTestId('consult').isDisabled()).toBe(true);

        await answerConsult(consult, 'consult-1');
        await expect.poll(audio).toEqual({ 'consult-audio': [true, false], 'remote-audio': [false, true] });
        send({ type: 'consult', callId: 'call-70', consultId: 'consult-1', state: 'ringing', target: 'Anna Tamm' });
        expect(await text('consult-state')).toBe('Consulting Anna Tamm: ringing');
        expect(await page.getByTestId('consult-complete').isDisabled()).toBe(true);
        send({ type: 'consult', callId: 'call-70', consultId: 'consult-1', state: 'talking', target: 'Anna Tamm' });
        await expect.poll(() => text('consult-state')).toBe('Consulting Anna Tamm: talking');
        expect(await page.getByTestId('consult-complete').isEnabled()).toBe(true);

        // refused: the server's words, and the consult goes on
        await page.getByTestId('consult-complete').click();
        await expect.poll(() => callError().textContent()).toBe('Anna Tamm has not answered the consult call');
        await expect.poll(() => page.getByTestId('consult-complete').isEnabled()).toBe(true);
        expect(await text('consult-state')).toBe('Consulting Anna Tamm: talking');

        // done: the server hangs up both of the page's calls itself
        await page.getByTestId('consult-complete').click();
        await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
        expect(completes().map((r) => [r.headers.authorization, r.headers['content-type'], r.body])).toEqual([
          ['Bearer agent-token-1', 'application/json', {}],
          ['Bearer agent-token-1', 'application/json', {}],
        ]);
        byeTo(consult, 'consult-1');
        inDialog('call-70', 'BYE', 2);
        await page.getByTestId('incoming').waitFor({ state: 'hidden' });
        await expect.poll(() => sip.messages.filter((m) => m.startsWith('SIP/2.0 200 ') && /^CSeq: *\d+ BYE/im.test(m)).map((m) => header(m, 'Call-ID')).sort()).toEqual(
          [header(consult, 'Call-ID'), 'sip-call-70'].sort(),
        );
        expect(sip.messages.filter((m) => m.startsWith('BYE '))).toEqual([]);
        expect(await visible('desk-error')).toBe(false);
        expect(await page.getByTestId('ready').isEnabled()).toBe(true);
      });

      it('shows the refusal of the consult call and takes the caller off hold again, unless the agent had held them', async () => {
        await onCall('call-71');
        const consult = await consultAnna('call-71');
        sip.reply(consult, '486 Agent not ready', { toTag: 'refused-1' });
        await expect.poll(() => callError().textContent()).toBe('486 Agent not ready');
        expect(await visible('consult-panel')).toBe(false);
        await expect.poll(() => reInvites('call-71').length, { timeout: 10_000 }).toBe(2);
        expect(sdpOf(reInvites('call-71')[1]!)).toMatch(/^a=sendrecv\r?$/m);
        accept(reInvites('call-71')[1]!);
        await expect.poll(callState).toBe('active');
        // (the refusal was acknowledged: RFC 3261 17.1.1.3)
        expect(sentIn('ACK', header(consult, 'Call-ID'))).toHaveLength(1);

        // held by the agent before the consult: it stays held when the consult is refused
        await page.getByTestId('hold').click();
        await expect.poll(() => reInvites('call-71').length, { timeout: 10_000 }).toBe(3);
        accept(reInvites('call-71')[2]!);
        await expect.poll(callState).toBe('held');
        await page.getByTestId('consult').click();
        await expect.poll(() => consultInvites().length, { timeout: 10_000 }).toBe(2);
        sip.reply(consultInvites()[1]!, '480 Temporarily Unavailable', { toTag: 'refused-2' });
        await expect.poll(() => callError().textContent()).toBe('480 Temporarily Unavailable');
        expect(await visible('consult-panel')).toBe(false);
        await page.waitForTimeout(500);
        expect(reInvites('call-71')).toHaveLength(3);
        expect(await callState()).toBe('held');
        expect(await page.getByTestId('hold').isEnabled()).toBe(true);
      });

      it('cancels the consult: hangs up the consult call (BYE once answered, CANCEL before) and takes the caller off hold', async () => {
        await onCall('call-72');
        const consult = await consultAnna('call-72');
        await answerConsult(consult, 'consult-2');
        send({ type: 'consult', callId: 'call-72', consultId: 'consult-2', state: 'ringing', target: 'Anna Tamm' });
        await page.getByTestId('consult-cancel').click();
        await expect.poll(() => sentIn('BYE', header(consult, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
        await expect.poll(() => reInvites('call-72').length, { timeout: 10_000 }).toBe(2);
        expect(sdpOf(reInvites('call-72')[1]!)).toMatch(/^a=sendrecv\r?$/m);
        expect(await visible('consult-panel')).toBe(false);
        accept(reInvites('call-72')[1]!);
        await expect.poll(callState).toBe('active');
        // the caller's audio plays again
        await expect.poll(audio).toEqual({ 'consult-audio': [false, true], 'remote-audio': [true, false] });
        expect(await callError().isVisible()).toBe(false);

        // not answered yet: CANCEL
        const second = await consultAnna('call-72', 3);
        await page.getByTestId('consult-cancel').click();
        await expect.poll(() => sentIn('CANCEL', header(second, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
        await expect.poll(() => reInvites('call-72').length, { timeout: 10_000 }).toBe(4);
        expect(sdpOf(reInvites('call-72')[3]!)).toMatch(/^a=sendrecv\r?$/m);
        expect(await visible('consult-panel')).toBe(false);
      });

      it('ends the consult when the other side hangs up or the server says it is over, the caller staying on hold', async () => {
        await onCall('call-73');
        const consult = await consultAnna('call-73');
        await answerConsult(consult, 'consult-3');
        send({ type: 'consult', callId: 'call-73', consultId: 'consult-3', state: 'talking', target: 'Anna Tamm' });
        await expect.poll(() => text('consult-state')).toBe('Consulting Anna Tamm: talking');
        byeTo(consult, 'consult-3');
        await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
        expect(await callError().textContent()).toBe('Consult ended');
        expect(await callState()).toBe('held');
        expect(await page.getByTestId('hold').textContent()).toBe('Resume');
        expect(await page.getByTestId('hold').isEnabled()).toBe(true);

        // again (the caller is held already: no hold), and the server says it is over
        await page.getByTestId('consult').click();
        await expect.poll(() => consultInvites().length, { timeout: 10_000 }).toBe(2);
        const second = consultInvites()[1]!;
        await answerConsult(second, 'consult-4');
        send({ type: 'consult', callId: 'call-73', consultId: 'consult-4', state: 'ringing', target: 'Anna Tamm' });
        // (the first consult's word, late, changes nothing)
        send({ type: 'consult', callId: 'call-73', consultId: 'consult-3', state: 'ended', target: 'Anna Tamm', reason: 'hung up' });
        send({ type: 'consult', callId: 'call-73', consultId: 'consult-4', state: 'talking', target: 'Anna Tamm' });
        await expect.poll(() => text('consult-state')).toBe('Consulting Anna Tamm: talking');
        send({ type: 'consult', callId: 'call-73', consultId: 'consult-4', state: 'ended', target: 'Anna Tamm', reason: 'Anna Tamm logged out' });
        await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
        expect(await callError().textContent()).toBe('Consult ended (Anna Tamm logged out)');
        await expect.poll(() => sentIn('BYE', header(second, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
        await page.waitForTimeout(500);
        expect(reInvites('call-73')).toHaveLength(1);
        expect(await callState()).toBe('held');
      });

      it('keeps the consult call up when the caller hangs up meanwhile, until the agent cancels it (with nothing to resume)', async () => {
        await onCall('call-74');
        const consult = await consultAnna('call-74');
        await answerConsult(consult, 'consult-5');
        inDialog('call-74', 'BYE', 2);
        await page.getByTestId('incoming').waitFor({ state: 'hidden' });
        expect(await visible('consult-panel')).toBe(true);
        expect(await text('consult-state')).toBe('Consulting Anna Tamm: ringing');
        expect(await audio()).toEqual({ 'consult-audio': [true, false], 'remote-audio': [false, true] });
        expect(await page.getByTestId('ready').isDisabled()).toBe(true); // (still on a call)
        expect(sentIn('BYE', header(consult, 'Call-ID'))).toEqual([]);
        await page.getByTestId('consult-cancel').click();
        await expect.poll(() => sentIn('BYE', header(consult, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
        await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
        await page.waitForTimeout(500);
        expect(reInvites('call-74')).toHaveLength(1);
        expect(await page.getByTestId('ready').isEnabled()).toBe(true);
      });

      describe('conference (the three mixed on this page)', () => {
        /** What the test records in the page (its own instrumentation, see watchMedia): nothing of the page's. */
        interface MediaWatch {
          mics: MediaStreamTrack[];
          pcs: RTCPeerConnection[];
          contexts: AudioContext[];
          mixed: MediaStreamTrack[];
        }

        /**
         * Test-only instrumentation, installed before the page loads: records the microphone tracks getUserMedia gives,
         * the peer connections and AudioContexts made, and the tracks of the stream destinations those make (the mixes').
         */
        async function watchMedia(): Promise<void> {
          await page.addInitScript(() => {
            const media: MediaWatch = { mics: [], pcs: [], contexts: [], mixed: [] };
            (window as unknown as { __media: MediaWatch }).__media = media;
            const devices = navigator.mediaDevices;
            const getUserMedia = devices.getUserMedia.bind(devices);
            devices.getUserMedia = async (constraints) => {
              const stream = await getUserMedia(constraints);
              media.mics.push(...stream.getAudioTracks());
              return stream;
            };
            const PC = window.RTCPeerConnection;
            const AC = window.AudioContext;
            const makeDestination = AC.prototype.createMediaStreamDestination;
            AC.prototype.createMediaStreamDestination = function (this: AudioContext) {
              const node = makeDestination.call(this);
              media.mixed.push(...node.stream.getAudioTracks());
              return node;
            };
            Object.assign(window, {
              RTCPeerConnection: class extends PC {
                constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
                  super(...args);
                  media.pcs.push(this);
                }
              },
              AudioContext: class extends AC {
                constructor(...args: ConstructorParameters<typeof AudioContext>) {
                  super(...args);
                  media.contexts.push(this);
                }
              },
            });
          });
        }

        /**
         * What each open call sends, in the order the calls were made (the customer's, then the consult call): 'mic' (a
         * microphone track), 'mix' (a live track a mix made), or what else.
         */
        const sending = () =>
          page.evaluate(() => {
            const m = (window as unknown as { __media: MediaWatch }).__media;
            return m.pcs
              .filter((pc) => pc.signalingState !== 'closed')
              .map((pc) => {
                const t = pc.getSenders().find((s) => s.track?.kind === 'audio')?.track;
                return t == null ? 'none' : m.mics.includes(t) ? 'mic' : m.mixed.includes(t) && t.readyState === 'live' ? 'mix' : `other (${t.label}, ${t.readyState})`;
              });
          });
        /** Whether the live microphone tracks are enabled (muted: not), and the live mixed tracks. */
        const enabled = () =>
          page.evaluate(() => {
            const m = (window as unknown as { __media: MediaWatch }).__media;
            const live = (ts: MediaStreamTrack[]) => ts.filter((t) => t.readyState === 'live').map((t) => t.enabled);
            return { mics: live(m.mics), mixed: live(m.mixed) };
          });
        /** What is left of the mixing: AudioContexts not closed, mixed tracks not stopped, microphones live on no open call. */
        const leftovers = () =>
          page.evaluate(() => {
            const m = (window as unknown as { __media: MediaWatch }).__media;
            const sent = new Set(m.pcs.filter((pc) => pc.signalingState !== 'closed').flatMap((pc) => pc.getSenders().map((s) => s.track)));
            return {
              contexts: m.contexts.filter((c) => c.state !== 'closed').length,
              mixed: m.mixed.filter((t) => t.readyState === 'live').length,
              idleMics: m.mics.filter((t) => t.readyState === 'live' && !sent.has(t)).length,
            };
          });
        const NOTHING_LEFT = { contexts: 0, mixed: 0, idleMics: 0 };

        /** On call `callId`, consults Anna until the server says she talks (the consult call answered with `toTag`). */
        async function talkingWithAnna(callId: string, toTag: string, holds = 1): Promise<string> {
          const consult = await consultAnna(callId, holds);
          await answerConsult(consult, toTag);
          send({ type: 'consult', callId, consultId: toTag, state: 'talking', target: 'Anna Tamm' });
          await expect.poll(() => text('consult-state')).toBe('Consulting Anna Tamm: talking');
          return consult;
        }

        /** Conference: the caller's un-hold re-INVITE (number `resume` of the call) answered, the three mixed. */
        async function conference(callId: string, resume = 2): Promise<void> {
          await page.getByTestId('consult-conference').click();
          await expect.poll(() => reInvites(callId).length, { timeout: 10_000 }).toBe(resume);
          expect(sdpOf(reInvites(callId)[resume - 1]!)).toMatch(/^a=sendrecv\r?$/m);
          accept(reInvites(callId)[resume - 1]!);
          await expect.poll(() => text('consult-state')).toBe('Conference with Anna Tamm');
        }

        it('takes the caller off hold and only then mixes: each call sends the microphone and the other party, the agent hears both, Mute silences only the agent', async () => {
          await watchMedia();
          await onCall('call-90');
          await talkingWithAnna('call-90', 'consult-90');
          expect(await sending()).toEqual(['mic', 'mic']);
          expect(await page.getByTestId('consult-conference').isEnabled()).toBe(true);

          await page.getByTestId('consult-conference').click();
          await expect.poll(() => reInvites('call-90').length, { timeout: 10_000 }).toBe(2);
          expect(sdpOf(reInvites('call-90')[1]!)).toMatch(/^a=sendrecv\r?$/m);
          // (not mixed until the caller is off hold)
          await expect.poll(() => text('consult-state')).toBe('Consulting Anna Tamm: taking the caller off hold…');
          expect(await page.getByTestId('consult-conference').isDisabled()).toBe(true);
          expect(await page.getByTestId('consult-complete').isDisabled()).toBe(true);
          expect(await sending()).toEqual(['mic', 'mic']);
          expect(await leftovers()).toEqual(NOTHING_LEFT);

          accept(reInvites('call-90')[1]!);
          await expect.poll(() => text('consult-state')).toBe('Conference with Anna Tamm');
          await expect.poll(sending).toEqual(['mix', 'mix']);
          expect(await text('consult-cancel')).toBe('End conference');
          expect(await page.getByTestId('consult-complete').isEnabled()).toBe(true);
          expect(await visible('consult-conference')).toBe(false);
          expect(await callState()).toBe('active');
          expect(await page.getByTestId('hold').isDisabled()).toBe(true);
          // the agent hears both calls; the two mixes share one AudioContext
          await expect.poll(audio).toEqual({ 'consult-audio': [true, false], 'remote-audio': [true, false] });
          // (the microphones feed the mixes, on no sender meanwhile)
          expect(await leftovers()).toEqual({ contexts: 1, mixed: 2, idleMics: 2 });
          expect(await enabled()).toEqual({ mics: [true, true], mixed: [true, true] });

          // Mute: both microphones silent in the mixes, which go on (the caller and Anna hear each other)
          await page.getByTestId('mute').click();
          await expect.poll(enabled).toEqual({ mics: [false, false], mixed: [true, true] });
          expect(await sending()).toEqual(['mix', 'mix']);
          await page.getByTestId('mute').click();
          await expect.poll(enabled).toEqual({ mics: [true, true], mixed: [true, true] });
          expect(reInvites('call-90')).toHaveLength(2);
        });

        it('End conference hangs up the consult call, and the agent goes on with the caller (not held) on the microphone alone', async () => {
          await watchMedia();
          await onCall('call-91');
          const consult = await talkingWithAnna('call-91', 'consult-91');
          await conference('call-91');
          await expect.poll(sending).toEqual(['mix', 'mix']);
          await page.getByTestId('consult-cancel').click();
          await expect.poll(() => sentIn('BYE', header(consult, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
          await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
          await expect.poll(sending).toEqual(['mic']);
          await expect.poll(leftovers).toEqual(NOTHING_LEFT);
          expect(await callState()).toBe('active');
          await expect.poll(audio).toEqual({ 'consult-audio': [false, true], 'remote-audio': [true, false] });
          expect(await page.getByTestId('hold').isEnabled()).toBe(true);
          expect(await page.getByTestId('hold').textContent()).toBe('Hold');
          expect(await callError().isVisible()).toBe(false);
          await page.waitForTimeout(500);
          expect(reInvites('call-91')).toHaveLength(2); // (no hold, no resume)
        });

        it('ends the conference when Anna hangs up or the server says the consult is over: the caller stays with the agent, not held, on the microphone', async () => {
          await watchMedia();
          await onCall('call-92');
          const consult = await talkingWithAnna('call-92', 'consult-92');
          await conference('call-92');
          await expect.poll(sending).toEqual(['mix', 'mix']);
          byeTo(consult, 'consult-92');
          await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
          expect(await callError().textContent()).toBe('Consult ended');
          await expect.poll(sending).toEqual(['mic']);
          await expect.poll(leftovers).toEqual(NOTHING_LEFT);
          expect(await callState()).toBe('active');
          expect(await page.getByTestId('hold').textContent()).toBe('Hold');
          await expect.poll(audio).toEqual({ 'consult-audio': [false, true], 'remote-audio': [true, false] });

          // again, and the server says it is over (the page hangs its consult call up)
          const second = await talkingWithAnna('call-92', 'consult-93', 3);
          await conference('call-92', 4);
          await expect.poll(sending).toEqual(['mix', 'mix']);
          send({ type: 'consult', callId: 'call-92', consultId: 'consult-93', state: 'ended', target: 'Anna Tamm', reason: 'Anna Tamm logged out' });
          await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
          expect(await callError().textContent()).toBe('Consult ended (Anna Tamm logged out)');
          await expect.poll(() => sentIn('BYE', header(second, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
          await expect.poll(sending).toEqual(['mic']);
          await expect.poll(leftovers).toEqual(NOTHING_LEFT);
          expect(await callState()).toBe('active');
          await page.waitForTimeout(500);
          expect(reInvites('call-92')).toHaveLength(4);
        });

        it('a refused resume says why and the consult goes on, the caller held and nothing mixed; Conference may be tried again', async () => {
          await watchMedia();
          await onCall('call-93');
          await talkingWithAnna('call-93', 'consult-94');
          await page.getByTestId('consult-conference').click();
          await expect.poll(() => reInvites('call-93').length, { timeout: 10_000 }).toBe(2);
          sip.reply(reInvites('call-93')[1]!, '488 Not Acceptable Here');
          await expect.poll(() => callError().textContent()).toBe('Resume refused (488 Not Acceptable Here).');
          await expect.poll(() => text('consult-state')).toBe('Consulting Anna Tamm: talking');
          expect(await callState()).toBe('held');
          expect(await text('consult-cancel')).toBe('Cancel consult');
          expect(await page.getByTestId('consult-conference').isEnabled()).toBe(true);
          expect(await page.getByTestId('consult-complete').isEnabled()).toBe(true);
          expect(await sending()).toEqual(['mic', 'mic']);
          expect(await leftovers()).toEqual(NOTHING_LEFT);
          expect(await audio()).toEqual({ 'consult-audio': [true, false], 'remote-audio': [false, true] });

          await conference('call-93', 3);
          await expect.poll(sending).toEqual(['mix', 'mix']);
        });

        it('Complete transfer from the conference hands the caller over as from the consult (a refusal keeps the conference), and the mixing stops', async () => {
          const answers = [
            { status: 409, body: { statusCode: 409, code: 'ERR_INVALID_STATE', error: 'Conflict', message: 'the consult cannot be completed now' } },
            { status: 200, body: { transferred: true } },
          ];
          server.route('POST /api/agent/call/consult/complete', () => answers.shift()!);
          await watchMedia();
          await onCall('call-94');
          const consult = await talkingWithAnna('call-94', 'consult-95');
          await conference('call-94');
          await page.getByTestId('consult-complete').click();
          await expect.poll(() => callError().textContent()).toBe('the consult cannot be completed now');
          await expect.poll(() => page.getByTestId('consult-complete').isEnabled()).toBe(true);
          expect(await text('consult-state')).toBe('Conference with Anna Tamm');
          expect(await sending()).toEqual(['mix', 'mix']);

          await page.getByTestId('consult-complete').click();
          await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
          expect(completes().map((r) => [r.headers.authorization, r.body])).toEqual([
            ['Bearer agent-token-1', {}],
            ['Bearer agent-token-1', {}],
          ]);
          // (until the server hangs both calls up, each sends the microphone again)
          await expect.poll(sending).toEqual(['mic', 'mic']);
          byeTo(consult, 'consult-95');
          inDialog('call-94', 'BYE', 2);
          await page.getByTestId('incoming').waitFor({ state: 'hidden' });
          await expect.poll(leftovers).toEqual(NOTHING_LEFT);
          expect(sip.messages.filter((m) => m.startsWith('BYE '))).toEqual([]);
          expect(reInvites('call-94')).toHaveLength(2);
        });

        it('goes on with Anna when the caller hangs up during the conference: the consult call sends the microphone again', async () => {
          server.route('POST /api/agent/call/consult/complete', () => ({
            status: 409, body: { statusCode: 409, code: 'ERR_INVALID_STATE', error: 'Conflict', message: 'the caller has hung up' },
          }));
          await watchMedia();
          await onCall('call-95');
          const consult = await talkingWithAnna('call-95', 'consult-96');
          await conference('call-95');
          await expect.poll(sending).toEqual(['mix', 'mix']);
          inDialog('call-95', 'BYE', 2);
          await page.getByTestId('incoming').waitFor({ state: 'hidden' });
          await expect.poll(() => text('consult-state')).toBe('Consulting Anna Tamm: talking');
          expect(await text('consult-cancel')).toBe('Cancel consult');
          await expect.poll(sending).toEqual(['mic']);
          await expect.poll(leftovers).toEqual(NOTHING_LEFT);
          expect(await enabled()).toEqual({ mics: [true], mixed: [] });
          expect(await audio()).toEqual({ 'consult-audio': [true, false], 'remote-audio': [false, true] });
          // nothing to hand over: the server's words
          await page.getByTestId('consult-complete').click();
          await expect.poll(() => text('desk-error')).toBe('the caller has hung up');
          expect(await text('consult-state')).toBe('Consulting Anna Tamm: talking');
          await page.getByTestId('consult-cancel').click();
          await expect.poll(() => sentIn('BYE', header(consult, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
          await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
        });
      });

      describe('dialled from the desk phone (followed and controlled on the page)', () => {
        const cancels = () => server.requests.filter((r) => r.method === 'DELETE' && r.path === '/api/agent/call/consult');
        const consultMsg = (callId: string, consultId: string, state: string, reason?: string) =>
          ({ type: 'consult', callId, consultId, state, target: 'Bob Bell', ...(reason === undefined ? {} : { reason }) });
        const conflict = (message: string) => ({ status: 409, body: { statusCode: 409, code: 'ERR_IN_USE', error: 'Conflict', message } });

        /** Signs in with call `callId` of a phone caller answered on the desk phone (the page shows it elsewhere). */
        async function onDeskPhone(callId: string): Promise<void> {
          await signIn();
          send({ type: 'connected', callId, context: phoneCall, device: 'desk-phone', recorded: false });
          await expect.poll(callState).toBe('elsewhere');
          expect(await visible('consult-panel')).toBe(false);
        }

        /** The agent dials Bob from the desk phone about call `callId`: the server says the consult `consultId` rings, then (talking) that Bob answered. */
        async function deskConsult(callId: string, consultId: string, talking: boolean): Promise<void> {
          send(consultMsg(callId, consultId, 'ringing'));
          await page.getByTestId('consult-panel').waitFor({ state: 'visible' });
          expect(await text('consult-state')).toBe('Consulting Bob Bell: ringing');
          if (!talking) return;
          send(consultMsg(callId, consultId, 'talking'));
          await expect.poll(() => text('consult-state')).toBe('Consulting Bob Bell: talking');
        }

        it('shows the consult from the server\'s ringing and talking, without Conference, and Complete transfer asks the server to hand the caller over', async () => {
          // (the server hangs up the desk phone's call before it answers, as the real one does)
          server.route('POST /api/agent/call/consult/complete', () => {
            send({ type: 'call-ended', callId: 'call-100' });
            return new Promise((resolve) => setTimeout(() => resolve({ status: 200, body: { transferred: true } }), 300));
          });
          await onDeskPhone('call-100');
          await deskConsult('call-100', 'consult-100', false);
          expect(await page.getByTestId('consult-complete').isDisabled()).toBe(true);
          expect(await page.getByTestId('consult-cancel').isEnabled()).toBe(true);
          expect(await visible('consult-conference')).toBe(false);
          send(consultMsg('call-100', 'consult-100', 'talking'));
          await expect.poll(() => text('consult-state')).toBe('Consulting Bob Bell: talking');
          expect(await page.getByTestId('consult-complete').isEnabled()).toBe(true);
          expect(await visible('consult-conference')).toBe(false);
          expect(await callState()).toBe('elsewhere');

          await page.getByTestId('consult-complete').click();
          await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
          expect(completes().map((r) => [r.headers.authorization, r.headers['content-type'], r.body])).toEqual([['Bearer agent-token-1', 'application/json', {}]]);
          await page.getByTestId('incoming').waitFor({ state: 'hidden' });
          // (the agent asked for it: no "Consult ended", nor anything else, and nothing else asked of the server)
          expect(await visible('desk-error')).toBe(false);
          expect(cancels()).toEqual([]);
          expect(server.requests.filter((r) => r.path === '/api/agent/call/hangup')).toEqual([]);
        });

        it('shows a refusal of Complete transfer in the server\'s words, and the consult goes on', async () => {
          server.route('POST /api/agent/call/consult/complete', () => conflict('nobody has taken your consult yet'));
          await onDeskPhone('call-101');
          await deskConsult('call-101', 'consult-101', true);
          await page.getByTestId('consult-complete').click();
          await expect.poll(() => callError().textContent()).toBe('nobody has taken your consult yet');
          expect(await callError().isVisible()).toBe(true);
          await expect.poll(() => page.getByTestId('consult-complete').isEnabled()).toBe(true);
          expect(await visible('consult-panel')).toBe(true);
          expect(await text('consult-state')).toBe('Consulting Bob Bell: talking');
          expect(await page.getByTestId('consult-cancel').isEnabled()).toBe(true);
          expect(completes()).toHaveLength(1);
          expect(await callState()).toBe('elsewhere');
        });

        it('Cancel consult asks the server to end it (DELETE): a refusal in its words keeps the card, done it goes without a word, the call staying on the desk phone', async () => {
          const answers = [conflict('you have no consult in progress'), { status: 200, body: { ended: true } }];
          server.route('DELETE /api/agent/call/consult', () => {
            const answer = answers.shift()!;
            // (done: the server's own word that the consult is over comes too)
            if (answer.status === 200) send(consultMsg('call-102', 'consult-102', 'ended', 'cancelled'));
            return answer;
          });
          await onDeskPhone('call-102');
          await deskConsult('call-102', 'consult-102', false);
          await page.getByTestId('consult-cancel').click();
          await expect.poll(() => callError().textContent()).toBe('you have no consult in progress');
          expect(await visible('consult-panel')).toBe(true);
          expect(await text('consult-state')).toBe('Consulting Bob Bell: ringing');

          await page.getByTestId('consult-cancel').click();
          await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
          expect(cancels().map((r) => [r.headers.authorization, r.body])).toEqual([
            ['Bearer agent-token-1', undefined],
            ['Bearer agent-token-1', undefined],
          ]);
          expect(completes()).toEqual([]);
          // the caller waits on hold on the desk phone: the call stays, and nothing says "Consult ended"
          await page.waitForTimeout(300);
          expect(await callState()).toBe('elsewhere');
          expect(await callError().textContent()).not.toContain('Consult ended');
          expect(await visible('desk-error')).toBe(false);
        });

        it('ends the consult when the server says it is over (with why), or when the call leaves the desk', async () => {
          await onDeskPhone('call-103');
          await deskConsult('call-103', 'consult-103', false);
          // (an earlier consult's word, late, changes nothing)
          send(consultMsg('call-103', 'consult-99', 'ended', 'hung up'));
          send(consultMsg('call-103', 'consult-103', 'ended', 'declined'));
          await page.getByTestId('consult-panel').waitFor({ state: 'hidden' });
          expect(await callError().textContent()).toBe('Consult ended (declined)');
          expect(await callError().isVisible()).toBe(true);
          expect(await callState()).toBe('elsewhere');

          // again, and the caller hangs up: nothing is left for the page to complete or cancel
          await deskConsult('call-103', 'consult-104', true);
          send({ type: 'call-ended', callId: 'call-103' });
          await page.getByTestId('incoming').waitFor({ state: 'hidden' });
          expect(await visible('consult-panel')).toBe(false);
          // (the consult's end, later, changes nothing)
          send(consultMsg('call-103', 'consult-104', 'ended', 'hung up'));
          await page.waitForTimeout(300);
          expect(await visible('consult-panel')).toBe(false);
          expect(completes()).toEqual([]);
          expect(cancels()).toEqual([]);
        });

        it('changes nothing for a consult about another call', async () => {
          await onDeskPhone('call-104');
          send({ type: 'consult', callId: 'call-999', consultId: 'consult-999', state: 'talking', target: 'Someone Else' });
          // (messages come in order: had the first made a card, this one would change nothing and the card would name Someone Else)
          send(consultMsg('call-104', 'consult-105', 'ringing'));
          await page.getByTestId('consult-panel').waitFor({ state: 'visible' });
          expect(await text('consult-state')).toBe('Consulting Bob Bell: ringing');
          // nor does another call's word change the card that is up
          send({ type: 'consult', callId: 'call-999', consultId: 'consult-999', state: 'ended', target: 'Someone Else', reason: 'declined' });
          send(consultMsg('call-104', 'consult-105', 'talking'));
          await expect.poll(() => text('consult-state')).toBe('Consulting Bob Bell: talking');
          expect(await visible('consult-panel')).toBe(true);
          expect(await callError().isVisible()).toBe(false);
          expect(await callState()).toBe('elsewhere');
        });
      });

      const customer = { ...phoneCall, dispositions: ['Sale', 'No sale'] };
      const consulting = { ...customer, consult: { from: 'Bob Berg', callId: 'call-80' } };

      /** On the consulted agent's page: Bob's consult call `consultId` about his call-80 offered, shown, answered, connected. */
      async function takeConsult(consultId: string): Promise<void> {
        await signInWithPhone();
        send({ type: 'offer', callId: consultId, context: consulting });
        await page.getByTestId('consult-from').waitFor({ state: 'visible' });
        expect(await text('consult-from')).toBe('Consult from Bob Berg');
        expect(await text('incoming-caller')).toBe('sip:+3725551234@carrier.example'); // (the customer's details)
        invite(consultId);
        await expect.poll(callState).toBe('ringing');
        await page.getByTestId('answer').click();
        await expect.poll(() => answered(consultId), { timeout: 10_000 }).toBe(true);
        ack(consultId);
        await expect.poll(callState).toBe('active');
        send({ type: 'connected', callId: consultId, context: consulting, device: 'softphone', recorded: false });
        send({ type: 'queues', queues: [{ queue: 'support', waiting: 0, longestSince: null }] });
        await expect.poll(() => text('my-queues')).toBe('support: none waiting');
        // (a consult call is no call to file: it ends without wrap-up; nor to pass on: the caller is Bob's)
        expect(await visible('disposition')).toBe(false);
        expect(await visible('note-form')).toBe(false);
        expect(await visible('transfer-queue')).toBe(false);
        expect(await text('consult-from')).toBe('Consult from Bob Berg');
      }

      /** The server says the caller is this agent's now (connected replaces): the page shows call-80 and its forms, on the same call. */
      async function handedOver(consultId: string): Promise<void> {
        server.route('PUT /api/agent/calls/call-80/note', (req) => ({ status: 200, body: { callId: 'call-80', text: (req.body as { text: string }).text } }));
        send({ type: 'connected', callId: 'call-80', context: customer, device: 'softphone', recorded: false, replaces: consultId });
        await page.getByTestId('consult-from').waitFor({ state: 'hidden' });
        expect(await callState()).toBe('active');
        await page.getByTestId('disposition').waitFor({ state: 'visible' });
        expect(await page.getByTestId('disposition').getAttribute('data-call-id')).toBe('call-80');
        expect(await page.getByTestId('note-form').getAttribute('data-call-id')).toBe('call-80');
        expect(await visible('transfer-queue')).toBe(true); // (the caller is this agent's now)
        await page.getByTestId('note-text').fill('refund agreed with Bob');
        await page.getByTestId('note-save').click();
        await expect.poll(() => text('note-status')).toBe('Note saved');
        // the consult call's end, later, ends nothing
        send({ type: 'call-ended', callId: consultId });
        send({ type: 'queues', queues: [{ queue: 'sales', waiting: 0, longestSince: null }] });
        await expect.poll(() => text('my-queues')).toBe('sales: none waiting');
        expect(await callState()).toBe('active');
      }

      it("shows who consults on the consulted agent's page, and keeps the call when the server re-INVITEs it and says it is the customer's (connected replaces)", async () => {
        await takeConsult('consult-9');
        // Bob completes the transfer: the server re-INVITEs the call with the caller's media, then says whose call it is now
        inDialog('consult-9', 'INVITE', 2, offerSdp(2));
        const reAnswer = () => sip.messages.filter((m) => /^SIP\/2\.0 \d{3} /.test(m) && header(m, 'Call-ID') === 'sip-consult-9' && /^CSeq: *2 INVITE/im.test(m)).map((m) => m.split('\r\n')[0]);
        await expect.poll(reAnswer, { timeout: 10_000 }).toEqual(['SIP/2.0 200 OK']);
        inDialog('consult-9', 'ACK', 2);
        await handedOver('consult-9');
        // the same SIP session carries the caller: nothing hung up or refused, and Hang up ends that session
        expect(sip.messages.filter((m) => header(m, 'Call-ID') === 'sip-consult-9' && /^(BYE |CANCEL |SIP\/2\.0 [3-6])/.test(m))).toEqual([]);
        await page.getByTestId('hangup').click();
        await expect.poll(() => sentIn('BYE', 'sip-consult-9').length, { timeout: 10_000 }).toBe(1);
        await page.getByTestId('incoming').waitFor({ state: 'hidden' });
      });

      it('answers at once the call the server puts the caller on in place of the consult call (X-Callflow-Replaces), and goes on with it', async () => {
        await takeConsult('consult-10');
        // Bob completes the transfer: the caller comes on a new call naming the consult it replaces
        invite('call-80', ['X-Callflow-Replaces: consult-10']);
        await expect.poll(() => answered('call-80'), { timeout: 10_000 }).toBe(true);
        ack('call-80');
        await handedOver('consult-10');
        // the server hangs up the consult's session: the call goes on, on the new one
        inDialog('consult-10', 'BYE', 2);
        await expect.poll(() => sip.messages.some((m) => m.startsWith('SIP/2.0 200 ') && header(m, 'Call-ID') === 'sip-consult-10' && /^CSeq: *2 BYE/im.test(m))).toBe(true);
        await page.waitForTimeout(300);
        expect(await callState()).toBe('active');
        expect(await text('incoming-caller')).toBe('sip:+3725551234@carrier.example');
        await expect.poll(() => page.evaluate(() => (document.getElementById('remote-audio') as HTMLAudioElement).paused)).toBe(false);
        expect(finals('call-80').map((m) => m.split('\r\n')[0])).toEqual(['SIP/2.0 200 OK']);
        await page.getByTestId('hangup').click();
        await expect.poll(() => sentIn('BYE', 'sip-call-80').length, { timeout: 10_000 }).toBe(1);
        await page.getByTestId('incoming').waitFor({ state: 'hidden' });
      });
    });

    describe('Call a number', () => {
      const outboundReads = () => server.requests.filter((r) => r.method === 'GET' && r.path === '/api/agent/outbound');
      const hangups = () => server.requests.filter((r) => r.method === 'POST' && r.path === '/api/agent/call/hangup');
      /** The page's own calls to phone numbers, in order. */
      const dialInvites = (): string[] => sip.messages.filter((m) => /^INVITE sip:\+?\d+@/.test(m));
      /** The requests of `method` the page sent with this Call-ID. */
      const sentIn = (method: string, callId: string): string[] => sip.messages.filter((m) => m.startsWith(`${method} `) && header(m, 'Call-ID') === callId);
      const allowed = (allowedPrefixes: string[] = [], call: unknown = null): CannedResponse => ({ status: 200, body: { allowed: true, allowedPrefixes, reason: null, call } });
      /** The server's word on the agent's call to +3725551234. */
      const outbound = (callId: string, state: string, reason?: string) => ({ type: 'outbound', callId, number: '+3725551234', state, ...(reason === undefined ? {} : { reason }) });
      const callButton = () => page.getByTestId('dial-call');
      const dialAudio = () =>
        page.evaluate(() => {
          const a = document.getElementById('dial-audio') as HTMLAudioElement;
          return [a.srcObject instanceof MediaStream, a.paused];
        });

      beforeEach(() => {
        sdpVersion = 2;
      });

      /** The stand-in accepts this page's REGISTER: its phone is registered. */
      async function register(): Promise<void> {
        const request = sip.messages.find((m) => m.startsWith('REGISTER '))!;
        const contact = /<[^>]+>/.exec(header(request, 'Contact'))![0];
        sip.reply(request, '200 OK', { toTag: 'registrar', headers: [`Contact: ${contact};expires=600`] });
        await expect.poll(() => text('sip-status')).toBe('registered');
      }

      /** Signs in allowed to dial numbers starting with `prefixes` (none: any), this page's phone registered. */
      async function signInToDial(prefixes: string[] = []): Promise<void> {
        server.route('GET /api/agent/outbound', () => allowed(prefixes));
        // (the server's own reasons, among them the one it gives while the agent calls a number)
        server.route('GET /api/not-ready-reasons', () => ({
          status: 200, body: { items: [{ code: 'other', label: 'Other', maxMinutes: null }], system: { 'not-ready': 'Not ready', outbound: 'Calling a number' }, source: 'default' },
        }));
        await signInWithPhone();
        await register();
        await page.getByTestId('dial-panel').waitFor({ state: 'visible' });
      }

      /** Types `number` and clicks Call. */
      async function call(number: string): Promise<void> {
        await page.getByTestId('dial-number').fill(number);
        await callButton().click();
      }

      it('is shown only when the agent may dial numbers (read with their token at sign-in), naming the numbers allowed', async () => {
        server.route('GET /api/agent/outbound', () => ({ status: 200, body: { allowed: false, allowedPrefixes: [], reason: 'no trunk is set up for calls to phone numbers', call: null } }));
        await signIn();
        await expect.poll(() => outboundReads().length).toBe(1);
        expect(outboundReads()[0]?.headers.authorization).toBe('Bearer agent-token-1');
        await page.waitForTimeout(300);
        expect(await visible('dial-panel')).toBe(false);

        server.route('GET /api/agent/outbound', () => allowed(['+372', '+49']));
        await page.reload();
        await page.getByTestId('dial-panel').waitFor({ state: 'visible' });
        expect(outboundReads()).toHaveLength(2);
        expect(await page.locator('#dial-hint').textContent()).toBe('Numbers starting with +372 or +49');
        expect(await page.getByLabel('Number', { exact: true }).getAttribute('data-testid')).toBe('dial-number');
        expect(await page.getByRole('button', { name: 'Call', exact: true }).getAttribute('data-testid')).toBe('dial-call');
        // (this page's phone is not registered: nothing to call from)
        expect(await callButton().isDisabled()).toBe(true);
        expect(await visible('dial-hangup')).toBe(false);
        expect(await visible('dial-status')).toBe(false);
        expect(await visible('dial-error')).toBe(false);
      });

      it('refuses a number that is not one, or one outside the allowed prefixes, on the page, sending no INVITE', async () => {
        await signInToDial(['+372', '+49']);
        await call('call me');
        await expect.poll(() => text('dial-error')).toBe('"call me" is not a phone number (digits, + first for an international one).');
        expect(await page.getByTestId('dial-error').getAttribute('role')).toBe('alert');
        await call('+44 20 7946 0018');
        await expect.poll(() => text('dial-error')).toBe('Numbers must start with +372 or +49.');
        await page.getByTestId('dial-number').fill('12');
        await page.getByTestId('dial-number').press('Enter'); // (Enter calls too)
        await expect.poll(() => text('dial-error')).toBe('"12" is not a phone number (digits, + first for an international one).');
        await page.waitForTimeout(300);
        expect(dialInvites()).toEqual([]);
        expect(await visible('dial-status')).toBe(false);
        expect(await callButton().isEnabled()).toBe(true);

        // an allowed one is called, and the error goes
        await call('+49 (30) 123-4567');
        await expect.poll(() => dialInvites().length, { timeout: 10_000 }).toBe(1);
        expect(dialInvites()[0]!.split('\r\n')[0]).toBe('INVITE sip:+49301234567@test.realm SIP/2.0');
        expect(await visible('dial-error')).toBe(false);
      });

      it("calls sip:<number>@<realm> from the page's phone, audio only, and follows the server's word: calling, ringing, talking with a running clock, ended", async () => {
        await signInToDial();
        await call(' +372 555-1234 ');
        await expect.poll(() => dialInvites().length, { timeout: 10_000 }).toBe(1);
        const invite = dialInvites()[0]!;
        expect(invite.split('\r\n')[0]).toBe('INVITE sip:+3725551234@test.realm SIP/2.0');
        expect(sdpOf(invite)).toMatch(/^m=audio /m);
        expect(sdpOf(invite)).not.toMatch(/^m=video /m);
        expect(await text('dial-status')).toBe('Calling +3725551234…');
        expect(await page.getByTestId('dial-status').getAttribute('role')).toBe('status');
        expect(await callButton().isDisabled()).toBe(true);
        expect(await visible('dial-hangup')).toBe(true);

        send(outbound('out-1', 'dialing'));
        // (the server makes the agent not ready meanwhile, in its own words)
        send({ type: 'state', state: 'not-ready', reason: 'outbound', wrapUpEndsAt: null });
        await expect.poll(() => page.locator('#agent-state-reason').textContent()).toBe('(Calling a number)');
        expect(await text('agent-state')).toBe('not-ready');
        expect(await page.getByTestId('ready').isDisabled()).toBe(true);
        send(outbound('out-1', 'ringing'));
        await expect.poll(() => text('dial-status')).toBe('Ringing +3725551234…');
        send(outbound('out-1', 'talking'));
        await expect.poll(() => text('dial-status')).toBe('Talking with +3725551234 0:00');
        await expect.poll(() => text('dial-status'), { timeout: 5_000 }).toBe('Talking with +3725551234 0:01');
        // (a word on an earlier call, late, changes nothing)
        send(outbound('out-0', 'ended', '486'));
        send(outbound('out-1', 'ended', 'customer'));
        await expect.poll(() => text('dial-status')).toBe('Call to +3725551234 ended (the customer hung up)');
        expect(await visible('dial-hangup')).toBe(false);
        // (the server ended it: the page gives up its INVITE, which the stand-in never answered)
        await expect.poll(() => sentIn('CANCEL', header(invite, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
        await expect.poll(() => callButton().isEnabled()).toBe(true);
        expect(await visible('dial-error')).toBe(false);
        expect(hangups()).toEqual([]);
      });

      it("shows the server's refusal of the call in its words, and a refusal of the customer's side as why the call ended", async () => {
        await signInToDial();
        await call('+3725551234');
        await expect.poll(() => dialInvites().length, { timeout: 10_000 }).toBe(1);
        sip.reply(dialInvites()[0]!, '403 Forbidden: agents may not dial phone numbers here', { toTag: 'refused-1' });
        await expect.poll(() => text('dial-error')).toBe('Forbidden: agents may not dial phone numbers here');
        expect(await visible('dial-status')).toBe(false);
        expect(await visible('dial-hangup')).toBe(false);
        await expect.poll(() => callButton().isEnabled()).toBe(true);

        // dialled, and the customer's line is busy: the server passes the trunk's 486 on, and says why it ended
        await call('+3725551234');
        await expect.poll(() => dialInvites().length, { timeout: 10_000 }).toBe(2);
        expect(await visible('dial-error')).toBe(false);
        send(outbound('out-2', 'dialing'));
        send(outbound('out-2', 'ringing'));
        await expect.poll(() => text('dial-status')).toBe('Ringing +3725551234…');
        sip.reply(dialInvites()[1]!, '486 Busy Here', { toTag: 'refused-2' });
        await expect.poll(() => text('dial-status')).toBe('Call to +3725551234 ended (busy)');
        send(outbound('out-2', 'ended', '486'));
        await page.waitForTimeout(200);
        expect(await text('dial-status')).toBe('Call to +3725551234 ended (busy)');
        expect(await visible('dial-error')).toBe(false);
        await expect.poll(() => callButton().isEnabled()).toBe(true);
      });

      it("Hang up ends this page's call itself (CANCEL before the answer, BYE after: its audio played here), and a call from the desk phone through the server", async () => {
        const answers: CannedResponse[] = [
          { status: 409, body: { statusCode: 409, code: 'ERR_IN_USE', error: 'Conflict', message: 'you have no connected call' } },
          { status: 200, body: { hungUp: true } },
        ];
        server.route('POST /api/agent/call/hangup', () => answers.shift()!);
        await signInToDial();
        await call('+3725551234');
        await expect.poll(() => dialInvites().length, { timeout: 10_000 }).toBe(1);
        const ringing = dialInvites()[0]!;
        send(outbound('out-3', 'dialing'));
        send(outbound('out-3', 'ringing'));
        await expect.poll(() => text('dial-status')).toBe('Ringing +3725551234…');
        await page.getByTestId('dial-hangup').click();
        await expect.poll(() => sentIn('CANCEL', header(ringing, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
        await expect.poll(() => text('dial-status')).toBe('Call to +3725551234 ended (you hung up)');
        expect(await visible('dial-hangup')).toBe(false);
        send(outbound('out-3', 'ended', 'cancelled')); // (the server's word, after)

        // answered: the call's audio plays here, and Hang up sends BYE
        await expect.poll(() => callButton().isEnabled()).toBe(true);
        await call('+3725551234');
        await expect.poll(() => dialInvites().length, { timeout: 10_000 }).toBe(2);
        const answered = dialInvites()[1]!;
        accept(answered, 'customer-1');
        await expect.poll(() => sentIn('ACK', header(answered, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
        // (the server answers once the customer did: talking, before its word on the socket)
        await expect.poll(() => text('dial-status')).toMatch(/^Talking with \+3725551234 0:0\d$/);
        await expect.poll(dialAudio).toEqual([true, false]);
        await page.getByTestId('dial-hangup').click();
        await expect.poll(() => sentIn('BYE', header(answered, 'Call-ID')).length, { timeout: 10_000 }).toBe(1);
        await expect.poll(() => text('dial-status')).toBe('Call to +3725551234 ended (you hung up)');
        expect(await dialAudio()).toEqual([false, true]);

        // dialled from the desk phone: followed here, and hung up through the server (its refusal in its words)
        send(outbound('out-5', 'dialing'));
        await expect.poll(() => text('dial-status')).toBe('Calling +3725551234…');
        expect(await callButton().isDisabled()).toBe(true);
        await page.getByTestId('dial-hangup').click();
        await expect.poll(() => text('dial-error')).toBe('Not hung up: you have no connected call');
        expect(await text('dial-status')).toBe('Calling +3725551234…');
        await expect.poll(() => page.getByTestId('dial-hangup').isEnabled()).toBe(true);
        await page.getByTestId('dial-hangup').click();
        await expect.poll(() => hangups().length).toBe(2);
        expect(hangups().map((r) => [r.headers.authorization, r.body])).toEqual([['Bearer agent-token-1', {}], ['Bearer agent-token-1', {}]]);
        expect(await visible('dial-error')).toBe(false);
        send(outbound('out-5', 'ended', 'agent'));
        await expect.poll(() => text('dial-status')).toBe('Call to +3725551234 ended (you hung up)');
        expect(await visible('dial-hangup')).toBe(false);
        expect(dialInvites()).toHaveLength(2);
      });

      it('Call is off while a customer call is offered or connected, and until the phone is registered', async () => {
        server.route('GET /api/agent/outbound', () => allowed());
        await signInWithPhone();
        await page.getByTestId('dial-panel').waitFor({ state: 'visible' });
        expect(await callButton().isDisabled()).toBe(true);
        await register();
        await expect.poll(() => callButton().isEnabled()).toBe(true);

        send({ type: 'offer', callId: 'call-120', context: phoneCall });
        await page.getByTestId('incoming').waitFor({ state: 'visible' });
        expect(await callButton().isDisabled()).toBe(true);
        send({ type: 'connected', callId: 'call-120', context: phoneCall, device: 'desk-phone' });
        await expect.poll(callState).toBe('elsewhere');
        expect(await callButton().isDisabled()).toBe(true);
        // (Enter in the field calls nothing either)
        await page.getByTestId('dial-number').fill('+3725551234');
        await page.getByTestId('dial-number').press('Enter');
        send({ type: 'call-ended', callId: 'call-120' });
        await page.getByTestId('incoming').waitFor({ state: 'hidden' });
        await expect.poll(() => callButton().isEnabled()).toBe(true);
        expect(dialInvites()).toEqual([]);
        expect(await visible('dial-status')).toBe(false);
      });

      it("offers a note once the customer answered, kept after the call ended, saved with the agent's token; a refusal in the server's words; none on a call not answered; the next call takes it away", async () => {
        const answers: CannedResponse[] = [
          { status: 200, body: { callId: 'out-10', text: 'wants the premium plan' } },
          { status: 403, body: { statusCode: 403, code: 'ERR_FORBIDDEN', error: 'Forbidden', message: 'you did not talk on this call' } },
        ];
        server.route('PUT /api/agent/calls/out-10/note', () => answers.shift()!);
        const puts = () => server.requests.filter((r) => r.method === 'PUT');
        await signInToDial();
        await call('+3725551234');
        await expect.poll(() => dialInvites().length, { timeout: 10_000 }).toBe(1);
        send(outbound('out-10', 'dialing'));
        send(outbound('out-10', 'ringing'));
        await expect.poll(() => text('dial-status')).toBe('Ringing +3725551234…');
        expect(await visible('dial-note-form')).toBe(false);

        send(outbound('out-10', 'talking'));
        await page.getByTestId('dial-note').waitFor({ state: 'visible' });
        expect(await page.getByTestId('dial-note').getAttribute('maxlength')).toBe('2000');
        expect(await page.getByTestId('dial-note-form').getAttribute('data-call-id')).toBe('out-10');
        expect(await page.getByTestId('dial-note-form').getAttribute('class')).toBe(await page.getByTestId('note-form').getAttribute('class'));
        expect(await text('dial-note-status')).toBe('');
        await page.getByTestId('dial-note').fill(' wants the premium plan');
        await page.getByTestId('dial-note-save').click();
        await expect.poll(() => text('dial-note-status')).toBe('Note saved');
        expect(puts().map((r) => [r.path, r.headers.authorization, r.body])).toEqual([
          ['/api/agent/calls/out-10/note', 'Bearer agent-token-1', { text: ' wants the premium plan' }],
        ]);

        // the customer hangs up: the agent writes the call up afterwards (the server refuses it here: its words)
        send(outbound('out-10', 'ended', 'customer'));
        await expect.poll(() => text('dial-status')).toBe('Call to +3725551234 ended (the customer hung up)');
        expect(await visible('dial-note')).toBe(true);
        expect(await page.getByTestId('dial-note').inputValue()).toBe(' wants the premium plan');
        await page.getByTestId('dial-note').press('End');
        await page.getByTestId('dial-note').pressSequentially(', call back in May');
        expect(await text('dial-note-status')).toBe(''); // (what is on screen is not saved yet)
        await page.getByTestId('dial-note-save').click();
        await expect.poll(() => text('dial-note-status')).toBe('Not saved: you did not talk on this call');
        expect(await page.getByTestId('dial-note-status').getAttribute('class')).toBe('error');
        expect(puts()[1]?.body).toEqual({ text: ' wants the premium plan, call back in May' });
        expect(await page.getByTestId('dial-note').inputValue()).toBe(' wants the premium plan, call back in May');

        // dialling the next number takes the box away; that call is not answered (busy): no box
        await expect.poll(() => callButton().isEnabled(), { timeout: 10_000 }).toBe(true);
        await call('+3725551234');
        await expect.poll(() => visible('dial-note-form')).toBe(false);
        await expect.poll(() => dialInvites().length, { timeout: 10_000 }).toBe(2);
        send(outbound('out-11', 'dialing'));
        send(outbound('out-11', 'ringing'));
        send(outbound('out-11', 'ended', '486'));
        await expect.poll(() => text('dial-status')).toBe('Call to +3725551234 ended (busy)');
        await page.waitForTimeout(200);
        expect(await visible('dial-note-form')).toBe(false);

        // the next answered call's box starts empty
        await expect.poll(() => callButton().isEnabled(), { timeout: 10_000 }).toBe(true);
        await call('+3725551234');
        await expect.poll(() => dialInvites().length, { timeout: 10_000 }).toBe(3);
        send(outbound('out-12', 'talking'));
        await page.getByTestId('dial-note').waitFor({ state: 'visible' });
        expect(await page.getByTestId('dial-note-form').getAttribute('data-call-id')).toBe('out-12');
        expect(await page.getByTestId('dial-note').inputValue()).toBe('');
        expect(await text('dial-note-status')).toBe('');
        expect(puts()).toHaveLength(2);
        // (the customer call's note box is another one: not shown)
        expect(await visible('note-form')).toBe(false);
      });

      it('reads again when the socket is back: shows the call to a number that is on, and ends one that ended meanwhile', async () => {
        const answers = [allowed(), allowed([], { callId: 'out-7', number: '+3725551234', answered: true }), allowed()];
        server.route('GET /api/agent/outbound', () => answers.shift() ?? allowed());
        await signIn();
        await page.getByTestId('dial-panel').waitFor({ state: 'visible' });
        expect(outboundReads()).toHaveLength(1);
        agentWs?.close();
        await expect.poll(() => outboundReads().length, { timeout: 10_000 }).toBe(2);
        // (answered before the page knew: since when is not known, so no clock)
        await expect.poll(() => text('dial-status')).toBe('Talking with +3725551234');
        expect(await visible('dial-hangup')).toBe(true);
        agentWs?.close();
        await expect.poll(() => outboundReads().length, { timeout: 10_000 }).toBe(3);
        await expect.poll(() => text('dial-status')).toBe('Call to +3725551234 ended');
        expect(await visible('dial-hangup')).toBe(false);
      });
    });

    const historyReads = (callId: string) => server.requests.filter((r) => r.method === 'GET' && r.path === `/api/agent/calls/${callId}/history`);

    it("shows the notes on an offered call and the caller's earlier calls, reading them once a call with the agent's token", async () => {
      const year = new Date().getFullYear();
      server.route('GET /api/agent/calls/call-20/history', () => ({
        status: 200,
        body: {
          notes: [
            { agentId: 12, agent: 'Anna Tamm', text: 'wants a refund for order 123', at: new Date(year, 0, 7, 6, 1).toISOString() },
            { agentId: 13, agent: 'Bea Org', text: 'transferred: billing question', at: new Date(year, 0, 7, 6, 3).toISOString() },
          ],
          previousCalls: [
            // (local times: the browser shows them in this machine's time zone, as Node makes them)
            { id: 'old-1', at: new Date(year, 0, 5, 10, 0).toISOString(), queue: 'support', agent: 'Bob Berg', disposition: 'Complaint', endReason: 'caller-hangup', talkSeconds: 95, surveyScore: 2, notes: ['promised a call back'] },
            { id: 'old-2', at: new Date(year, 0, 2, 9, 30).toISOString(), queue: 'sales', agent: null, disposition: null, endReason: 'abandon', talkSeconds: null, surveyScore: null, notes: [] },
          ],
        },
      }));
      server.route('GET /api/agent/calls/call-21/history', () => ({ status: 200, body: { notes: [], previousCalls: [] } }));
      await signIn();
      send({ type: 'offer', callId: 'call-20', context: phoneCall });
      await expect.poll(() => page.getByTestId('previous-call').allTextContents()).toEqual([
        '5 Jan 10:00 · support · Bob Berg · Complaint · 1:35 · rated 2/5 — promised a call back',
        '2 Jan 09:30 · sales · abandoned',
      ]);
      expect(await page.getByTestId('call-notes').locator('li').allTextContents()).toEqual([
        'Anna Tamm: wants a refund for order 123',
        'Bea Org: transferred: billing question',
      ]);
      expect(await visible('call-notes')).toBe(true);
      expect(await visible('previous-calls-status')).toBe(false);
      expect(historyReads('call-20').map((r) => r.headers.authorization)).toEqual(['Bearer agent-token-1']);
      // answered (here on the desk phone): the same call is not read again
      send({ type: 'connected', callId: 'call-20', context: phoneCall, device: 'desk-phone' });
      await expect.poll(() => page.locator('#call-status').textContent()).toBe('Answered on your desk phone.');
      expect(await page.getByTestId('previous-call').count()).toBe(2);
      send({ type: 'call-ended', callId: 'call-20' });
      await page.getByTestId('incoming').waitFor({ state: 'hidden' });

      // the next caller has no notes and no earlier calls: nothing of the last call's stays
      send({ type: 'offer', callId: 'call-21', context: phoneCall });
      await expect.poll(() => text('previous-calls-status')).toBe('No earlier calls');
      expect(await page.getByTestId('previous-call').count()).toBe(0);
      expect(await visible('call-notes')).toBe(false);
      expect(historyReads('call-20')).toHaveLength(1);
      expect(historyReads('call-21')).toHaveLength(1);
    });

    it("says so when the caller's history cannot be read, shows the call as ever, and tries again once it is connected", async () => {
      const answers = [{ status: 403, body: { code: 'ERR_FORBIDDEN', message: 'not your call' } }, { status: 200, body: { notes: [], previousCalls: [] } }];
      server.route('GET /api/agent/calls/call-22/history', () => answers.shift()!);
      await signIn();
      send({ type: 'offer', callId: 'call-22', context: { ...phoneCall, ivr: ['welcome'] } });
      await expect.poll(() => text('previous-calls-status')).toBe("Could not read the caller's history: not your call");
      expect(await page.getByTestId('previous-calls-status').getAttribute('class')).toBe('muted');
      expect(await text('incoming-ivr')).toBe('welcome');
      expect(await text('incoming-caller')).toBe('sip:+3725551234@carrier.example');
      expect(await visible('answer')).toBe(true);
      expect(await visible('call-notes')).toBe(false);
      expect(await visible('desk-error')).toBe(false);
      send({ type: 'connected', callId: 'call-22', context: phoneCall, device: 'desk-phone' });
      await expect.poll(() => text('previous-calls-status')).toBe('No earlier calls');
      expect(historyReads('call-22')).toHaveLength(2);
    });

    it('saves the agent\'s note with their token, keeps it to be saved again in wrap-up, shows a refusal, and starts empty for the next call', async () => {
      const answers = [
        { status: 200, body: { callId: 'call-30', text: 'wants a refund for order 123' } },
        { status: 200, body: { callId: 'call-30', text: 'wants a refund for order 123, sent the form' } },
        { status: 403, body: { code: 'ERR_FORBIDDEN', message: 'not your call' } },
      ];
      server.route('PUT /api/agent/calls/call-30/note', () => answers.shift()!);
      await signIn();
      expect(await visible('note-text')).toBe(false);
      send({ type: 'connected', callId: 'call-30', context: phoneCall, device: 'desk-phone' });
      await page.getByTestId('note-text').waitFor({ state: 'visible' });
      expect(await page.getByTestId('note-text').getAttribute('maxlength')).toBe('2000');
      expect(await text('note-status')).toBe('');
      await page.getByTestId('note-text').fill(' wants a refund for order 123');
      await page.getByTestId('note-save').click();
      await expect.poll(() => text('note-status')).toBe('Note saved');
      const puts = () => server.requests.filter((r) => r.method === 'PUT');
      expect(puts().map((r) => [r.path, r.headers.authorization, r.headers['content-type'], r.body])).toEqual([
        ['/api/agent/calls/call-30/note', 'Bearer agent-token-1', 'application/json', { text: ' wants a refund for order 123' }],
      ]);
      expect(await page.getByTestId('note-text').inputValue()).toBe(' wants a refund for order 123');

      // the caller hangs up; in wrap-up the agent adds to the note and saves again: it replaces the last one
      send({ type: 'call-ended', callId: 'call-30' });
      send({ type: 'state', state: 'wrap-up', reason: '', wrapUpEndsAt: new Date(Date.now() + 30_000).toISOString() });
      await page.getByTestId('incoming').waitFor({ state: 'hidden' });
      expect(await visible('note-text')).toBe(true);
      await page.getByTestId('note-text').press('End');
      await page.getByTestId('note-text').pressSequentially(', sent the form');
      expect(await text('note-status')).toBe(''); // (what is on screen is not saved yet)
      await page.getByTestId('note-save').click();
      await expect.poll(() => puts().length).toBe(2);
      await expect.poll(() => text('note-status')).toBe('Note saved');
      expect(puts()[1]?.body).toEqual({ text: ' wants a refund for order 123, sent the form' });
      expect(await page.getByTestId('note-text').inputValue()).toBe(' wants a refund for order 123, sent the form');

      await page.getByTestId('note-save').click();
      await expect.poll(() => text('note-status')).toBe('Not saved: not your call');
      expect(await page.getByTestId('note-status').getAttribute('class')).toBe('error');
      expect(await page.getByTestId('note-text').inputValue()).toBe(' wants a refund for order 123, sent the form');

      // the next call's note starts empty
      send({ type: 'state', state: 'ready', reason: '', wrapUpEndsAt: null });
      send({ type: 'connected', callId: 'call-31', context: phoneCall, device: 'desk-phone' });
      await expect.poll(() => page.getByTestId('note-text').inputValue()).toBe('');
      expect(await text('note-status')).toBe('');
      expect(await visible('note-text')).toBe(true);
    });

    it("arranges a callback of the agent's call with their token (empty: as soon as possible, the caller's number), at a chosen local time on a typed number, and shows a refusal in the server's words", async () => {
      let release: (() => void) | undefined;
      const answers: ((req: { body: unknown }) => Promise<{ status: number; body: unknown }>)[] = [
        async () => {
          await new Promise<void>((resolve) => (release = resolve)); // (held: the button stays disabled meanwhile)
          return { status: 201, body: { callId: 'call-40', number: '+3725551234', scheduledFor: null } };
        },
        async (req) => ({ status: 201, body: { callId: 'call-40', number: '+3725559999', scheduledFor: (req.body as { at: string }).at } }),
        async () => ({ status: 409, body: { code: 'ERR_CONFLICT', message: 'a callback to this number from this queue is already arranged' } }),
      ];
      server.route('POST /api/agent/calls/call-40/callback', (req) => answers.shift()!(req));
      const posts = () => server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/callback'));
      await signIn();
      expect(await visible('callback-form')).toBe(false);
      send({ type: 'connected', callId: 'call-40', context: phoneCall, device: 'desk-phone' });
      await page.getByTestId('callback-form').waitFor({ state: 'visible' });
      expect(await page.getByTestId('callback-at').getAttribute('type')).toBe('datetime-local');
      expect(await page.getByTestId('callback-number').getAttribute('placeholder')).toBe("the caller's number");
      expect(await page.getByTestId('callback-arrange').textContent()).toBe('Arrange callback');
      expect(await visible('callback-result')).toBe(false);
      expect(await visible('callback-error')).toBe(false);

      // nothing chosen: {} (the server calls the caller's own number as soon as possible)
      await page.getByTestId('callback-arrange').click();
      await expect.poll(() => posts().length).toBe(1);
      expect(await page.getByTestId('callback-arrange').isDisabled()).toBe(true);
      release?.();
      await expect.poll(() => text('callback-result')).toBe('Callback arranged: +3725551234 as soon as possible');
      expect(await page.getByTestId('callback-arrange').isDisabled()).toBe(false);
      expect(posts().map((r) => [r.headers.authorization, r.headers['content-type'], r.body])).toEqual([['Bearer agent-token-1', 'application/json', {}]]);

      // tomorrow at 14:30 the agent's time, on another number: `at` is that local time as an ISO instant
      const tomorrow = new Date(Date.now() + 86_400_000);
      const local = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}T14:30`;
      const iso = await page.evaluate((v) => new Date(`${v}:00`).toISOString(), local);
      await page.getByTestId('callback-at').fill(local);
      await page.getByTestId('callback-number').fill(' +3725559999 ');
      await page.getByTestId('callback-arrange').click();
      await expect.poll(() => posts().length).toBe(2);
      expect(posts()[1]?.body).toEqual({ at: iso, number: '+3725559999' });
      const shown = await page.evaluate((at) => new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }), iso);
      await expect.poll(() => text('callback-result')).toBe(`Callback arranged: +3725559999 at ${shown}`);
      // (arranged: the form is empty again)
      expect(await page.getByTestId('callback-at').inputValue()).toBe('');
      expect(await page.getByTestId('callback-number').inputValue()).toBe('');

      // refused: the server's words, and what the agent typed stays
      await page.getByTestId('callback-number').fill('+3725559999');
      await page.getByTestId('callback-arrange').click();
      await expect.poll(() => text('callback-error')).toBe('a callback to this number from this queue is already arranged');
      expect(await visible('callback-error')).toBe(true);
      expect(await visible('callback-result')).toBe(false);
      expect(await page.getByTestId('callback-number').inputValue()).toBe('+3725559999');
      expect(posts()[2]?.body).toEqual({ number: '+3725559999' });

      // the next call's form starts empty
      send({ type: 'connected', callId: 'call-41', context: phoneCall, device: 'desk-phone' });
      await expect.poll(() => page.getByTestId('callback-number').inputValue()).toBe('');
      expect(await visible('callback-error')).toBe(false);
      expect(await visible('callback-result')).toBe(false);
      expect(await visible('callback-form')).toBe(true);
    });

    it("asks for a number when the browser caller left none (the server's 409), and arranges it on the number typed", async () => {
      const answers = [
        { status: 409, body: { code: 'ERR_CONFLICT', message: 'the caller (in the browser) left no phone number: give the number to call' } },
        { status: 201, body: { callId: 'call-42', number: '+3725550000', scheduledFor: null } },
      ];
      server.route('POST /api/agent/calls/call-42/callback', () => answers.shift()!);
      await signIn();
      const web = { queue: 'support', language: 'et', page: { url: 'https://shop.example/tents', title: 'Tents' }, history: [], caller: 'web', waitedSeconds: 5 };
      send({ type: 'connected', callId: 'call-42', context: web, device: 'desk-phone' });
      await page.getByTestId('callback-form').waitFor({ state: 'visible' });
      await page.getByTestId('callback-arrange').click();
      await expect.poll(() => text('callback-error')).toBe('the caller (in the browser) left no phone number: give the number to call');
      await page.getByTestId('callback-number').fill('+3725550000');
      await page.getByTestId('callback-arrange').click();
      await expect.poll(() => text('callback-result')).toBe('Callback arranged: +3725550000 as soon as possible');
      expect(await visible('callback-error')).toBe(false);
      expect(server.requests.filter((r) => r.path === '/api/agent/calls/call-42/callback').map((r) => r.body)).toEqual([{}, { number: '+3725550000' }]);
    });

    const day = {
      since: '', handled: 12, ahtSeconds: 245.3, missedOffers: 1, talkSeconds: 2400, wrapUpSeconds: 540, readySeconds: 3600, ringingSeconds: 60, handlingSeconds: 2940,
      notReadySeconds: 900, loggedInSeconds: 7500, occupancyPercent: 45.2, surveys: 5, surveyAverage: 4.4, csatPercent: 80,
    };
    const statsReads = () => server.requests.filter((r) => r.method === 'GET' && r.path === '/api/agent/stats');
    const myDay = () => Promise.all(['my-day-handled', 'my-day-aht', 'my-day-missed', 'my-day-occupancy', 'my-day-rating'].map(text));

    it("shows the agent's day after sign-in, and reads it again when a call ends and when wrap-up ends, with their token", async () => {
      const answers = [
        { status: 200, body: day },
        { status: 200, body: { ...day, handled: 13, ahtSeconds: 61.6, missedOffers: 2, occupancyPercent: 50, surveys: 1, surveyAverage: 5, csatPercent: 100 } },
        { status: 200, body: { ...day, handled: 0, ahtSeconds: null, missedOffers: 0, occupancyPercent: null, surveys: 0, surveyAverage: null, csatPercent: null } },
      ];
      server.route('GET /api/agent/stats', () => answers.shift()!);
      await signIn();
      await expect.poll(myDay).toEqual(['12', '4:05', '1', '45.2%', '4.4 / 5 from 5 ratings · CSAT 80%']);
      expect(await visible('my-day')).toBe(true);
      expect(await visible('my-day-status')).toBe(false);
      expect(statsReads()).toHaveLength(1);
      expect(statsReads()[0]?.headers.authorization).toBe('Bearer agent-token-1');
      // since the start of the agent's day in the browser's time zone
      const midnight = await page.evaluate(() => {
        const n = new Date();
        return new Date(n.getFullYear(), n.getMonth(), n.getDate()).toISOString();
      });
      expect(new URLSearchParams(statsReads()[0]?.search).get('since')).toBe(midnight);

      send({ type: 'connected', callId: 'call-40', context: phoneCall, device: 'desk-phone' });
      await page.getByTestId('incoming').waitFor({ state: 'visible' });
      expect(statsReads()).toHaveLength(1); // (not while the call goes on)
      send({ type: 'call-ended', callId: 'call-40' });
      await expect.poll(myDay).toEqual(['13', '1:02', '2', '50%', '5.0 / 5 from 1 rating · CSAT 100%']);
      expect(statsReads()).toHaveLength(2);

      send({ type: 'state', state: 'wrap-up', reason: '', wrapUpEndsAt: new Date(Date.now() + 30_000).toISOString() });
      await page.getByTestId('wrapup-done').waitFor({ state: 'visible' });
      expect(statsReads()).toHaveLength(2);
      send({ type: 'state', state: 'ready', reason: '', wrapUpEndsAt: null });
      await expect.poll(myDay).toEqual(['0', '–', '0', '–', 'no ratings yet']);
      expect(statsReads()).toHaveLength(3);
    });

    it('says "figures unavailable" when the day cannot be read, the desk working as ever, and shows the figures once a read succeeds', async () => {
      const answers = [{ status: 500, body: { statusCode: 500, code: 'ERR_INTERNAL', message: 'database down' } }, { status: 200, body: day }];
      server.route('GET /api/agent/stats', () => answers.shift()!);
      await signIn();
      await page.getByTestId('my-day-status').waitFor({ state: 'visible' });
      expect(await text('my-day-status')).toBe('figures unavailable');
      expect(await page.getByTestId('my-day-status').getAttribute('class')).toBe('muted');
      expect(await myDay()).toEqual(['–', '–', '–', '–', '–']);
      expect(await visible('desk-error')).toBe(false);
      await expect.poll(() => text('agent-state')).toBe('not-ready');
      await page.getByTestId('ready').click();
      await expect.poll(() => received).toContainEqual({ type: 'ready' });

      send({ type: 'call-ended', callId: 'call-41' });
      await expect.poll(myDay).toEqual(['12', '4:05', '1', '45.2%', '4.4 / 5 from 5 ratings · CSAT 80%']);
      expect(await visible('my-day-status')).toBe(false);
    });

    it('reads the day every minute while the agent is signed in, and no more once they sign out', async () => {
      server.route('GET /api/agent/stats', () => ({ status: 200, body: day }));
      await page.clock.install();
      await signIn();
      await expect.poll(() => statsReads().length).toBe(1);
      await page.clock.fastForward(60_000);
      await expect.poll(() => statsReads().length).toBe(2);
      await page.clock.fastForward(60_000);
      await expect.poll(() => statsReads().length).toBe(3);
      await page.getByTestId('logout').click();
      await page.getByTestId('login-username').waitFor({ state: 'visible' });
      await page.clock.fastForward(180_000);
      // (a read the timer started would be here by the time the page answers this)
      await page.evaluate(() => fetch('/api/ping'));
      await expect.poll(() => server.requests.some((r) => r.path === '/api/ping')).toBe(true);
      expect(statsReads()).toHaveLength(3);
    });

    describe('My callbacks', () => {
      const reads = () => server.requests.filter((r) => r.method === 'GET' && r.path === '/api/agent/callbacks');
      const deletes = () => server.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith('/api/agent/callbacks/'));
      const rows = () => page.getByTestId('my-callback-text').allTextContents();
      const ids = () => page.getByTestId('my-callback').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.callId));
      const callback = (callId: string, more: Record<string, unknown>) => ({
        callId, queueId: 1, queue: 'support', number: '+3725551234', state: 'scheduled', attempts: 0,
        requestedAt: new Date(Date.now() - 3_600_000).toISOString(), scheduledFor: null, updatedAt: new Date().toISOString(), ...more,
      });
      const listOf = (items: unknown[], total = items.length) => ({ status: 200, body: { items, total, limit: 100, offset: 0 } });
      /** tomorrow at hh:mm, the agent's time (the browser's and this machine's) */
      const tomorrowAt = (h: number, m: number) => {
        const n = new Date();
        return new Date(n.getFullYear(), n.getMonth(), n.getDate() + 1, h, m);
      };
      const later = new Date(new Date().getFullYear() + 1, 0, 15, 10, 5);
      const four = [
        callback('cb-2', { state: 'waiting', number: '+3725550002', queue: 'sales', attempts: 0 }),
        callback('cb-1', { state: 'dialing', number: '+3725550001', attempts: 1 }),
        callback('cb-3', { state: 'scheduled', number: '+3725550003', scheduledFor: tomorrowAt(9, 0).toISOString(), attempts: 2 }),
        callback('cb-4', { state: 'scheduled', number: '+3725550004', queue: 'billing', scheduledFor: later.toISOString() }),
      ];
      const DIALLED = 'the customer is being dialled right now: it cannot be cancelled';

      it("lists the agent's open callbacks after sign-in (read with their token), the next due first as the server gives them, with when in their time, the number, the queue and attempts, and counts them", async () => {
        server.route('GET /api/agent/callbacks', () => listOf(four));
        await signIn();
        await expect.poll(rows).toEqual([
          'in line now · +3725550002 · sales',
          'being dialled · +3725550001 · support · 1 attempt',
          'tomorrow 09:00 · +3725550003 · support · 2 attempts',
          `15 Jan ${later.getFullYear()} 10:05 · +3725550004 · billing`,
        ]);
        expect(await ids()).toEqual(['cb-2', 'cb-1', 'cb-3', 'cb-4']);
        expect(await visible('my-callbacks')).toBe(true);
        expect(await page.locator('#my-callbacks-title').textContent()).toBe('My callbacks 4');
        expect(await text('my-callbacks-count')).toBe('4');
        expect(await visible('my-callbacks-empty')).toBe(false);
        expect(await visible('my-callbacks-status')).toBe(false);
        expect(await visible('my-callbacks-error')).toBe(false);
        // a Cancel on each, named for its callback
        expect(await page.getByTestId('my-callback-cancel').allTextContents()).toEqual(['Cancel', 'Cancel', 'Cancel', 'Cancel']);
        expect(await page.getByTestId('my-callback-cancel').evaluateAll((bs) => bs.every((b) => !(b as HTMLButtonElement).disabled))).toBe(true);
        expect(await page.getByRole('button', { name: 'Cancel the callback to +3725550003 (tomorrow 09:00)' }).count()).toBe(1);
        // (the due instant is machine-readable)
        expect(await page.getByTestId('my-callback').nth(2).locator('time').getAttribute('datetime')).toBe(tomorrowAt(9, 0).toISOString());
        expect(reads().map((r) => [r.headers.authorization, new URLSearchParams(r.search).get('state')])).toEqual([['Bearer agent-token-1', 'open']]);
      });

      it('says "No callbacks arranged" when there are none, and says why when the list cannot be read', async () => {
        const answers = [listOf([]), { status: 500, body: { statusCode: 500, code: 'ERR_INTERNAL', message: 'database down' } }];
        server.route('GET /api/agent/callbacks', () => answers.shift() ?? listOf([]));
        await page.clock.install();
        await signIn();
        await page.getByTestId('my-callbacks-empty').waitFor({ state: 'visible' });
        expect(await text('my-callbacks-empty')).toBe('No callbacks arranged');
        expect(await text('my-callbacks-count')).toBe('0');
        expect(await page.getByTestId('my-callback').count()).toBe(0);
        expect(await visible('my-callbacks-status')).toBe(false);
        // the next read fails: said in the panel (politely), nothing else changes on the desk
        await page.clock.fastForward(60_000);
        await expect.poll(() => text('my-callbacks-status')).toBe('Could not read your callbacks: database down');
        expect(await page.getByTestId('my-callbacks-status').getAttribute('aria-live')).toBe('polite');
        expect(await visible('desk-error')).toBe(false);
        await page.clock.fastForward(60_000);
        await page.getByTestId('my-callbacks-status').waitFor({ state: 'hidden' });
        expect(await visible('my-callbacks-empty')).toBe(true);
      });

      it('Cancel sends DELETE with the agent\'s token (its button disabled meanwhile), takes the row off, says so and reads the list again', async () => {
        let cancelled = false;
        let release: (() => void) | undefined;
        server.route('GET /api/agent/callbacks', () => listOf(cancelled ? four.filter((c) => c.callId !== 'cb-3') : four));
        server.route('DELETE /api/agent/callbacks/cb-3', async () => {
          await new Promise<void>((resolve) => (release = resolve));
          cancelled = true;
          return { status: 204, body: null };
        });
        await signIn();
        await expect.poll(ids).toEqual(['cb-2', 'cb-1', 'cb-3', 'cb-4']);
        const cancel = page.getByTestId('my-callback').nth(2).getByTestId('my-callback-cancel');
        await cancel.click();
        await expect.poll(() => deletes().length).toBe(1);
        expect(await cancel.isDisabled()).toBe(true);
        expect(await cancel.textContent()).toBe('Cancelling…');
        // (the others stay to be cancelled)
        expect(await page.getByTestId('my-callback').nth(3).getByTestId('my-callback-cancel').isEnabled()).toBe(true);
        release?.();
        await expect.poll(ids).toEqual(['cb-2', 'cb-1', 'cb-4']);
        expect(await text('my-callbacks-count')).toBe('3');
        expect(await text('my-callbacks-status')).toBe('Callback to +3725550003 cancelled');
        expect(await visible('my-callbacks-error')).toBe(false);
        expect(deletes().map((r) => [r.path, r.headers.authorization])).toEqual([['/api/agent/callbacks/cb-3', 'Bearer agent-token-1']]);
        await expect.poll(() => reads().length).toBe(2);
        // (the focus goes on to the next row's Cancel, not lost with the row)
        expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.callId)).toBe('cb-4');
        expect(await ids()).toEqual(['cb-2', 'cb-1', 'cb-4']);
      });

      it("shows the server's refusal (409: being dialled) in the panel and keeps the row", async () => {
        let refused = false;
        server.route('GET /api/agent/callbacks', () => listOf(refused ? four.map((c) => (c.callId === 'cb-2' ? { ...c, state: 'dialing', attempts: 1 } : c)) : four));
        server.route('DELETE /api/agent/callbacks/cb-2', () => {
          refused = true;
          return { status: 409, body: { statusCode: 409, code: 'ERR_INVALID_STATE', message: DIALLED } };
        });
        await signIn();
        await expect.poll(ids).toEqual(['cb-2', 'cb-1', 'cb-3', 'cb-4']);
        await page.getByTestId('my-callback-cancel').first().click();
        await page.getByTestId('my-callbacks-error').waitFor({ state: 'visible' });
        expect(await text('my-callbacks-error')).toBe(`Callback to +3725550002 not cancelled: ${DIALLED}`);
        expect(await page.getByTestId('my-callbacks-error').getAttribute('role')).toBe('alert');
        // the row stays (read again: it is being dialled now), its Cancel usable again
        await expect.poll(() => rows().then((r) => r[0])).toBe('being dialled · +3725550002 · sales · 1 attempt');
        expect(await ids()).toEqual(['cb-2', 'cb-1', 'cb-3', 'cb-4']);
        expect(await text('my-callbacks-count')).toBe('4');
        expect(await page.getByTestId('my-callback-cancel').first().isEnabled()).toBe(true);
        expect(await visible('my-callbacks-status')).toBe(false);
        expect(reads()).toHaveLength(2);
        expect(await text('my-callbacks-error')).toBe(`Callback to +3725550002 not cancelled: ${DIALLED}`);
      });

      it('reads the list again when the agent arranges a callback with the form (not when it is refused), and lists it', async () => {
        const arranged = callback('call-43', { state: 'scheduled', number: '+3725559999', scheduledFor: tomorrowAt(14, 30).toISOString() });
        let listed: unknown[] = [];
        server.route('GET /api/agent/callbacks', () => listOf(listed));
        const answers = [
          { status: 409, body: { statusCode: 409, code: 'ERR_CONFLICT', message: 'a callback to this number from this queue is already arranged' } },
          { status: 201, body: { callId: 'call-43', number: '+3725559999', scheduledFor: arranged.scheduledFor } },
        ];
        server.route('POST /api/agent/calls/call-43/callback', () => {
          const answer = answers.shift()!;
          if (answer.status === 201) listed = [arranged];
          return answer;
        });
        await signIn();
        await page.getByTestId('my-callbacks-empty').waitFor({ state: 'visible' });
        expect(reads()).toHaveLength(1);
        send({ type: 'connected', callId: 'call-43', context: phoneCall, device: 'desk-phone' });
        await page.getByTestId('callback-form').waitFor({ state: 'visible' });
        await page.getByTestId('callback-number').fill('+3725559999');
        await page.getByTestId('callback-arrange').click();
        await expect.poll(() => text('callback-error')).toBe('a callback to this number from this queue is already arranged');
        expect(reads()).toHaveLength(1);
        await page.getByTestId('callback-arrange').click();
        await expect.poll(() => visible('callback-result')).toBe(true);
        await expect.poll(rows).toEqual(['tomorrow 14:30 · +3725559999 · support']);
        expect(reads()).toHaveLength(2);
        expect(await text('my-callbacks-count')).toBe('1');
        expect(await visible('my-callbacks-empty')).toBe(false);
      });

      it('reads the list every minute while the agent is signed in, one read at a time, and no more once they sign out', async () => {
        let hold = false;
        let release: (() => void) | undefined;
        server.route('GET /api/agent/callbacks', async () => {
          if (hold) {
            hold = false;
            await new Promise<void>((resolve) => (release = resolve));
            return listOf([four[0]]);
          }
          return listOf(four);
        });
        await page.clock.install();
        await signIn();
        await expect.poll(() => reads().length).toBe(1);
        await page.clock.fastForward(60_000);
        await expect.poll(() => reads().length).toBe(2);
        // a read that is slow to come: the next minute's waits for it (and is made once it came)
        hold = true;
        await page.clock.fastForward(60_000);
        await expect.poll(() => release !== undefined).toBe(true);
        await page.clock.fastForward(60_000);
        await page.clock.fastForward(60_000);
        await page.evaluate(() => fetch('/api/ping'));
        await expect.poll(() => server.requests.some((r) => r.path === '/api/ping')).toBe(true);
        expect(reads()).toHaveLength(3);
        release?.();
        await expect.poll(() => reads().length).toBe(4);
        await expect.poll(ids).toEqual(['cb-2', 'cb-1', 'cb-3', 'cb-4']);
        await page.getByTestId('logout').click();
        await page.getByTestId('login-username').waitFor({ state: 'visible' });
        await page.clock.fastForward(180_000);
        // (a read the timer started would be here by the time the page answers this)
        await page.evaluate(() => fetch('/api/ping'));
        await expect.poll(() => server.requests.filter((r) => r.path === '/api/ping').length).toBe(2);
        expect(reads()).toHaveLength(4);
      });

      describe('Move (to another time)', () => {
        const puts = () => server.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/api/agent/callbacks/'));
        const row = (callId: string) => page.locator(`[data-testid="my-callback"][data-call-id="${callId}"]`);
        /** the focused element's test id and its row's call id */
        const focused = () =>
          page.evaluate(() => [document.activeElement?.getAttribute('data-testid'), (document.activeElement?.closest('[data-testid="my-callback"]') as HTMLElement | null)?.dataset.callId]);
        const moved = (callId: string, at: string): CannedResponse => ({ status: 200, body: { callId, number: '+3725550002', scheduledFor: at } });
        let listed: unknown[];
        /** signed in with `listed` (four at first) listed as the server has it; PUT of any of them answers `put` */
        async function open(put: (callId: string, at: string) => CannedResponse | Promise<CannedResponse>): Promise<void> {
          listed = four;
          server.route('GET /api/agent/callbacks', () => listOf(listed));
          for (const c of four) server.route(`PUT /api/agent/callbacks/${c.callId}`, (req) => put(c.callId, (req.body as { at: string }).at));
          await signIn();
          await expect.poll(ids).toEqual(['cb-2', 'cb-1', 'cb-3', 'cb-4']);
        }

        it("opens an editor in the row with the callback's time (in line: an hour from now, to 5 minutes), not before now, one row at a time; none on a callback being dialled", async () => {
          await open(moved);
          // (a Move on each callback but the one being dialled)
          expect(await page.getByTestId('my-callback-move').evaluateAll((bs) => bs.map((b) => !(b as HTMLElement).hidden))).toEqual([true, false, true, true]);
          expect(await row('cb-1').getByTestId('my-callback-move').isVisible()).toBe(false);
          expect(await page.getByRole('button', { name: 'Move the callback to +3725550003 (tomorrow 09:00) to another time' }).count()).toBe(1);
          const r = row('cb-3');
          expect(await r.getByTestId('my-callback-move-form').isHidden()).toBe(true);
          const before = Date.now();
          await r.getByTestId('my-callback-move').click();
          const after = Date.now();
          await r.getByTestId('my-callback-move-form').waitFor({ state: 'visible' });
          expect(await r.getByTestId('my-callback-move-at').inputValue()).toBe(localInputValue(tomorrowAt(9, 0).getTime()));
          expect(await r.getByTestId('my-callback-move-at').getAttribute('type')).toBe('datetime-local');
          expect([localInputValue(before), localInputValue(after)]).toContain(await r.getByTestId('my-callback-move-at').getAttribute('min'));
          expect(await r.getByTestId('my-callback-move').isHidden()).toBe(true);
          expect(await r.getByTestId('my-callback-cancel').isHidden()).toBe(true);
          expect(await r.getByTestId('my-callback-move').getAttribute('aria-expanded')).toBe('true');
          expect(await r.getByTestId('my-callback-move-error').isHidden()).toBe(true);
          expect(await focused()).toEqual(['my-callback-move-at', 'cb-3']);

          const l = row('cb-2');
          const inLine = { state: 'waiting', scheduledFor: null };
          const before2 = Date.now();
          await l.getByTestId('my-callback-move').click();
          const after2 = Date.now();
          await l.getByTestId('my-callback-move-form').waitFor({ state: 'visible' });
          const offered = await l.getByTestId('my-callback-move-at').inputValue();
          expect([moveDefault(inLine, before2), moveDefault(inLine, after2)]).toContain(offered);
          expect(Date.parse(localInputToIso(offered)!) % 300_000).toBe(0);
          // (the other row's editor closed: its Move and Cancel are back)
          expect(await r.getByTestId('my-callback-move-form').isHidden()).toBe(true);
          expect(await r.getByTestId('my-callback-move').isVisible()).toBe(true);
          expect(await r.getByTestId('my-callback-cancel').isVisible()).toBe(true);
          expect(await focused()).toEqual(['my-callback-move-at', 'cb-2']);
          expect(puts()).toHaveLength(0);
        });

        it("Save sends the chosen local time as ISO with the agent's token (off while on its way), closes the editor, says so and reads the list again", async () => {
          // (the browser in India, +05:30 all year, whatever this machine's zone: the page must read the field as its local time)
          const cdp = await page.context().newCDPSession(page);
          await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Asia/Kolkata' });
          const kolkata = 330 * 60_000;
          const chosen = `${new Date(Date.now() + 86_400_000 + kolkata).toISOString().slice(0, 10)}T10:15`;
          const chosenIso = new Date(Date.parse(`${chosen}:00Z`) - kolkata).toISOString();
          let answer!: () => void;
          const answered = new Promise<void>((resolve) => (answer = resolve));
          await open(async (callId, at) => {
            await answered;
            const [inLine, dialling, tomorrow, later] = four;
            listed = [dialling, tomorrow, { ...inLine, state: 'scheduled', scheduledFor: at }, later];
            return moved(callId, at);
          });
          const l = row('cb-2');
          await l.getByTestId('my-callback-move').click();
          await l.getByTestId('my-callback-move-at').fill(chosen);
          const readsBefore = reads().length;
          await l.getByTestId('my-callback-move-save').click();
          await expect.poll(() => puts().length).toBe(1);
          expect(await l.getByTestId('my-callback-move-save').isDisabled()).toBe(true);
          // (Enter on the field while it is on its way sends nothing more)
          await l.getByTestId('my-callback-move-at').press('Enter');
          answer();
          await l.getByTestId('my-callback-move-form').waitFor({ state: 'hidden' });

          expect(puts()).toHaveLength(1);
          const put = puts()[0]!;
          expect(put.path).toBe('/api/agent/callbacks/cb-2');
          expect(put.body).toEqual({ at: chosenIso });
          expect(put.headers.authorization).toBe('Bearer agent-token-1');
          expect(put.headers['content-type']).toBe('application/json');
          expect(await text('my-callbacks-status')).toBe('Callback to +3725550002 moved to tomorrow 10:15');
          expect(await page.getByTestId('my-callbacks-status').getAttribute('aria-live')).toBe('polite');
          expect(await visible('my-callbacks-error')).toBe(false);
          await expect.poll(() => reads().length).toBe(readsBefore + 1);
          await expect.poll(ids).toEqual(['cb-1', 'cb-3', 'cb-2', 'cb-4']);
          expect(await l.getByTestId('my-callback-text').textContent()).toBe('tomorrow 10:15 · +3725550002 · sales');
          // (the focus is back on its Move, the row re-ordered around it)
          expect(await focused()).toEqual(['my-callback-move', 'cb-2']);
          await l.getByTestId('my-callback-move').click();
          expect(await l.getByTestId('my-callback-move-at').inputValue()).toBe(chosen);
        });

        it("shows the server's refusal in the row and keeps the editor open with what was typed; Keep (or Escape) closes it", async () => {
          const refusals = [
            { status: 400, body: { statusCode: 400, code: 'ERR_VALIDATION', message: 'body.at: the queue is closed then. It opens at 08:00' } },
            { status: 409, body: { statusCode: 409, code: 'ERR_INVALID_STATE', message: 'the customer is being dialled right now: it cannot be moved' } },
          ];
          await open(() => refusals.shift()!);
          const r = row('cb-4');
          await r.getByTestId('my-callback-move').click();
          const typed = localInputValue(tomorrowAt(7, 0).getTime() + 2 * 86_400_000);
          await r.getByTestId('my-callback-move-at').fill(typed);
          await r.getByTestId('my-callback-move-save').click();
          const error = r.getByTestId('my-callback-move-error');
          await error.waitFor({ state: 'visible' });
          expect(await error.textContent()).toBe('body.at: the queue is closed then. It opens at 08:00');
          expect(await error.getAttribute('role')).toBe('alert');
          expect(await r.getByTestId('my-callback-move-form').isVisible()).toBe(true);
          expect(await r.getByTestId('my-callback-move-at').inputValue()).toBe(typed);
          expect(await r.getByTestId('my-callback-move-save').isEnabled()).toBe(true);
          expect(await visible('my-callbacks-error')).toBe(false);
          expect(await visible('my-callbacks-status')).toBe(false);
          expect(puts()[0]!.body).toEqual({ at: localInputToIso(typed) });
          expect(puts()[0]!.path).toBe('/api/agent/callbacks/cb-4');

          await r.getByTestId('my-callback-move-save').click();
          await expect.poll(() => error.textContent()).toBe('the customer is being dialled right now: it cannot be moved');
          expect(await r.getByTestId('my-callback-move-form').isVisible()).toBe(true);
          expect(await r.getByTestId('my-callback-move-at').inputValue()).toBe(typed);

          await r.getByTestId('my-callback-move-keep').click();
          expect(await r.getByTestId('my-callback-move-form').isHidden()).toBe(true);
          expect(await r.getByTestId('my-callback-move').isVisible()).toBe(true);
          expect(await r.getByTestId('my-callback-cancel').isVisible()).toBe(true);
          expect(await r.getByTestId('my-callback-move').getAttribute('aria-expanded')).toBe('false');
          expect(await focused()).toEqual(['my-callback-move', 'cb-4']);

          // opened again: the callback's time, no refusal; Escape closes it too
          await r.getByTestId('my-callback-move').click();
          expect(await r.getByTestId('my-callback-move-at').inputValue()).toBe(localInputValue(later.getTime()));
          expect(await error.isHidden()).toBe(true);
          await r.getByTestId('my-callback-move-at').press('Escape');
          expect(await r.getByTestId('my-callback-move-form').isHidden()).toBe(true);
          expect(await focused()).toEqual(['my-callback-move', 'cb-4']);
          expect(puts()).toHaveLength(2);
          // (the list as it was: nothing moved)
          expect(await r.getByTestId('my-callback-text').textContent()).toBe(`15 Jan ${later.getFullYear()} 10:05 · +3725550004 · billing`);
        });

        it('refuses an empty or past time in the row, sending nothing', async () => {
          await open(moved);
          const r = row('cb-3');
          await r.getByTestId('my-callback-move').click();
          await r.getByTestId('my-callback-move-at').fill(localInputValue(Date.now() - 3_600_000));
          await r.getByTestId('my-callback-move-save').click();
          await r.getByTestId('my-callback-move-error').waitFor({ state: 'visible' });
          expect(await r.getByTestId('my-callback-move-error').textContent()).toBe('Choose a time in the future.');
          await r.getByTestId('my-callback-move-at').fill('');
          await r.getByTestId('my-callback-move-at').press('Enter');
          await expect.poll(() => r.getByTestId('my-callback-move-error').textContent()).toBe('Choose the day and time to call back.');
          expect(await r.getByTestId('my-callback-move-form').isVisible()).toBe(true);
          expect(puts()).toHaveLength(0);
        });

        it('keeps an open editor, what was typed in it, its focus and a refusal shown when the list is read again every minute, until its callback is being dialled', async () => {
          await page.clock.install();
          await open(() => ({ status: 400, body: { statusCode: 400, code: 'ERR_VALIDATION', message: 'body.at: at most 7 days ahead' } }));
          const r = row('cb-3');
          await r.getByTestId('my-callback-move').click();
          const typed = localInputValue(tomorrowAt(16, 45).getTime() + 8 * 86_400_000);
          await r.getByTestId('my-callback-move-at').fill(typed);
          await r.getByTestId('my-callback-move-save').click();
          await r.getByTestId('my-callback-move-error').waitFor({ state: 'visible' });
          await r.getByTestId('my-callback-move-at').focus();

          // a callback arranged meanwhile and one more attempt on ours, listed before the others now: read in a minute
          const [inLine, dialling, tomorrow, last] = four;
          const newcomer = callback('cb-5', { state: 'waiting', number: '+3725550005' });
          listed = [newcomer, { ...tomorrow, attempts: 3 }, inLine, dialling, last];
          const readsBefore = reads().length;
          await page.clock.fastForward(60_000);
          await expect.poll(ids).toEqual(['cb-5', 'cb-3', 'cb-2', 'cb-1', 'cb-4']);
          expect(reads()).toHaveLength(readsBefore + 1);
          expect(await r.getByTestId('my-callback-text').textContent()).toBe('tomorrow 09:00 · +3725550003 · support · 3 attempts');
          expect(await r.getByTestId('my-callback-move-form').isVisible()).toBe(true);
          expect(await r.getByTestId('my-callback-move-at').inputValue()).toBe(typed);
          expect(await r.getByTestId('my-callback-move-error').textContent()).toBe('body.at: at most 7 days ahead');
          expect(await focused()).toEqual(['my-callback-move-at', 'cb-3']);
          // (an editor of a new row is not opened by it)
          expect(await row('cb-5').getByTestId('my-callback-move-form').isHidden()).toBe(true);

          // being dialled now: it can no longer be moved, the editor goes (the focus to its Cancel)
          listed = [newcomer, { ...tomorrow, state: 'dialing', attempts: 4 }, inLine, dialling, last];
          await page.clock.fastForward(60_000);
          await expect.poll(() => r.getByTestId('my-callback-text').textContent()).toBe('being dialled · +3725550003 · support · 4 attempts');
          expect(await r.getByTestId('my-callback-move-form').isHidden()).toBe(true);
          expect(await r.getByTestId('my-callback-move').isHidden()).toBe(true);
          expect(await focused()).toEqual(['my-callback-cancel', 'cb-3']);
          expect(puts()).toHaveLength(1);
        });
      });
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

    describe('the Account panel', () => {
      const ENDED = 'session ended (password or role changed, account disabled or deleted): sign in again';
      const puts = () => server.requests.filter((r) => r.method === 'PUT' && r.path === '/api/me/password');
      /** the tokens the agent socket was opened with, in order */
      let socketTokens: string[];
      /** the old token's socket is closed after the answer went out (else before) */
      let closeAfter: boolean;

      beforeEach(() => {
        socketTokens = [];
        closeAfter = false;
        // (as the server: a token of the session stands until the password changes; its sockets are closed then)
        let live = 'agent-token-1';
        server.socket('/ws/agent', (ws, url) => {
          const token = url.searchParams.get('token') ?? '';
          socketTokens.push(token);
          if (token !== live) {
            ws.send(JSON.stringify({ type: 'error', message: ENDED }));
            ws.close(4401, 'unauthorized');
            return;
          }
          agentWs = ws;
          ws.on('message', (data) => received.push(JSON.parse(String(data))));
          ws.send(JSON.stringify({ type: 'state', state: 'not-ready', reason: 'login', wrapUpEndsAt: null }));
        });
        server.route('PUT /api/me/password', async (req) => {
          const body = req.body as { currentPassword: string; newPassword: string };
          if (body.currentPassword !== 'demo-mari') return { status: 403, body: { statusCode: 403, code: 'ERR_FORBIDDEN', error: 'Forbidden', message: 'the current password is wrong' } };
          // the old token's sockets are closed as the answer goes out: before it (the page must wait for it), or after
          live = 'agent-token-2';
          const old = agentWs;
          const closeOld = () => {
            old?.send(JSON.stringify({ type: 'error', message: ENDED }));
            old?.close(4401, 'session ended');
          };
          if (closeAfter) setTimeout(closeOld, 300);
          else {
            closeOld();
            await new Promise((resolve) => setTimeout(resolve, 300));
          }
          return { status: 200, body: { token: 'agent-token-2', expiresAt: new Date(Date.now() + 3_600_000).toISOString() } };
        });
      });

      async function fillPasswords(current: string, next: string, repeat: string): Promise<void> {
        await page.getByTestId('password-current').fill(current);
        await page.getByTestId('password-new').fill(next);
        await page.getByTestId('password-repeat').fill(repeat);
        await page.getByTestId('password-save').click();
      }

      it('changes the password: checks the new one on the page, shows the refusal in the server\'s words, then keeps the new token for the API and the socket', async () => {
        await signIn();
        expect(await visible('account-panel')).toBe(false);
        await page.getByTestId('account-open').click();
        await page.getByTestId('account-panel').waitFor({ state: 'visible' });
        expect(await page.getByTestId('account-open').getAttribute('aria-expanded')).toBe('true');
        expect(await page.getByTestId('password-current').getAttribute('type')).toBe('password');

        // checked on the page: nothing is sent
        await fillPasswords('demo-mari', 'new-secret-1', 'new-secret-2');
        await expect.poll(() => text('account-message')).toBe('The new passwords do not match.');
        expect(await page.getByTestId('account-message').getAttribute('class')).toBe('error');
        await fillPasswords('demo-mari', 'short', 'short');
        await expect.poll(() => text('account-message')).toBe('The new password needs at least 8 characters.');
        await fillPasswords('', 'new-secret-1', 'new-secret-1');
        await expect.poll(() => text('account-message')).toBe('Enter your current password.');
        expect(puts()).toHaveLength(0);

        // refused by the server: its message; the session goes on with its token
        await fillPasswords('not-the-password', 'new-secret-1', 'new-secret-1');
        await expect.poll(() => text('account-message')).toBe('the current password is wrong');
        expect(puts()).toHaveLength(1);
        expect(puts()[0]?.headers.authorization).toBe('Bearer agent-token-1');
        expect(puts()[0]?.body).toEqual({ currentPassword: 'not-the-password', newPassword: 'new-secret-1' });

        // changed: the server closes the old token's socket first (4401), the page stays signed in with the new token
        await fillPasswords('demo-mari', 'new-secret-1', 'new-secret-1');
        await expect.poll(() => text('account-message')).toBe('Password changed');
        expect(await page.getByTestId('account-message').getAttribute('class')).toBe('notice');
        expect(puts()[1]?.body).toEqual({ currentPassword: 'demo-mari', newPassword: 'new-secret-1' });
        expect(await page.evaluate(() => sessionStorage.getItem('callflow.agent.token'))).toBe('agent-token-2');
        await expect.poll(() => socketTokens).toEqual(['agent-token-1', 'agent-token-2']);
        expect(await page.getByTestId('password-new').inputValue()).toBe('');
        expect(await visible('login-view')).toBe(false);
        expect(await visible('agent-name')).toBe(true);
        // (the old socket's "session ended" is not the agent's concern: this page kept its session)
        expect(await visible('desk-error')).toBe(false);

        // the events socket and the API go on with the new token
        await expect.poll(() => text('agent-state')).toBe('not-ready');
        await page.getByTestId('ready').click();
        await expect.poll(() => received).toContainEqual({ type: 'ready' });
        const before = server.requests.length;
        send({ type: 'call-ended', callId: 'call-77' });
        await expect.poll(() => server.requests.slice(before).find((r) => r.path === '/api/agent/stats')?.headers.authorization).toBe('Bearer agent-token-2');
        expect(await visible('login-view')).toBe(false);

        // Close, and the panel opens empty again
        await page.getByTestId('account-close').click();
        await page.getByTestId('account-panel').waitFor({ state: 'hidden' });
        await page.getByTestId('account-open').click();
        expect(await visible('account-message')).toBe(false);
      });

      it('keeps the session when the old token\'s socket is closed only after the new token came', async () => {
        closeAfter = true;
        await signIn();
        await page.getByTestId('account-open').click();
        await fillPasswords('demo-mari', 'new-secret-1', 'new-secret-1');
        await expect.poll(() => text('account-message')).toBe('Password changed');
        await expect.poll(() => socketTokens).toEqual(['agent-token-1', 'agent-token-2']);
        // (the old socket's 4401 comes and goes)
        await new Promise((resolve) => setTimeout(resolve, 600));
        expect(socketTokens).toEqual(['agent-token-1', 'agent-token-2']);
        expect(await visible('login-view')).toBe(false);
        expect(await visible('desk-error')).toBe(false);
        await expect.poll(() => text('agent-state')).toBe('not-ready');
        await page.getByTestId('ready').click();
        await expect.poll(() => received).toContainEqual({ type: 'ready' });
      });

      it('signs out everywhere: asks first, then DELETE /api/me/sessions and back at the sign-in form', async () => {
        server.route('DELETE /api/me/sessions', () => {
          agentWs?.close(4401, 'session ended');
          return { status: 204, body: null };
        });
        await signIn();
        await page.getByTestId('account-open').click();
        const asked: string[] = [];
        page.once('dialog', (d) => {
          asked.push(d.message());
          void d.dismiss();
        });
        await page.getByTestId('sign-out-everywhere').click();
        await expect.poll(() => asked).toHaveLength(1);
        expect(server.requests.some((r) => r.path === '/api/me/sessions')).toBe(false);
        expect(await visible('agent-name')).toBe(true);

        page.once('dialog', (d) => void d.accept());
        await page.getByTestId('sign-out-everywhere').click();
        await page.getByTestId('login-username').waitFor({ state: 'visible' });
        const deletes = server.requests.filter((r) => r.method === 'DELETE' && r.path === '/api/me/sessions');
        expect(deletes).toHaveLength(1);
        expect(deletes[0]?.headers.authorization).toBe('Bearer agent-token-1');
        await expect.poll(() => text('login-error')).toBe('Signed out everywhere.');
        expect(await page.evaluate(() => sessionStorage.getItem('callflow.agent.token'))).toBeNull();
        expect(await visible('account-panel')).toBe(false);
      });

      it('goes back to the sign-in form with the server\'s message when a request is refused because the session ended', async () => {
        // (an admin set a new password for the agent meanwhile, say)
        let ended = false;
        server.route('GET /api/agent/stats', () =>
          ended ? { status: 401, body: { statusCode: 401, code: 'ERR_UNAUTHENTICATED', error: 'Unauthorized', message: ENDED } } : { status: 500, body: { message: 'not here' } },
        );
        await signIn();
        ended = true;
        send({ type: 'call-ended', callId: 'call-78' });
        await page.getByTestId('login-username').waitFor({ state: 'visible' });
        expect(await text('login-error')).toBe(ENDED);
        expect(await page.evaluate(() => sessionStorage.getItem('callflow.agent.token'))).toBeNull();
        expect(await visible('agent-name')).toBe(false);
      });
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
