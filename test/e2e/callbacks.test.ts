import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { peakFrequency, rms } from '../media/helpers/audio.ts';
import { BaresipPhone, PHONE_ADDRESS, makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { ADMIN_PASSWORD, type Harness, createAgent, deskPhone, eventually, startCallCenter, signInBoard, supervisorToken } from './support/harness.ts';
import { readWav } from './support/wav.ts';
import { inDialog, inviteQueue, leaveVoicemail } from './support/queue-invite.ts';
import { RawUdp } from '../sip/helpers.ts';

/**
 * Callbacks end to end: a browser caller waiting in line leaves a phone number; the server calls that number
 * through its trunk when an agent is theirs. The customer's phone behind the "trunk" is a baresip that does not
 * register (its AOR's user is the number, so it takes the INVITE for that number) and answers by itself or not at
 * all; the agent is a baresip desk phone.
 */
const CUSTOMER_NUMBER = '+3725551234';
const CUSTOMER_PORT = 5970;

describe('callbacks', () => {
  let h: Harness;
  let dir: string;
  let anna: { id: number; password: string; sipPassword: string; token: string };
  let queueId: number;
  const phones: BaresipPhone[] = [];
  const browsers: TestBrowser[] = [];

  /** The customer's own phone (its number: `number`), reached through the trunk. */
  async function customerPhone(answer: 'auto' | 'manual', number = CUSTOMER_NUMBER): Promise<BaresipPhone> {
    const p = new BaresipPhone({
      dir: path.join(dir, `customer-${phones.length}`), sipPort: CUSTOMER_PORT, ctrlPort: CUSTOMER_PORT + 100, rtpMin: CUSTOMER_PORT * 4, answer,
      toneWav: makeTone(path.join(dir, 'tone-700.wav'), 700), registrar: `127.0.0.1:${h.sipPort}`, username: number, password: 'unused', regint: 0,
    });
    phones.push(p);
    await p.start();
    return p;
  }

  async function annaPhone(answer: 'auto' | 'manual' = 'auto'): Promise<BaresipPhone> {
    const p = await deskPhone(h, dir, { user: '1101', password: anna.sipPassword, port: 5940, tone: 1000, answer });
    phones.push(p);
    return p;
  }

  async function setState(state: 'ready' | 'not-ready'): Promise<void> {
    const r = await h.api('PUT', '/api/agent/state', { state, reason: 'other' }, anna.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }

  /** A browser caller in line; returns the call id and token the widget got. */
  async function browserCaller(): Promise<{ b: TestBrowser; callId: string; token: string }> {
    const b = await launchBrowser(path.join(dir, 'tone-440.wav'));
    browsers.push(b);
    const announced = b.page.waitForResponse((r) => r.url().endsWith('/api/public/calls') && r.request().method() === 'POST');
    await b.page.goto(`${h.baseUrl}/demo/`);
    await b.page.getByTestId('cf-call-button').click();
    await b.page.getByTestId('cf-language').selectOption('en');
    await b.page.getByTestId('cf-start').click();
    const { callId, token } = (await (await announced).json()) as { callId: string; token: string };
    await eventually(async () => (await b.page.getByTestId('cf-position').textContent())?.includes('1'), 15_000, 'position 1 in the widget');
    return { b, callId, token };
  }

  /** A browser caller in line leaves CUSTOMER_NUMBER (keeping their place), then Anna goes ready; the call's id. */
  async function leftNumberThenReady(): Promise<string> {
    const { callId, token } = await browserCaller();
    expect((await h.api('POST', `/api/public/calls/${callId}/callback`, { number: CUSTOMER_NUMBER }, token)).status).toBe(201);
    await setState('ready');
    return callId;
  }

  /** Waits until the server has put the call through (its CONNECT), so that a hang-up now ends a conversation. */
  async function putThrough(callId: string): Promise<void> {
    await eventually(async () => (await events(callId)).includes('CONNECT'), 15_000, 'the call to be put through');
  }

  async function events(callId: string): Promise<string[]> {
    await h.server.center.log.flush();
    return (await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body.events.map((e: { event: string }) => e.event);
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-callback-'));
    makeTone(path.join(dir, 'tone-440.wav'), 440);
    h = await startCallCenter({
      rtpPortMin: 46000,
      rtpPortMax: 46199,
      env: {
        CALLBACK_TRUNK: `sip:${PHONE_ADDRESS}:${CUSTOMER_PORT};transport=udp`,
        CALLBACK_DIAL_SECONDS: '6',
        CALLBACK_RETRY_SECONDS: '2',
        CALLBACK_ATTEMPTS: '2',
      },
    });
    await h.api('POST', '/api/skills', { name: 'support' }, h.admin);
    const q = await h.api('POST', '/api/queues', { name: 'support', skills: { support: 1 }, ringTimeoutSeconds: 8, wrapUpSeconds: 0 }, h.admin);
    expect(q.status).toBe(201);
    queueId = q.body.id;
    const a = await createAgent(h, { login: 'anna', name: 'Anna', languages: { en: 5 }, sipUser: '1101' });
    anna = { ...a, token: await h.login('anna', a.password) };
  }, 120_000);

  afterEach(async () => {
    for (const b of browsers.splice(0)) await b.close();
    for (const p of phones.splice(0)) await p.stop();
    await h.api('PUT', '/api/agent/state', { state: 'logged-out' }, anna.token);
  });

  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a waiting caller leaves a number and keeps their place; when Anna is free the customer is called and put through, with audio both ways', async () => {
    const annaBox = await annaPhone();
    const customer = await customerPhone('auto');
    const { b, callId, token } = await browserCaller();

    // bad requests are refused, naming the problem; nothing changes
    expect((await h.api('POST', `/api/public/calls/${callId}/callback`, { number: '555' }, token)).body.field).toBe('body.number');
    expect((await h.api('POST', `/api/public/calls/${callId}/callback`, { number: CUSTOMER_NUMBER }, 'not-a-token')).status).toBe(401);
    expect((await h.api('POST', `/api/public/calls/${callId}/callback`, { number: CUSTOMER_NUMBER, at: '2020-01-01T00:00:00Z' }, token)).body.field).toBe('body.at');

    // in the widget: "Call me back instead"; a number the server refuses shows its words and the call goes on
    await b.page.getByTestId('cf-callback').click();
    await b.page.getByTestId('cf-callback-number').fill('12');
    await b.page.getByTestId('cf-callback-submit').click();
    await eventually(async () => /not a phone number/.test((await b.page.getByTestId('cf-error').textContent()) ?? ''), 10_000, 'the refusal in the widget');
    expect(await b.page.getByTestId('cf-position').textContent()).toContain('1');
    await b.page.getByTestId('cf-callback-number').fill('+372 555 1234');
    await b.page.getByTestId('cf-callback-submit').click();
    // the browser call is over; the call is in line as a callback
    await eventually(async () => /call you on \+3725551234 when it is your turn/i.test((await b.page.getByTestId('cf-status').textContent()) ?? ''), 10_000, 'the widget to say it will call back');
    expect(await b.page.getByTestId('cf-error').isVisible()).toBe(false);
    const status = h.server.center.acd.engine.queueStatus(h.server.center.acd.queueIds()[0]!);
    expect(status.waiting).toBe(1);
    expect((await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body).toMatchObject({ state: 'callback', direction: 'callback' });
    await h.server.center.log.flush();
    const board = (await h.api('GET', '/api/wallboard', undefined, h.admin)).body;
    // (a callback is not an abandon)
    expect(board.queues[0]).toMatchObject({ name: 'support', waiting: 1, callbacks: { inLine: 1, later: 0 }, abandoned: 0, callbacksRequested: 1, callbacksFailed: 0 });
    // asking again: the call is no longer in progress
    expect((await h.api('POST', `/api/public/calls/${callId}/callback`, { number: CUSTOMER_NUMBER }, token)).status).toBe(404);

    // Anna's desktop hears of it as a callback to that number
    const desk = new WebSocket(`${h.baseUrl.replace('http', 'ws')}/ws/agent?token=${anna.token}`);
    const told: Array<{ type: string; context?: { callback: boolean; caller: string } }> = [];
    desk.on('message', (m) => told.push(JSON.parse(String(m))));
    await new Promise((r) => desk.once('open', r));
    await setState('ready');
    await customer.waitEvent('CALL_ESTABLISHED', 20_000);
    await annaBox.waitEvent('CALL_ESTABLISHED', 20_000);
    expect(told.find((m) => m.type === 'offer')?.context).toMatchObject({ callback: true, caller: CUSTOMER_NUMBER, queue: 'support' });
    desk.close();
    await putThrough(callId);
    await new Promise((r) => setTimeout(r, 4000));
    await customer.command('hangup');
    await annaBox.waitEvent('CALL_CLOSED', 10_000);
    await customer.waitEvent('CALL_CLOSED', 10_000);

    // each heard the other: Anna's 1000 Hz at the customer's phone, the customer's 700 Hz at Anna's
    for (const [phone, hz] of [[customer, 1000], [annaBox, 700]] as const) {
      // (baresip finishes writing the recording a moment after the call closed)
      const { samples, rate } = await eventually(() => {
        const file = phone.receivedRecording();
        const wav = file === undefined ? undefined : readWav(file);
        return wav !== undefined && wav.samples.length > wav.rate * 3 ? wav : undefined;
      }, 5000, 'the recording of the call').catch((err: Error) => {
        throw new Error(`${err.message} by ${phone.opts.username}: ${readdirSync(phone.recordings).map((f) => `${f} ${statSync(path.join(phone.recordings, f)).size}`).join(', ')}\n${phone.log.slice(-3000)}`);
      });
      const tail = samples.subarray(Math.max(0, samples.length - rate * 2));
      const heard = { peakHz: peakFrequency(tail, rate), rms: rms(tail), seconds: samples.length / rate };
      expect(Math.abs(heard.peakHz - hz), JSON.stringify(heard)).toBeLessThan(20);
      expect(heard.rms, JSON.stringify(heard)).toBeGreaterThan(300);
    }
    expect(await events(callId)).toEqual(['ENTERQUEUE', 'CALLBACKREQUESTED', 'CALLBACKATTEMPT', 'OFFER', 'CONNECT', 'COMPLETECALLER']);
    const record = (await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body;
    expect(record).toMatchObject({ state: 'ended', endReason: 'caller-hangup', agentId: anna.id, direction: 'callback' });
    const cb = await h.server.ctx.database.db.selectFrom('callbacks').selectAll().where('call_id', '=', callId).executeTakeFirstOrThrow();
    expect(cb).toMatchObject({ state: 'completed', attempts: 1, target: CUSTOMER_NUMBER });
  }, 120_000);

  it('a customer who does not answer is tried again, and given up after the last attempt; Anna is free again each time', async () => {
    const annaBox = await annaPhone();
    const customer = await customerPhone('manual');
    const callId = await leftNumberThenReady();
    await customer.waitEvent('CALL_INCOMING', 15_000);
    // not answered within CALLBACK_DIAL_SECONDS (6 s): tried again CALLBACK_RETRY_SECONDS (2 s) later, the last of 2 attempts
    await customer.waitEvent('CALL_INCOMING', 20_000);
    await eventually(async () => (await events(callId)).includes('CALLBACKFAILED'), 20_000, 'the callback to be given up');
    expect(await events(callId)).toEqual(['ENTERQUEUE', 'CALLBACKREQUESTED', 'CALLBACKATTEMPT', 'CALLBACKATTEMPT', 'CALLBACKFAILED']);
    expect(annaBox.events.some((e) => e.type === 'CALL_INCOMING')).toBe(false);
    const record = (await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body;
    expect(record).toMatchObject({ state: 'ended', endReason: 'callback-failed' });
    const attempts = record.events.filter((e: { event: string }) => e.event === 'CALLBACKATTEMPT').map((e: { data: unknown }) => e.data);
    expect(attempts).toEqual([
      { attempt: 1, answered: false, status: 408, reason: 'No Answer' },
      { attempt: 2, answered: false, status: 408, reason: 'No Answer' },
    ]);
    const cb = await h.server.ctx.database.db.selectFrom('callbacks').selectAll().where('call_id', '=', callId).executeTakeFirstOrThrow();
    expect(cb).toMatchObject({ state: 'failed', attempts: 2 });
    await eventually(async () => (await h.api('GET', '/api/agent/state', undefined, anna.token)).body.state === 'ready', 10_000, 'Anna ready again');
  }, 120_000);

  it('when the assigned agent does not answer, the customer, on the line now, waits in the queue and is put through next', async () => {
    const annaBox = await annaPhone('manual');
    const customer = await customerPhone('auto');
    const callId = await leftNumberThenReady();
    await customer.waitEvent('CALL_ESTABLISHED', 20_000);
    await annaBox.waitEvent('CALL_INCOMING', 10_000);
    // not answered within the queue's ring timeout (8 s): the customer is in line, and Anna (wrap-up 0) is offered it again
    await annaBox.waitEvent('CALL_INCOMING', 20_000);
    expect(h.server.center.acd.engine.agentInfo(String(anna.id)).consecutiveMisses).toBe(0);
    await annaBox.command('accept');
    await annaBox.waitEvent('CALL_ESTABLISHED', 10_000);
    await putThrough(callId);
    await customer.command('hangup');
    await eventually(async () => (await events(callId)).includes('COMPLETECALLER'), 10_000, 'the call to end');
    expect(await events(callId)).toEqual(['ENTERQUEUE', 'CALLBACKREQUESTED', 'CALLBACKATTEMPT', 'OFFER', 'RINGNOANSWER', 'ENTERQUEUE', 'OFFER', 'CONNECT', 'COMPLETECALLER']);
  }, 120_000);

  it('while the queue is closed the widget offers to leave a number, called back when it opens; a callback asked for without a call enters the queue at its first attempt', async () => {
    const annaBox = await annaPhone();
    const customer = await customerPhone('auto');
    const today = new Date().toISOString().slice(0, 10);
    const allDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ from: '00:00', to: '24:00' }]]));
    expect((await h.api('PATCH', `/api/queues/${queueId}`, { openingHours: { timeZone: 'UTC', days: allDay, closedDates: [today] } }, h.admin)).status).toBe(200);
    const opensAt = new Date(`${today}T00:00:00Z`).getTime() + 86_400_000;
    expect((await h.api('GET', '/api/public/queues/support')).body).toEqual({ name: 'support', open: false, opensAt: new Date(opensAt).toISOString(), callbacks: true });
    expect((await h.api('GET', '/api/public/queues/nope')).status).toBe(404);

    const b = await launchBrowser(path.join(dir, 'tone-440.wav'));
    browsers.push(b);
    await b.page.goto(`${h.baseUrl}/demo/`);
    await b.page.getByTestId('cf-call-button').click();
    await b.page.getByTestId('cf-language').selectOption('en');
    await b.page.getByTestId('cf-start').click();
    await eventually(async () => /we are closed/i.test((await b.page.getByTestId('cf-error').textContent()) ?? ''), 15_000, 'the closed message');
    await b.page.getByTestId('cf-callback').click();
    expect(await b.page.getByTestId('cf-callback-when').locator('option').first().textContent()).toMatch(/^When you open \(.+\)$/);
    await b.page.getByTestId('cf-callback-number').fill('+372 555 0000');
    await b.page.getByTestId('cf-callback-submit').click();
    await eventually(async () => /call you on \+3725550000 at /i.test((await b.page.getByTestId('cf-status').textContent()) ?? ''), 10_000, 'the widget to name the opening time');
    expect(await b.page.getByTestId('cf-error').isVisible()).toBe(false);
    await h.server.center.log.flush();
    const row = await h.server.ctx.database.db.selectFrom('callbacks').selectAll().where('target', '=', '+3725550000').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'scheduled', scheduled_for: new Date(opensAt), language: 'en' });
    expect((await h.api('GET', `/api/calls/${row.call_id}`, undefined, h.admin)).body).toMatchObject({ state: 'callback', direction: 'callback', caller: '+3725550000' });
    // one callback per number and queue; bad input named
    const again = await h.api('POST', '/api/public/callbacks', { queue: 'support', number: '+3725550000', language: 'en' });
    expect([again.status, again.body.field]).toEqual([409, 'body.number']);
    expect((await h.api('POST', '/api/public/callbacks', { queue: 'nope', number: '+3725550001', language: 'en' })).status).toBe(404);
    expect((await h.api('POST', '/api/public/callbacks', { queue: 'support', number: 'call me', language: 'en' })).body.field).toBe('body.number');

    // open again: a callback asked for through the API, 4 s from now
    expect((await h.api('PATCH', `/api/queues/${queueId}`, { openingHours: null }, h.admin)).status).toBe(200);
    const at = new Date(Date.now() + 4000).toISOString();
    const r = await h.api('POST', '/api/public/callbacks', { queue: 'support', number: CUSTOMER_NUMBER, language: 'en', at, page: { url: 'https://shop.example/tents', title: 'Tents' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ number: CUSTOMER_NUMBER, scheduledFor: at });
    await setState('ready');
    await customer.waitEvent('CALL_ESTABLISHED', 20_000);
    await annaBox.waitEvent('CALL_ESTABLISHED', 20_000);
    await putThrough(r.body.callId);
    await customer.command('hangup');
    await eventually(async () => (await events(r.body.callId)).includes('COMPLETECALLER'), 10_000, 'the call to end');
    expect(await events(r.body.callId)).toEqual(['CALLBACKREQUESTED', 'ENTERQUEUE', 'CALLBACKATTEMPT', 'OFFER', 'CONNECT', 'COMPLETECALLER']);
    expect((await h.api('GET', `/api/calls/${r.body.callId}`, undefined, h.admin)).body).toMatchObject({
      state: 'ended', agentId: anna.id, caller: CUSTOMER_NUMBER, context: { page: { url: 'https://shop.example/tents', title: 'Tents' } },
    });
  }, 120_000);

  it('a callback at a time the customer chose joins the line then, not before; a time when the queue is closed is refused', async () => {
    const annaBox = await annaPhone();
    const customer = await customerPhone('auto');
    const laterBefore = (await h.api('GET', '/api/wallboard', undefined, h.admin)).body.queues[0].callbacks.later as number;
    const { b, callId, token } = await browserCaller();
    // a holiday on the chosen day: refused with the opening time, the call goes on
    const at = new Date(Date.now() + 8000);
    const day = at.toISOString().slice(0, 10);
    const allDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ from: '00:00', to: '24:00' }]]));
    expect((await h.api('PATCH', `/api/queues/${queueId}`, { openingHours: { timeZone: 'UTC', days: allDay, closedDates: [day] } }, h.admin)).status).toBe(200);
    const closed = await h.api('POST', `/api/public/calls/${callId}/callback`, { number: CUSTOMER_NUMBER, at: at.toISOString() }, token);
    expect(closed.status).toBe(400);
    expect(closed.body.message).toMatch(/^body\.at: the queue is closed then\. We open again \w{3} 00:00 \(UTC\)\.$/);
    expect((await h.api('PATCH', `/api/queues/${queueId}`, { openingHours: null }, h.admin)).status).toBe(200);
    expect((await h.api('POST', `/api/public/calls/${callId}/callback`, { number: CUSTOMER_NUMBER, at: new Date(Date.now() + 8 * 86_400_000).toISOString() }, token)).body.field).toBe('body.at');

    // in the widget: "at a time I choose" (minutes: two minutes ahead)
    const later = new Date(Math.ceil((Date.now() + 120_000) / 60_000) * 60_000);
    await b.page.getByTestId('cf-callback').click();
    await b.page.getByTestId('cf-callback-number').fill(CUSTOMER_NUMBER);
    await b.page.getByTestId('cf-callback-when').selectOption('time');
    await b.page.getByTestId('cf-callback-at').fill(new Date(later.getTime() - later.getTimezoneOffset() * 60_000).toISOString().slice(0, 16));
    await b.page.getByTestId('cf-callback-submit').click();
    await eventually(async () => /call you on \+3725551234 at /i.test((await b.page.getByTestId('cf-status').textContent()) ?? ''), 10_000, 'the widget to name the time');
    const row = await h.server.ctx.database.db.selectFrom('callbacks').selectAll().where('call_id', '=', callId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'scheduled', scheduled_for: later });

    // a second caller asks (through the API) for a callback 6 s from now: dialled then, not before
    const second = await browserCaller();
    const soon = new Date(Date.now() + 6000);
    const r = await h.api('POST', `/api/public/calls/${second.callId}/callback`, { number: CUSTOMER_NUMBER, at: soon.toISOString() }, second.token);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.scheduledFor).toBe(soon.toISOString());
    // both out of the line until their time, even with Anna ready
    await setState('ready');
    expect(h.server.center.acd.engine.queueStatus(String(queueId)).waiting).toBe(0);
    expect((await h.api('GET', '/api/wallboard', undefined, h.admin)).body.queues[0]).toMatchObject({ waiting: 0, callbacks: { inLine: 0, later: laterBefore + 2 } });
    await customer.waitEvent('CALL_ESTABLISHED', 20_000);
    await annaBox.waitEvent('CALL_ESTABLISHED', 20_000);
    await putThrough(second.callId);
    const tried = (await h.api('GET', `/api/calls/${second.callId}`, undefined, h.admin)).body.events.find((e: { event: string }) => e.event === 'CALLBACKATTEMPT');
    expect(Date.parse(tried.at)).toBeGreaterThanOrEqual(soon.getTime());
    await customer.command('hangup');
    await eventually(async () => (await events(second.callId)).includes('COMPLETECALLER'), 10_000, 'the call to end');
    // the first one is still due at its time
    expect(h.server.center.callbacks.has(callId)).toBe(true);

    // a supervisor sees the open callbacks on the wall-board, the next due first, and cancels that one
    const sup = await launchBrowser(path.join(dir, 'tone-440.wav'));
    browsers.push(sup);
    await signInBoard(sup.page, h, 'admin', ADMIN_PASSWORD);
    const rows = sup.page.getByTestId('wb-callback-rows').locator('tr');
    await eventually(async () => (await rows.count()) === 2, 10_000, 'two open callbacks on the wall-board');
    expect(await rows.nth(0).getAttribute('data-testid')).toBe(`wb-callback-${CUSTOMER_NUMBER}`);
    expect(await rows.nth(1).getAttribute('data-testid')).toBe('wb-callback-+3725550000');
    await rows.nth(0).getByTestId('wb-callback-cancel').click();
    await eventually(async () => (await rows.count()) === 1, 10_000, 'the cancelled callback to leave the list');
    expect(h.server.center.callbacks.has(callId)).toBe(false);
    expect(h.server.center.acd.engine.callInfo(callId)).toBeNull();
    expect((await h.api('DELETE', `/api/callbacks/${callId}`, undefined, h.admin)).status).toBe(404);
    expect((await h.api('GET', '/api/callbacks', undefined, h.admin)).body.items.map((c: { number: string }) => c.number)).toEqual(['+3725550000']);
    const done = (await h.api('GET', '/api/callbacks?state=done', undefined, h.admin)).body.items as Array<{ callId: string; state: string }>;
    expect(done.find((c) => c.callId === callId)?.state).toBe('cancelled');
    expect((await events(callId)).at(-1)).toBe('CALLBACKCANCELLED');
    expect((await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body).toMatchObject({ state: 'ended', endReason: 'callback-cancelled' });
    expect((await h.api('GET', '/api/callbacks', undefined, anna.token)).status).toBe(403);
  }, 120_000);
  it('a phone caller in line presses 1 to be called back on their number, keeping their place', async () => {
    // the caller dials the queue from a phone whose SIP user is its number (3001); the trunk reaches it there
    const kiosk = await createAgent(h, { login: 'kiosk', name: 'Kiosk', languages: {}, skills: {}, sipUser: '3001' });
    const annaBox = await annaPhone();
    const phone = await customerPhone('auto', '3001');
    const udp = await new RawUdp().open();
    try {
      const ok = await inviteQueue(h, udp, { to: 'support', user: '3001', password: kiosk.sipPassword });
      expect(ok.status).toBe(200);
      inDialog(h, udp, ok, 'ACK');
      const queued = await eventually(async () => {
        await h.server.center.log.flush();
        const items = (await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items as Array<{ id: string; state: string; channel: string }>;
        return items[0]?.channel === 'sip' && items[0].state === 'queued' ? items[0] : undefined;
      }, 10_000, 'the phone call in line');
      inDialog(h, udp, ok, 'INFO', { digit: '1' });
      // "Thank you, we will call you back" (about 5 s): then our BYE
      const pressed = Date.now();
      const bye = await udp.take((m) => 'method' in m && m.method === 'BYE', 20_000);
      expect(Date.now() - pressed).toBeGreaterThan(4000);
      expect(bye.callId).toBe(ok.callId);
      expect(await events(queued.id)).toEqual(['ENTERQUEUE', 'CALLBACKREQUESTED']);
      expect(h.server.center.callbacks.has(queued.id)).toBe(true);
    } finally {
      udp.close();
    }
    await setState('ready');
    await phone.waitEvent('CALL_ESTABLISHED', 20_000);
    await annaBox.waitEvent('CALL_ESTABLISHED', 20_000);
    const callId = (await h.api('GET', '/api/callbacks?state=done', undefined, h.admin)).body.items.find((c: { number: string }) => c.number === '3001')?.callId as string;
    await putThrough(callId);
    await phone.command('hangup');
    await eventually(async () => (await events(callId)).includes('COMPLETECALLER'), 10_000, 'the call to end');
    expect(await events(callId)).toEqual(['ENTERQUEUE', 'CALLBACKREQUESTED', 'CALLBACKATTEMPT', 'OFFER', 'CONNECT', 'COMPLETECALLER']);
  }, 120_000);

  it('a phone caller whose queue overflows to callback is told so, let go, and called back keeping their place', async () => {
    const q = await h.api('POST', '/api/queues', { name: 'busy-line', skills: { support: 1 }, maxWaitSeconds: 1, overflow: { action: 'callback' }, wrapUpSeconds: 0 }, h.admin);
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    const kiosk = await createAgent(h, { login: 'kiosk2', name: 'Kiosk 2', languages: {}, skills: {}, sipUser: '3002' });
    const annaBox = await annaPhone();
    const phone = await customerPhone('auto', '3002');
    const udp = await new RawUdp().open();
    let callId: string;
    try {
      const ok = await inviteQueue(h, udp, { to: 'busy-line', user: '3002', password: kiosk.sipPassword });
      expect(ok.status).toBe(200);
      inDialog(h, udp, ok, 'ACK');
      // a second past its max wait: "Thank you, we will call you back" (about 5 s), then our BYE
      const bye = await udp.take((m) => 'method' in m && m.method === 'BYE', 20_000);
      expect(bye.callId).toBe(ok.callId);
      await h.server.center.log.flush();
      callId = ((await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items as Array<{ id: string }>)[0]!.id;
      expect(await events(callId)).toEqual(['ENTERQUEUE', 'EXITWITHTIMEOUT', 'CALLBACKREQUESTED']);
      expect(h.server.center.callbacks.has(callId)).toBe(true);
      expect(h.server.center.acd.engine.queueStatus(String(q.body.id)).waiting).toBe(1); // its place, held as a callback
    } finally {
      udp.close();
    }
    await setState('ready');
    await phone.waitEvent('CALL_ESTABLISHED', 20_000);
    await annaBox.waitEvent('CALL_ESTABLISHED', 20_000);
    await putThrough(callId);
    await phone.command('hangup');
    await eventually(async () => (await events(callId)).includes('COMPLETECALLER'), 10_000, 'the call to end');
    expect(await events(callId)).toEqual(['ENTERQUEUE', 'EXITWITHTIMEOUT', 'CALLBACKREQUESTED', 'CALLBACKATTEMPT', 'OFFER', 'CONNECT', 'COMPLETECALLER']);
  }, 120_000);

  it('a caller we cannot call back whose queue overflows to callback hears all agents are busy; no place is kept for nobody', async () => {
    const q = await h.api('POST', '/api/queues', { name: 'busy-lobby', skills: { support: 1 }, maxWaitSeconds: 1, overflow: { action: 'callback' } }, h.admin);
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    // (a SIP user that is no phone number: nothing to dial back)
    const lobby = await createAgent(h, { login: 'lobby', name: 'Lobby', languages: {}, skills: {}, sipUser: 'lobby' });
    const udp = await new RawUdp().open();
    try {
      const ok = await inviteQueue(h, udp, { to: 'busy-lobby', user: 'lobby', password: lobby.sipPassword });
      expect(ok.status).toBe(200);
      inDialog(h, udp, ok, 'ACK');
      await udp.take((m) => 'method' in m && m.method === 'BYE' && m.callId === ok.callId, 20_000);
      await h.server.center.log.flush();
      const call = ((await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items as Array<{ id: string; endReason: string }>)[0]!;
      await eventually(async () => (await h.api('GET', `/api/calls/${call.id}`, undefined, h.admin)).body.endReason === 'overflow-callback', 10_000, 'the record to end');
      expect(await events(call.id)).toEqual(['ENTERQUEUE', 'EXITWITHTIMEOUT']);
      expect(h.server.center.acd.engine.queueStatus(String(q.body.id)).waiting).toBe(0);
      expect(h.server.center.callbacks.has(call.id)).toBe(false);
    } finally {
      udp.close();
    }
  }, 60_000);

  it('a voicemail is answered with Call back on the wall-board: the caller\'s number is called back from its queue when an agent is free', async () => {
    const q = await h.api('POST', '/api/queues', { name: 'vm-line', skills: { support: 1 }, maxWaitSeconds: 1, overflow: { action: 'voicemail' }, wrapUpSeconds: 0 }, h.admin);
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    const kiosk = await createAgent(h, { login: 'kiosk3', name: 'Kiosk 3', languages: {}, skills: {}, sipUser: '3003' });
    const udp = await new RawUdp().open();
    try {
      await leaveVoicemail(h, udp, { to: 'vm-line', user: '3003', password: kiosk.sipPassword, hz: 600, seconds: 2.5 });
    } finally {
      udp.close();
    }
    const v = await eventually(async () => (await h.api('GET', `/api/voicemails?queueId=${q.body.id}`, undefined, h.admin)).body.items[0], 10_000, 'the voicemail');
    expect(v.number).toBe('3003');
    expect((await h.api('POST', '/api/voicemails/999999/callback', undefined, h.admin)).status).toBe(404);
    expect((await h.api('POST', `/api/voicemails/${v.id}/callback`, undefined, anna.token)).status).toBe(403);

    // Sue presses Call back on her wall-board
    const sue = await h.api('POST', '/api/users', { login: 'sue', name: 'Sue', password: 'sue-password-1', role: 'supervisor' }, h.admin);
    expect(sue.status).toBe(201);
    const board = await launchBrowser(path.join(dir, 'tone-440.wav'));
    browsers.push(board);
    await signInBoard(board.page, h, 'sue', 'sue-password-1');
    const row = board.page.getByTestId(`wb-voicemail-row-${v.id}`);
    await row.getByTestId('wb-voicemail-callback').click({ timeout: 15_000 });
    await eventually(async () => (await row.count()) === 0, 10_000, 'the voicemail done');
    const cb = await eventually(async () => (await h.api('GET', `/api/callbacks?queueId=${q.body.id}`, undefined, h.admin)).body.items[0], 10_000, 'the callback');
    expect(cb).toMatchObject({ number: '3003', queue: 'vm-line' });
    expect((await h.api('GET', `/api/voicemails?state=done&queueId=${q.body.id}`, undefined, h.admin)).body.items.map((i: { id: number }) => i.id)).toEqual([v.id]);
    // a second Call back for the same number and queue while the first is open: refused
    expect(await h.api('POST', `/api/voicemails/${v.id}/callback`, undefined, h.admin)).toMatchObject({ status: 409, body: { message: 'a callback to this number from this queue is already arranged' } });

    // Anna is free: the customer's phone rings first, then Anna's
    const annaBox = await annaPhone();
    const phone = await customerPhone('auto', '3003');
    await setState('ready');
    await phone.waitEvent('CALL_ESTABLISHED', 20_000);
    await annaBox.waitEvent('CALL_ESTABLISHED', 20_000);
    await putThrough(cb.callId);
    await phone.command('hangup');
    await eventually(async () => (await events(cb.callId)).includes('COMPLETECALLER'), 10_000, 'the call to end');
  }, 120_000);

  it('Anna arranges to call a customer back herself: the call is offered to her first, though Bob has waited longer', async () => {
    const bob = await createAgent(h, { login: 'bob', name: 'Bob', languages: { en: 5 }, sipUser: '1102' });
    const bobToken = await h.login('bob', bob.password);
    const bobBox = await deskPhone(h, dir, { user: '1102', password: bob.sipPassword, port: 5996, tone: 900, answer: 'auto' });
    phones.push(bobBox);
    // a call Anna talked on (made directly), from a phone with a number, and one from a browser
    const db = h.server.ctx.database.db;
    const { insertCall, appendQueueEvents } = await import('../../db/repositories/call-log.ts');
    const { newCallRecord } = await import('../../server/calls/call-log-writer.ts');
    const base = { queue_id: queueId, direction: 'inbound' as const, customer_id: null, language: 'en', context: '{}', sip_call_id: null, state: 'ended' as const, queued_at: null };
    await insertCall(db, newCallRecord({ ...base, id: 'talked-phone', channel: 'sip', caller: `sip:${CUSTOMER_NUMBER}@gw.example` }));
    await insertCall(db, newCallRecord({ ...base, id: 'talked-web', channel: 'webrtc', caller: 'web' }));
    await appendQueueEvents(db, ['talked-phone', 'talked-web'].map((callId) => ({ event: 'CONNECT' as const, callId, queueId, agentId: anna.id, data: { waited: 3 } })));
    const ask = (callId: string, body: object, token = anna.token) => h.api('POST', `/api/agent/calls/${callId}/callback`, body, token);

    expect((await ask('no-such-call', {})).status).toBe(404);
    expect(await ask('talked-phone', {}, bobToken)).toMatchObject({ status: 403, body: { message: 'you did not talk on call talked-phone' } });
    expect(await ask('talked-web', {})).toMatchObject({ status: 409, body: { message: 'the caller (in the browser) left no phone number: give the number to call' } });
    expect((await ask('talked-web', { number: 'call me' })).status).toBe(400);
    expect((await ask('talked-phone', { at: new Date(Date.now() - 60_000).toISOString() })).status).toBe(400);

    // Bob is ready first (the longest idle), then Anna; Anna's callback, due now, still goes to her
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, bobToken)).status).toBe(200);
    const annaBox = await annaPhone();
    await setState('ready');
    const phone = await customerPhone('auto');
    const desk = new WebSocket(`${h.baseUrl.replace('http', 'ws')}/ws/agent?token=${anna.token}`);
    const told: Array<{ type: string; context?: Record<string, unknown> }> = [];
    desk.on('message', (m) => told.push(JSON.parse(String(m))));
    await new Promise((r) => desk.once('open', r));
    const made = await ask('talked-phone', {});
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.number).toBe(CUSTOMER_NUMBER);
    await phone.waitEvent('CALL_ESTABLISHED', 20_000);
    await annaBox.waitEvent('CALL_ESTABLISHED', 20_000);
    // (her desktop's offer says it is the callback she arranged)
    expect(told.find((m) => m.type === 'offer')?.context).toMatchObject({ callback: true, arrangedBy: 'Anna', caller: CUSTOMER_NUMBER });
    desk.close();
    await putThrough(made.body.callId);
    await h.server.center.log.flush();
    const log = (await h.api('GET', `/api/calls/${made.body.callId}`, undefined, h.admin)).body.events as Array<{ event: string; agentId: number | null; data: Record<string, unknown> }>;
    expect(log.find((e) => e.event === 'CALLBACKREQUESTED')).toMatchObject({ agentId: anna.id, data: { personal: true, withoutCall: true } });
    expect(log.find((e) => e.event === 'CONNECT')?.agentId).toBe(anna.id);
    expect(h.server.center.desk.state(String(bob.id)).state).toBe('ready'); // (Bob was not offered it)
    await phone.command('hangup');
    await eventually(async () => (await events(made.body.callId)).includes('COMPLETECALLER'), 10_000, 'the call to end');
    await h.api('PUT', '/api/agent/state', { state: 'logged-out' }, bobToken);

    // Her own callbacks: listed for her (not for Bob), cancelled by her (not by Bob)
    const mine = (query = '', token = anna.token) => h.api('GET', `/api/agent/callbacks${query}`, undefined, token);
    const later = new Date(Date.now() + 2 * 3600_000);
    const next = await ask('talked-web', { number: '+3725550042', at: later.toISOString() });
    expect(next.status, JSON.stringify(next.body)).toBe(201);
    expect((await mine()).body).toMatchObject({ total: 1, items: [{ callId: next.body.callId, number: '+3725550042', queue: 'support', state: 'scheduled', scheduledFor: later.toISOString(), attempts: 0, agent: { id: anna.id, name: 'Anna' } }] });
    // (supervisors see whose it is; a callback a customer asked for is nobody's)
    const all = (await h.api('GET', '/api/callbacks?state=all', undefined, h.admin)).body.items as Array<{ callId: string; agent: unknown }>;
    expect(all.find((c) => c.callId === next.body.callId)?.agent).toEqual({ id: anna.id, name: 'Anna' });
    expect(all.filter((c) => c.agent === null).length).toBeGreaterThan(0);
    expect((await mine('?state=done')).body.items.map((c: { callId: string; state: string }) => [c.callId, c.state])).toEqual([[made.body.callId, 'completed']]);
    expect((await mine('', bobToken)).body).toMatchObject({ total: 0, items: [] });
    expect((await mine('', h.admin)).status).toBe(403);
    expect((await mine('?state=soon')).status).toBe(400);
    // Moved to another time: by her (not Bob), or by a supervisor; the ACD holds it until then
    const move = (at: Date | string, token = anna.token, path = '/api/agent/callbacks') => h.api('PUT', `${path}/${next.body.callId}`, { at: typeof at === 'string' ? at : at.toISOString() }, token);
    const later2 = new Date(Date.now() + 3 * 3600_000);
    expect((await move(later2)).body).toEqual({ callId: next.body.callId, number: '+3725550042', scheduledFor: later2.toISOString() });
    expect((await mine()).body.items[0]).toMatchObject({ state: 'scheduled', scheduledFor: later2.toISOString() });
    expect(h.server.center.acd.engine.callInfo(next.body.callId)).toMatchObject({ state: 'scheduled', claimAt: later2.getTime() });
    expect((await move(later2, bobToken)).status).toBe(403);
    expect((await move(new Date(Date.now() - 60_000))).body).toMatchObject({ statusCode: 400, message: 'body.at: must be in the future' });
    expect((await move('tomorrow')).status).toBe(400);
    const later3 = new Date(Date.now() + 4 * 3600_000);
    expect((await move(later3, await supervisorToken(h), '/api/callbacks')).status).toBe(200);
    expect(h.server.center.acd.engine.callInfo(next.body.callId)).toMatchObject({ state: 'scheduled', claimAt: later3.getTime() });
    const moves = ((await h.api('GET', `/api/calls/${next.body.callId}`, undefined, h.admin)).body.events as Array<{ event: string; data: Record<string, unknown> }>)
      .filter((e) => e.event === 'CALLBACKRESCHEDULED');
    expect(moves.map((e) => e.data)).toEqual([{ scheduledFor: later2.toISOString(), by: 'anna' }, { scheduledFor: later3.toISOString(), by: 'sue' }]);
    // A supervisor hands it to Bob (Anna is away, say), keeping its time; then to anyone; then back to Anna
    const sue = await supervisorToken(h);
    const hand = (body: object) => h.api('PUT', `/api/callbacks/${next.body.callId}`, body, sue);
    expect((await hand({ agentId: bob.id })).body).toEqual({ callId: next.body.callId, number: '+3725550042', scheduledFor: later3.toISOString() });
    expect((await mine()).body.total).toBe(0);
    expect((await mine('', bobToken)).body.items).toMatchObject([{ callId: next.body.callId, agent: { id: bob.id, name: 'Bob' }, scheduledFor: later3.toISOString() }]);
    expect(h.server.center.acd.engine.callInfo(next.body.callId)).toMatchObject({ state: 'scheduled', claimAt: later3.getTime() });
    expect((await hand({ agentId: null })).status).toBe(200);
    expect((await h.api('GET', '/api/callbacks', undefined, sue)).body.items.find((c: { callId: string }) => c.callId === next.body.callId)?.agent).toBeNull();
    expect(await hand({ agentId: 99_999 })).toMatchObject({ status: 400, body: { message: 'body.agentId: no agent 99999' } });
    expect(await hand({})).toMatchObject({ status: 400, body: { message: 'body: give at (another time) or agentId (another agent, null: anyone)' } });
    expect((await hand({ agentId: anna.id })).status).toBe(200);
    const handed = ((await h.api('GET', `/api/calls/${next.body.callId}`, undefined, h.admin)).body.events as Array<{ event: string; data: Record<string, unknown> }>)
      .filter((e) => e.event === 'CALLBACKRESCHEDULED').slice(2).map((e) => e.data);
    expect(handed).toEqual([
      { scheduledFor: later3.toISOString(), agentId: bob.id, by: 'sue' }, { scheduledFor: later3.toISOString(), agentId: null, by: 'sue' },
      { scheduledFor: later3.toISOString(), agentId: anna.id, by: 'sue' },
    ]);
    const cancel = (callId: string, token = anna.token) => h.api('DELETE', `/api/agent/callbacks/${callId}`, undefined, token);
    expect(await cancel(next.body.callId, bobToken)).toMatchObject({ status: 403, body: { message: `the callback of call ${next.body.callId} is not one you arranged: a supervisor can change it` } });
    expect(await cancel('no-such-callback')).toMatchObject({ status: 404, body: { message: 'no open callback for call no-such-callback' } });
    // My callbacks on her page lists it (when, number, queue), and its Cancel cancels it
    const b = await launchBrowser(path.join(dir, 'tone-440.wav'));
    browsers.push(b);
    await b.page.goto(`${h.baseUrl}/agent/`);
    await b.page.getByTestId('login-username').fill('anna');
    await b.page.getByTestId('login-password').fill(anna.password);
    await b.page.getByTestId('login-submit').click();
    const row = b.page.getByTestId('my-callback');
    await eventually(async () => (await row.count()) === 1 || undefined, 15_000, 'her callback in My callbacks');
    expect(await row.getByTestId('my-callback-text').textContent()).toMatch(/\+3725550042.*support/);
    // Move on her page: the time she types (the browser's local time) is the callback's new time on the server
    await row.getByTestId('my-callback-move').click();
    const typed = await row.getByTestId('my-callback-move-at').evaluate((input: HTMLInputElement) => {
      const d = new Date(Date.now() + 5 * 3600_000);
      d.setSeconds(0, 0);
      input.value = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
      return d.toISOString();
    });
    await row.getByTestId('my-callback-move-save').click();
    await eventually(async () => (await mine()).body.items[0]?.scheduledFor === typed || undefined, 10_000, 'the callback moved to the time she typed');
    await eventually(async () => (await row.getByTestId('my-callback-move-form').isHidden()) || undefined, 10_000, 'the editor closed');
    await row.getByTestId('my-callback-cancel').click();
    await eventually(async () => (await row.count()) === 0 || undefined, 10_000, 'the row gone');
    expect((await mine()).body).toMatchObject({ total: 0, items: [] });
    expect(await events(next.body.callId)).toContain('CALLBACKCANCELLED');
    expect((await cancel(next.body.callId)).status).toBe(404);
  }, 120_000);

  it('a voicemail from a caller with no number cannot be called back', async () => {
    const lobbyMail = await h.api('GET', '/api/voicemails?state=all', undefined, h.admin);
    expect(lobbyMail.status).toBe(200);
    // (made directly: a browser caller's message has no number)
    const { createVoicemail } = await import('../../db/repositories/voicemails.ts');
    const v = await createVoicemail(h.server.ctx.database.db, { callId: 'web-1', queueId, caller: 'web', customerId: null, language: 'en', seconds: 2, audio: Buffer.from('RIFF') });
    expect(await h.api('POST', `/api/voicemails/${v.id}/callback`, undefined, h.admin)).toMatchObject({ status: 409, body: { message: 'the caller (web) left no phone number to call back' } });
  });
});
