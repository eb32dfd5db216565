import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../media/helpers/audio.ts';
import { BaresipPhone, makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, createAgent, deskPhone, eventually, startCallCenter } from './support/harness.ts';

type Agent = { id: number; password: string; sipPassword: string; token: string };

describe('waiting in line, abandoning and ring-no-answer', () => {
  let h: Harness;
  let dir: string;
  const phones = new Map<string, BaresipPhone>();
  const browsers: TestBrowser[] = [];
  const agents = new Map<string, Agent>();

  async function phone(user: string, password: string, port: number, tone: number, answer: 'auto' | 'manual'): Promise<BaresipPhone> {
    const p = await deskPhone(h, dir, { user, password, port, tone, answer });
    phones.set(user, p);
    return p;
  }

  async function state(login: string, want: 'ready' | 'not-ready' | 'logged-out'): Promise<void> {
    const r = await h.api('PUT', '/api/agent/state', { state: want, reason: 'other' }, agents.get(login)!.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }

  async function customerCalls(language: string): Promise<TestBrowser> {
    const b = await launchBrowser(path.join(dir, 'tone-440.wav'));
    browsers.push(b);
    await b.page.goto(`${h.baseUrl}/demo/`);
    await b.page.getByTestId('cf-call-button').click();
    await b.page.getByTestId('cf-language').selectOption(language);
    await b.page.getByTestId('cf-start').click();
    return b;
  }

  async function callEvents(): Promise<string[][]> {
    await h.server.center.log.flush();
    const calls = (await h.api('GET', '/api/calls?limit=50', undefined, h.admin)).body.items as Array<{ id: string }>;
    const out: string[][] = [];
    for (const c of calls.reverse()) out.push((await h.api('GET', `/api/calls/${c.id}`, undefined, h.admin)).body.events.map((e: { event: string }) => e.event));
    return out;
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-queue-'));
    makeTone(path.join(dir, 'tone-440.wav'), 440);
    h = await startCallCenter({ rtpPortMin: 44200, rtpPortMax: 44499 });
    await h.api('POST', '/api/skills', { name: 'support' }, h.admin);
    const q = await h.api('POST', '/api/queues', { name: 'support', skills: { support: 1 }, ringTimeoutSeconds: 6, wrapUpSeconds: 0 }, h.admin);
    expect(q.status).toBe(201);
    for (const [login, user, languages] of [['anna', '1101', { en: 5, et: 5 }], ['ben', '1102', { en: 5, et: 4 }], ['kiosk', '3001', {}]] as const) {
      const a = await createAgent(h, { login, name: login.toUpperCase(), languages, sipUser: user, ...(login === 'kiosk' ? { skills: {} } : {}) });
      agents.set(login, { ...a, token: await h.login(login, a.password) });
    }
  }, 120_000);

  afterEach(async () => {
    for (const b of browsers.splice(0)) await b.close();
    for (const p of phones.values()) await p.stop();
    phones.clear();
    for (const login of ['anna', 'ben']) await h.api('PUT', '/api/agent/state', { state: 'logged-out' }, agents.get(login)!.token);
  });

  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('with every agent busy the caller is answered, hears prompts, sees position 1 and an EWT, and is connected when the agent is free', async () => {
    const anna = await phone('1101', agents.get('anna')!.sipPassword, 5502, 1000, 'auto');
    const kiosk = await phone('3001', agents.get('kiosk')!.sipPassword, 5506, 700, 'auto');
    await state('anna', 'ready');
    // A first caller (a SIP phone dialling the queue) takes Anna.
    await kiosk.command('dial', `sip:support@127.0.0.1:${h.sipPort}`);
    await anna.waitEvent('CALL_ESTABLISHED');

    // The admin replaced the English "all agents are busy" prompt with a recording we can recognise: 2 kHz.
    mkdirSync(path.join(h.dataDir, 'prompts-custom', 'en'), { recursive: true });
    writeFileSync(path.join(h.dataDir, 'prompts-custom', 'en', 'all-agents-busy.wav'), toneWav(2000, 6));

    const customer = await customerCalls('en');
    const page = customer.page;
    await eventually(async () => (await page.getByTestId('cf-position').textContent())?.includes('1'), 15_000, 'position 1 in the widget');
    expect(await page.getByTestId('cf-ewt').textContent()).toMatch(/\d|minute/);
    // The caller was answered and hears the waiting room's prompt.
    await eventually(async () => Math.abs((await customer.hearing(1)).peakHz - 2000) < 30, 10_000, 'the 2 kHz prompt to reach the caller');

    // Anna's first call ends: she is free, and the waiting customer is put through to her.
    const before = anna.events.filter((e) => e.type === 'CALL_ESTABLISHED').length;
    await kiosk.command('hangup');
    await eventually(() => anna.events.filter((e) => e.type === 'CALL_ESTABLISHED').length > before, 20_000, 'the waiting call to reach Anna');
    await new Promise((r) => setTimeout(r, 3000));
    const talking = await customer.hearing(1.5);
    expect(Math.abs(talking.peakHz - 1000)).toBeLessThan(30);
    await page.getByTestId('cf-hangup').click();
    await eventually(() => anna.events.filter((e) => e.type === 'CALL_CLOSED').length >= 2, 10_000, 'both of Anna\'s calls to close');

    const events = await callEvents();
    expect(events.at(-2)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'COMPLETECALLER']);
    expect(events.at(-1)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'COMPLETECALLER']);
  }, 120_000);

  it('a waiting caller who hangs up is recorded as an abandon', async () => {
    const customer = await customerCalls('et');
    await eventually(async () => (await customer.page.getByTestId('cf-position').textContent())?.includes('1'), 15_000, 'position 1');
    await new Promise((r) => setTimeout(r, 1500));
    await customer.page.getByTestId('cf-hangup').click();
    await eventually(async () => {
      const last = (await callEvents()).at(-1);
      return last?.includes('ABANDON') ? last : undefined;
    }, 10_000, 'an ABANDON event');
    const calls = (await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items;
    expect(calls[0]).toMatchObject({ state: 'ended', endReason: 'abandon', agentId: null, language: 'et' });
    expect(calls[0].waitSeconds).toBeGreaterThan(1);
  }, 60_000);

  it('an agent who does not answer is skipped and the call goes to the next agent', async () => {
    const anna = await phone('1101', agents.get('anna')!.sipPassword, 5512, 1000, 'manual'); // rings, never answers
    const ben = await phone('1102', agents.get('ben')!.sipPassword, 5516, 1200, 'auto');
    await state('anna', 'ready'); // idle longest: offered first
    await new Promise((r) => setTimeout(r, 300));
    await state('ben', 'ready');
    const customer = await customerCalls('en');
    await anna.waitEvent('CALL_INCOMING', 15_000);
    await ben.waitEvent('CALL_ESTABLISHED', 20_000);
    await new Promise((r) => setTimeout(r, 2500));
    expect(Math.abs((await customer.hearing(1.5)).peakHz - 1200)).toBeLessThan(30);
    await customer.page.getByTestId('cf-hangup').click();
    await ben.waitEvent('CALL_CLOSED');
    const events = (await callEvents()).at(-1)!;
    expect(events).toEqual(['ENTERQUEUE', 'OFFER', 'RINGNOANSWER', 'OFFER', 'CONNECT', 'COMPLETECALLER']);
    const call = (await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items[0];
    expect(call.agentId).toBe(agents.get('ben')!.id);
  }, 90_000);
});
