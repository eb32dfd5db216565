import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { peakFrequency, rms } from '../media/helpers/audio.ts';
import { BaresipPhone, PHONE_ADDRESS, makeTone } from '../support/baresip.ts';
import { RawUdp } from '../sip/helpers.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, agentPageReady, createAgent, deskPhone, eventually, startCallCenter } from './support/harness.ts';
import { inDialog, inviteQueue } from './support/queue-invite.ts';
import { readWav } from './support/wav.ts';

/**
 * Agents' calls to phone numbers, end to end: Anna's desk phone (baresip) dials sip:<number>@<server>; the server
 * sends the call out through its trunk, which reaches the customer's phone (a baresip that does not register: its
 * AOR's user is the number). Real SIP, real media through rtpengine.
 */
const CUSTOMER_NUMBER = '+3725551234';
const CUSTOMER_PORT = 6060;
const ANNA_PORT = 6030;

interface Told {
  type: string;
  state?: string;
  reason?: string;
  number?: string;
  callId?: string;
}

describe('agents dial phone numbers', () => {
  let h: Harness;
  let dir: string;
  let anna: { id: number; password: string; sipPassword: string; token: string };
  let bob: { id: number; password: string; sipPassword: string };
  const phones: BaresipPhone[] = [];
  const sockets: WebSocket[] = [];
  const browsers: TestBrowser[] = [];

  async function customerPhone(answer: 'auto' | 'manual'): Promise<BaresipPhone> {
    const p = new BaresipPhone({
      dir: path.join(dir, `customer-${phones.length}`), sipPort: CUSTOMER_PORT, ctrlPort: CUSTOMER_PORT + 100, rtpMin: CUSTOMER_PORT * 4, answer,
      toneWav: makeTone(path.join(dir, 'tone-700.wav'), 700), registrar: `127.0.0.1:${h.sipPort}`, username: CUSTOMER_NUMBER, password: 'unused', regint: 0,
    });
    phones.push(p);
    await p.start();
    return p;
  }

  async function annaPhone(): Promise<BaresipPhone> {
    const p = await deskPhone(h, dir, { user: '1101', password: anna.sipPassword, port: ANNA_PORT, tone: 1000, answer: 'auto' });
    phones.push(p);
    return p;
  }

  /** What the phone recorded of its calls so far (the files, oldest first). */
  function recordings(p: BaresipPhone): string[] {
    return readdirSync(p.recordings).filter((f) => f.endsWith('-dec.wav')).sort().map((f) => path.join(p.recordings, f));
  }

  /** Anna's desktop socket: what it is told. */
  async function annaDesk(): Promise<Told[]> {
    const ws = new WebSocket(`${h.baseUrl.replace('http', 'ws')}/ws/agent?token=${anna.token}`);
    sockets.push(ws);
    const told: Told[] = [];
    ws.on('message', (m) => told.push(JSON.parse(String(m)) as Told));
    await new Promise((r) => ws.once('open', r));
    return told;
  }

  function annaState(): { state: string; reason: string } {
    return h.server.center.desk.state(String(anna.id));
  }

  async function setState(state: 'ready' | 'not-ready', reason = 'other'): Promise<void> {
    const r = await h.api('PUT', '/api/agent/state', { state, reason }, anna.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }

  async function record(callId: string): Promise<Record<string, unknown>> {
    await h.server.center.log.flush();
    return (await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body;
  }

  /** Anna's phone dials `number` (as typed on a desk phone) and reaches the customer's phone; the server's call id. */
  async function dial(phone: BaresipPhone, told: Told[], number: string): Promise<string> {
    const from = told.length;
    await phone.command('dial', `sip:${number}@127.0.0.1:${h.sipPort}`);
    const m = await eventually(() => told.slice(from).find((t) => t.type === 'outbound' && t.state === 'dialing'), 10_000, 'the desktop to be told of the call');
    return m.callId!;
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-outbound-'));
    h = await startCallCenter({
      rtpPortMin: 48000,
      rtpPortMax: 48099,
      env: { CALLBACK_TRUNK: `sip:${PHONE_ADDRESS}:${CUSTOMER_PORT};transport=udp`, AGENT_CALLS: '1', AGENT_CALL_PREFIXES: '+372', MEDIA_TIMEOUT_SECONDS: '5' },
    });
    await h.api('POST', '/api/skills', { name: 'support' }, h.admin);
    expect((await h.api('POST', '/api/queues', { name: 'support', skills: { support: 1 }, ringTimeoutSeconds: 8, wrapUpSeconds: 0 }, h.admin)).status).toBe(201);
    const a = await createAgent(h, { login: 'anna', name: 'Anna', languages: { en: 5 }, sipUser: '1101' });
    anna = { ...a, token: await h.login('anna', a.password) };
    bob = await createAgent(h, { login: 'bob', name: 'Bob', languages: { en: 5 }, skills: {}, sipUser: '1102' });
  }, 120_000);

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const b of browsers.splice(0)) await b.close();
    for (const p of phones.splice(0)) await p.stop();
    await h.api('PUT', '/api/agent/state', { state: 'logged-out' }, anna.token);
  });

  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Anna dials a customer from her desk phone: they talk through the trunk, she is offered no call meanwhile, and is ready again after', async () => {
    const phone = await annaPhone();
    const customer = await customerPhone('auto');
    const told = await annaDesk();
    await setState('ready');
    expect((await h.api('GET', '/api/agent/outbound', undefined, anna.token)).body).toEqual({ allowed: true, allowedPrefixes: ['+372'], reason: null, call: null });

    const earlier = recordings(phone);
    const callId = await dial(phone, told, CUSTOMER_NUMBER);
    await customer.waitEvent('CALL_ESTABLISHED', 20_000);
    await phone.waitEvent('CALL_ESTABLISHED', 20_000);
    await eventually(() => told.some((t) => t.type === 'outbound' && t.state === 'talking'), 10_000, 'talking');
    // the ACD offers her nothing meanwhile: not ready, reason outbound
    expect(annaState()).toEqual({ state: 'not-ready', reason: 'outbound' });
    expect((await h.api('GET', '/api/agent/outbound', undefined, anna.token)).body.call).toEqual({ callId, number: CUSTOMER_NUMBER, answered: true });
    // supervisors see it on the wall-board
    const onBoard = (await h.api('GET', '/api/wallboard', undefined, h.admin)).body.agents.find((a: { id: number }) => a.id === anna.id);
    expect(onBoard).toMatchObject({ state: 'not-ready', reason: 'outbound', reasonLabel: 'Calling a number', outbound: { number: CUSTOMER_NUMBER, answered: true } });
    // a caller who comes now waits: Anna is on her call
    const udp = await new RawUdp().open();
    try {
      const waiting = await inviteQueue(h, udp, { to: 'support', user: '1102', password: bob.sipPassword });
      expect(waiting.status).toBe(200);
      inDialog(h, udp, waiting, 'ACK');
      const queueId = h.server.center.acd.queueIds()[0]!;
      await eventually(() => h.server.center.acd.engine.queueStatus(queueId).waiting === 1, 10_000, 'the caller in line');
      await new Promise((r) => setTimeout(r, 1000));
      expect(h.server.center.acd.engine.queueStatus(queueId).waiting).toBe(1);
      expect(phone.events.filter((e) => e.type === 'CALL_INCOMING')).toHaveLength(0);
      // going ready during the call is refused
      const refused = await h.api('PUT', '/api/agent/state', { state: 'ready' }, anna.token);
      expect(refused.status).toBe(409);
      expect(JSON.stringify(refused.body)).toMatch(/during your call to a number/);

      await new Promise((r) => setTimeout(r, 4000));
      await customer.command('hangup');
      await phone.waitEvent('CALL_CLOSED', 10_000);
      await eventually(() => told.find((t) => t.type === 'outbound' && t.state === 'ended'), 10_000, 'the end').then((t) => expect(t.reason).toBe('customer'));
      // ready again: the waiting caller is offered to her at once (her phone answers by itself)
      await phone.waitEvent('CALL_ESTABLISHED', 20_000);
      await eventually(() => h.server.center.acd.engine.queueStatus(queueId).waiting === 0, 10_000, 'the caller to be taken');
      // (the caller hangs up: their BYE answered, Anna's phone let go)
      inDialog(h, udp, waiting, 'BYE');
      await udp.take((m) => 'status' in m && m.callId === waiting.callId && m.cseq.method === 'BYE');
      await phone.waitEvent('CALL_CLOSED', 10_000);
      await eventually(() => h.server.center.callOfAgent(String(anna.id)) === undefined, 10_000, 'her call with the caller to end');
    } finally {
      udp.close();
    }

    // each heard the other: Anna's 1000 Hz at the customer's phone, the customer's 700 Hz at Anna's (her first call's recording)
    for (const [p, hz] of [[customer, 1000], [phone, 700]] as const) {
      const { samples, rate } = await eventually(() => {
        const file = p === phone ? recordings(phone).find((f) => !earlier.includes(f)) : p.receivedRecording();
        const wav = file === undefined ? undefined : readWav(file);
        return wav !== undefined && wav.samples.length > wav.rate * 3 ? wav : undefined;
      }, 5000, 'the recording of the call');
      const tail = samples.subarray(Math.max(0, samples.length - rate * 2));
      const heard = { peakHz: peakFrequency(tail, rate), rms: rms(tail), seconds: samples.length / rate };
      expect(Math.abs(heard.peakHz - hz), JSON.stringify(heard)).toBeLessThan(20);
      expect(heard.rms, JSON.stringify(heard)).toBeGreaterThan(300);
    }
    // the call record: outbound, the number as the customer, Anna, the talk time
    const r = await record(callId);
    expect(r).toMatchObject({ direction: 'outbound', state: 'ended', endReason: 'customer', agentId: anna.id, caller: CUSTOMER_NUMBER, queueId: null, context: { dialledBy: anna.id } });
    expect(r.talkSeconds as number).toBeGreaterThan(3);
    // Anna writes her note on it (the call went through no queue: it is hers as its record says); Bob may not
    const note = await h.api('PUT', `/api/agent/calls/${callId}/note`, { text: 'promised a quote by Friday' }, anna.token);
    expect(note.status, JSON.stringify(note.body)).toBe(200);
    const bobToken = await h.login('bob', bob.password);
    expect((await h.api('PUT', `/api/agent/calls/${callId}/note`, { text: 'mine' }, bobToken)).status).toBe(403);
    const history = await h.api('GET', `/api/agent/calls/${callId}/history`, undefined, anna.token);
    expect(history.status, JSON.stringify(history.body)).toBe(200);
    expect(JSON.stringify(history.body.notes)).toContain('promised a quote by Friday');
  }, 120_000);

  it('refused with a reason: a number outside the allowed prefixes, a colleague, while offered a call, when agents may not dial', async () => {
    const udp = await new RawUdp().open();
    try {
      const asAnna = { user: '1101', password: anna.sipPassword };
      const outside = await inviteQueue(h, udp, { to: '+4930123456', ...asAnna });
      expect(outside.status, outside.reason).toBe(403);
      expect(outside.reason).toMatch(/does not start with an allowed prefix \(\+372\)/);
      expect(outside.reason).not.toContain('+4930123456'); // (the number is masked)
      const noOffer = await inviteQueue(h, udp, { to: CUSTOMER_NUMBER, ...asAnna, sdp: '' });
      expect(noOffer.status).toBe(488);
      expect(noOffer.reason).toMatch(/SDP offer is required/);
      await eventually(() => h.server.center.outboundOf(String(anna.id)) === undefined, 5000, 'the refused call to be gone');
      const colleague = await inviteQueue(h, udp, { to: '1102', ...asAnna });
      expect(colleague.status).toBe(404);
      expect(colleague.reason).toMatch(/1102 is the agent Bob/);

      // Anna is offered a call (her phone rings, not answered): she cannot dial
      const phone = await deskPhone(h, dir, { user: '1101', password: anna.sipPassword, port: ANNA_PORT, tone: 1000, answer: 'manual' });
      phones.push(phone);
      await setState('ready');
      const caller = await inviteQueue(h, udp, { to: 'support', user: '1102', password: bob.sipPassword });
      expect(caller.status).toBe(200);
      inDialog(h, udp, caller, 'ACK');
      await phone.waitEvent('CALL_INCOMING', 10_000);
      const busy = await inviteQueue(h, udp, { to: CUSTOMER_NUMBER, ...asAnna });
      expect(busy.status).toBe(486);
      expect(busy.reason).toMatch(/a call is offered to you/);

      // an admin turns agents' calls off: refused, and the page is told
      const off = await h.api('PUT', '/api/settings/callbacks', { trunk: `sip:${PHONE_ADDRESS}:${CUSTOMER_PORT};transport=udp`, agentCalls: false }, h.admin);
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ agentCalls: false, allowedPrefixes: ['+372'] });
      expect((await h.api('GET', '/api/agent/outbound', undefined, anna.token)).body).toMatchObject({ allowed: false, reason: expect.stringMatching(/^agents may not dial phone numbers here/) });
      await phone.command('hangup'); // (her offer refused: back in line)
      await setState('not-ready');
      const notAllowed = await inviteQueue(h, udp, { to: CUSTOMER_NUMBER, ...asAnna });
      expect(notAllowed.status).toBe(403);
      expect(notAllowed.reason).toMatch(/agents may not dial phone numbers/);
      // a bad prefix is refused naming it; back on
      const bad = await h.api('PUT', '/api/settings/callbacks', { trunk: `sip:${PHONE_ADDRESS}:${CUSTOMER_PORT};transport=udp`, allowedPrefixes: ['+372', '49x'] }, h.admin);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/body.allowedPrefixes\[1\]: expected a dialling prefix/);
      const on = await h.api('PUT', '/api/settings/callbacks', { trunk: `sip:${PHONE_ADDRESS}:${CUSTOMER_PORT};transport=udp`, agentCalls: true }, h.admin);
      expect(on.body).toMatchObject({ agentCalls: true, allowedPrefixes: ['+372'] });
      // (the caller gives up)
      inDialog(h, udp, caller, 'BYE');
      await udp.take((m) => 'status' in m && m.callId === caller.callId && m.cseq.method === 'BYE');
    } finally {
      udp.close();
    }
  }, 90_000);

  it('Anna hangs up while the customer\'s phone rings (it stops ringing); a busy customer is refused back to her phone; her page hangs up a call she talks on; she goes back to not ready with her reason', async () => {
    const phone = await annaPhone();
    const customer = await customerPhone('manual');
    const told = await annaDesk();
    await setState('not-ready', 'training');

    const first = await dial(phone, told, CUSTOMER_NUMBER);
    await customer.waitEvent('CALL_INCOMING', 15_000);
    await eventually(() => told.some((t) => t.type === 'outbound' && t.state === 'ringing'), 10_000, 'ringing');
    expect(annaState()).toEqual({ state: 'not-ready', reason: 'outbound' });
    await phone.command('hangup');
    await customer.waitEvent('CALL_CLOSED', 10_000);
    await eventually(() => told.find((t) => t.callId === first && t.state === 'ended'), 10_000, 'the end').then((t) => expect(t.reason).toBe('cancelled'));
    await eventually(() => annaState().reason === 'training', 10_000, 'her reason back');
    expect(await record(first)).toMatchObject({ direction: 'outbound', state: 'ended', endReason: 'cancelled', talkSeconds: null });

    // the customer's phone is busy (it refuses the call): Anna's phone is told, she gets her reason back
    const busy = await dial(phone, told, CUSTOMER_NUMBER);
    await customer.waitEvent('CALL_INCOMING', 15_000);
    await customer.command('hangup');
    await phone.waitEvent('CALL_CLOSED', 10_000);
    const refused = await eventually(() => told.find((t) => t.callId === busy && t.state === 'ended'), 10_000, 'the refusal');
    expect(refused.reason).toMatch(/^4\d\d$/);
    expect(await record(busy)).toMatchObject({ state: 'ended', endReason: refused.reason, talkSeconds: null });
    await eventually(() => annaState().reason === 'training', 10_000, 'her reason back');

    // again; the customer answers; the page's Hang up (the API) ends it on both phones
    const second = await dial(phone, told, CUSTOMER_NUMBER);
    await customer.waitEvent('CALL_INCOMING', 15_000);
    await customer.command('accept');
    await phone.waitEvent('CALL_ESTABLISHED', 20_000);
    await eventually(() => told.some((t) => t.callId === second && t.state === 'talking'), 10_000, 'talking');
    // hold and resume from her phone: re-INVITEs answered, the call goes on
    expect((await phone.command('hold')).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect((await phone.command('resume')).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    expect(phone.events.filter((e) => e.type === 'CALL_CLOSED')).toHaveLength(2); // (the two calls before)
    expect(told.some((t) => t.callId === second && t.state === 'ended')).toBe(false);
    expect((await h.api('POST', '/api/agent/call/hangup', undefined, anna.token)).status).toBe(200);
    await phone.waitEvent('CALL_CLOSED', 10_000);
    await customer.waitEvent('CALL_CLOSED', 10_000);
    expect(await record(second)).toMatchObject({ direction: 'outbound', state: 'ended', endReason: 'agent' });
    await eventually(() => annaState().reason === 'training', 10_000, 'her reason back');
    expect((await h.api('POST', '/api/agent/call/hangup', undefined, anna.token)).status).toBe(409);
  }, 120_000);

  it("from the agent page: Anna types the number, the page's softphone calls, the customer hears her browser, the panel follows the call and hangs it up", async () => {
    const customer = await customerPhone('auto');
    const b = await launchBrowser(makeTone(path.join(dir, 'tone-440.wav'), 440));
    browsers.push(b);
    const page = b.page;
    await agentPageReady(page, h, 'anna', anna.password);
    await eventually(async () => (await page.getByTestId('dial-panel').isVisible()) || undefined, 10_000, 'the Call a number panel');
    // a number outside the allowed prefixes: the page says so, nothing is dialled
    await page.getByTestId('dial-number').fill('+49 30 123456');
    await page.getByTestId('dial-call').click();
    await eventually(async () => /must start with \+372/.test((await page.getByTestId('dial-error').textContent()) ?? ''), 5000, 'the prefix refusal');

    await page.getByTestId('dial-number').fill('+372 555 1234');
    await page.getByTestId('dial-call').click();
    await customer.waitEvent('CALL_ESTABLISHED', 20_000);
    await eventually(async () => /Talking with \+3725551234/.test((await page.getByTestId('dial-status').textContent()) ?? ''), 15_000, 'Talking with in the panel');
    // (her state: Not ready (Calling a number))
    await eventually(async () => /Not-Ready \(Calling a number\)/i.test(await page.locator('body').innerText()), 10_000, 'the state line');
    expect(annaState()).toEqual({ state: 'not-ready', reason: 'outbound' });
    const callId = h.server.center.outboundOf(String(anna.id))!.id;
    // her note on the call, from the panel
    await page.getByTestId('dial-note').fill('wants the blue one');
    await page.getByTestId('dial-note-save').click();
    await eventually(async () => /Note saved/.test((await page.getByTestId('dial-note-status').textContent()) ?? ''), 10_000, 'the note saved');
    await new Promise((r) => setTimeout(r, 4000));
    await page.getByTestId('dial-hangup').click();
    await customer.waitEvent('CALL_CLOSED', 10_000);
    await eventually(async () => /ended/.test((await page.getByTestId('dial-status').textContent()) ?? ''), 10_000, 'ended in the panel');
    await eventually(() => annaState().state === 'ready', 10_000, 'Anna ready again');

    // the customer heard Anna's browser (its microphone: a 440 Hz tone), over WebRTC to rtpengine, RTP to the trunk
    const { samples, rate } = await eventually(() => {
      const file = customer.receivedRecording();
      const wav = file === undefined ? undefined : readWav(file);
      return wav !== undefined && wav.samples.length > wav.rate * 3 ? wav : undefined;
    }, 5000, 'the recording of the call');
    const tail = samples.subarray(Math.max(0, samples.length - rate * 2));
    const heard = { peakHz: peakFrequency(tail, rate), rms: rms(tail) };
    expect(Math.abs(heard.peakHz - 440), JSON.stringify(heard)).toBeLessThan(20);
    expect(heard.rms, JSON.stringify(heard)).toBeGreaterThan(300);
    const r = await record(callId);
    expect(r).toMatchObject({ direction: 'outbound', channel: 'webrtc', state: 'ended', endReason: 'agent', caller: CUSTOMER_NUMBER });
    expect(JSON.stringify((await h.api('GET', `/api/agent/calls/${callId}/history`, undefined, anna.token)).body.notes)).toContain('wants the blue one');
  }, 120_000);

  it("Anna's desk phone loses its power mid-call: no media from it, the call is ended on the customer's side too, and Anna is ready again", async () => {
    const phone = await annaPhone();
    const customer = await customerPhone('auto');
    const told = await annaDesk();
    await setState('ready');
    const callId = await dial(phone, told, CUSTOMER_NUMBER);
    await customer.waitEvent('CALL_ESTABLISHED', 20_000);
    await eventually(() => told.some((t) => t.callId === callId && t.state === 'talking'), 10_000, 'talking');
    await new Promise((r) => setTimeout(r, 2000));
    await phone.crash();
    // (MEDIA_TIMEOUT_SECONDS=5)
    await customer.waitEvent('CALL_CLOSED', 20_000);
    await eventually(() => told.find((t) => t.callId === callId && t.state === 'ended'), 10_000, 'the end').then((t) => expect(t.reason).toBe('media-timeout'));
    await eventually(() => annaState().state === 'ready', 10_000, 'Anna ready again');
    expect(await record(callId)).toMatchObject({ direction: 'outbound', state: 'ended', endReason: 'media-timeout' });
  }, 90_000);
});
