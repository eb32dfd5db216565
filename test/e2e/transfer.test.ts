import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaresipPhone, makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, agentPageReady, createAgent, deskPhone, eventually, startCallCenter } from './support/harness.ts';

/**
 * Blind transfer to a queue: the agent sends REFER (from the agent page's Transfer control, or from a desk phone),
 * the caller goes back into line in the target queue and reaches an agent there; the first agent is free.
 */
describe('an agent transfers a caller to another queue', () => {
  let h: Harness;
  let dir: string;
  let kalleDesk: BaresipPhone;
  let anuPage: TestBrowser | undefined;
  let customer: TestBrowser | undefined;
  let anu: { id: number; password: string };
  let kalle: { id: number; password: string; sipPassword: string };
  let billing: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-transfer-'));
    h = await startCallCenter({ rtpPortMin: 45400, rtpPortMax: 45599 });
    for (const skill of ['support', 'billing']) await h.api('POST', '/api/skills', { name: skill }, h.admin);
    expect((await h.api('POST', '/api/queues', { name: 'support', skills: { support: 1 }, wrapUpSeconds: 0 }, h.admin)).status).toBe(201);
    const b = await h.api('POST', '/api/queues', { name: 'billing', skills: { billing: 1 }, wrapUpSeconds: 0 }, h.admin);
    expect(b.status).toBe(201);
    billing = b.body.id;
    anu = await createAgent(h, { login: 'anu', name: 'Anu Saar', languages: { et: 5 }, skills: { support: 3 } });
    kalle = await createAgent(h, { login: 'kalle', name: 'Kalle Kask', languages: { et: 5 }, skills: { billing: 3 }, sipUser: '1301' });
    await createAgent(h, { login: 'peter', name: 'Peter Pan', languages: { et: 5 }, skills: { billing: 3 } }); // never logs in
    kalleDesk = await deskPhone(h, dir, { user: '1301', password: kalle.sipPassword, port: 5832, tone: 700, answer: 'auto' });
    expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, await h.login('kalle', kalle.password))).status).toBe(200);

    anuPage = await launchBrowser(makeTone(path.join(dir, 'tone-1000.wav'), 1000));
    await agentPageReady(anuPage.page, h, 'anu', anu.password);
    customer = await launchBrowser(makeTone(path.join(dir, 'tone-440.wav'), 440));
  }, 120_000);

  afterAll(async () => {
    await customer?.close();
    await anuPage?.close();
    await kalleDesk?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const hears = (hz: number, what: string) => eventually(async () => Math.abs((await customer!.hearing(1)).peakHz - hz) < 30, 20_000, what);

  async function lastCall(): Promise<{ call: Record<string, unknown>; events: Array<{ at: string; event: string; queueId: number | null; agentId: number | null; data: Record<string, unknown> | null }> }> {
    await h.server.center.log.flush();
    const call = (await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items[0];
    return { call, events: (await h.api('GET', `/api/calls/${call.id}`, undefined, h.admin)).body.events };
  }

  /** Once Anu is ready, the customer calls the support line from the demo page. */
  async function callSupport(): Promise<void> {
    await eventually(async () => (await anuPage!.page.getByTestId('agent-state').textContent())?.includes('ready'), 10_000, 'anu ready');
    const cp = customer!.page;
    await cp.goto(`${h.baseUrl}/demo/`);
    await cp.getByTestId('cf-call-button').click();
    await cp.getByTestId('cf-language').selectOption('et');
    await cp.getByTestId('cf-start').click();
  }

  it('the transfer targets are the queues and the other agents, for agents only', async () => {
    const targets = await h.api('GET', '/api/agent/transfer-targets', undefined, await h.login('kalle', kalle.password));
    expect(targets.status).toBe(200);
    expect(targets.body.queues).toEqual([
      { id: expect.any(Number), name: 'support', uri: 'sip:support@e2e.callflow' },
      { id: billing, name: 'billing', uri: 'sip:billing@e2e.callflow' },
    ]);
    expect(targets.body.agents).toEqual([
      { id: anu.id, name: 'Anu Saar', uri: 'sip:anu@e2e.callflow' },
      { id: expect.any(Number), name: 'Peter Pan', uri: 'sip:peter@e2e.callflow' },
    ]);
    expect((await h.api('GET', '/api/agent/transfer-targets', undefined, h.admin)).status).toBe(403);
    expect((await h.api('GET', '/api/agent/transfer-targets')).status).toBe(401);
  });

  it('from the agent page: the caller leaves Anu (support) for Kalle (billing), and Anu is free at once', async () => {
    const ap = anuPage!.page;
    await callSupport();
    await eventually(async () => (await ap.getByTestId('answer').isEnabled()) || undefined, 20_000, 'the softphone ringing');
    await ap.getByTestId('answer').click();
    await hears(1000, 'Anu at the caller');

    await eventually(async () => (await ap.getByTestId('transfer').isVisible()) || undefined, 5_000, 'the Transfer control');
    expect(await ap.getByTestId('transfer-queue').locator('option').allTextContents()).toEqual(['support', 'billing', 'Kalle Kask', 'Peter Pan']);
    // A queue deleted after the page listed it: the server's NOTIFY says 404, the call goes on, the page says why.
    await ap.evaluate(() => {
      const o = document.createElement('option');
      o.value = `sip:closed-queue@${location.hostname}`;
      o.textContent = 'closed-queue';
      document.querySelector('#transfer-queue')!.append(o);
    });
    await ap.getByTestId('transfer-queue').selectOption({ label: 'closed-queue' });
    await ap.getByTestId('transfer').click();
    await eventually(async () => /404/.test((await ap.locator('#call-error').textContent()) ?? ''), 10_000, 'the page to show the refusal');
    await hears(1000, 'Anu still at the caller');
    expect(await ap.getByTestId('transfer').isEnabled()).toBe(true);

    // Peter is logged out: 480, and the call goes on.
    await ap.getByTestId('transfer-queue').selectOption({ label: 'Peter Pan' });
    await ap.getByTestId('transfer').click();
    await eventually(async () => /480/.test((await ap.locator('#call-error').textContent()) ?? ''), 10_000, 'the page to show 480');
    await hears(1000, 'Anu still at the caller');

    await ap.getByTestId('transfer-queue').selectOption({ label: 'billing' });
    await ap.getByTestId('transfer').click();
    await kalleDesk.waitEvent('CALL_ESTABLISHED', 20_000);
    await hears(700, 'Kalle at the caller');
    await eventually(async () => /Kalle/.test((await customer!.page.getByTestId('cf-status').textContent()) ?? ''), 10_000, 'the widget to name Kalle');
    await eventually(async () => !(await ap.getByTestId('incoming').isVisible()) || undefined, 10_000, 'the call to leave Anu\'s page');
    await eventually(async () => (await ap.getByTestId('agent-state').textContent())?.includes('ready'), 10_000, 'anu ready again');

    const { call, events } = await lastCall();
    expect(call).toMatchObject({ agentId: kalle.id, queueId: billing, state: 'connected' });
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'TRANSFER', 'ENTERQUEUE', 'OFFER', 'CONNECT']);
    expect(events[3]).toMatchObject({ agentId: anu.id, data: { to: 'billing' } });
  }, 90_000);

  it('from the desk phone (REFER) to an agent: Anu gets the billing call though billing is not her skill', async () => {
    await kalleDesk.command('transfer', `sip:anu@127.0.0.1:${h.sipPort}`);
    const ap = anuPage!.page;
    await eventually(async () => (await ap.getByTestId('answer').isEnabled()) || undefined, 20_000, 'Anu\'s softphone ringing');
    await kalleDesk.waitEvent('CALL_CLOSED', 10_000);
    // Back in line: the call record names no agent while the caller waits for Anu.
    expect((await lastCall()).call).toMatchObject({ agentId: null, state: 'queued', queueId: billing });
    await ap.getByTestId('answer').click();
    await hears(1000, 'Anu at the caller again');
    await customer!.page.getByTestId('cf-hangup').click();
    await eventually(async () => !(await ap.getByTestId('incoming').isVisible()) || undefined, 10_000, 'the end on Anu\'s page');

    const { call, events } = await lastCall();
    expect(call).toMatchObject({ agentId: anu.id, state: 'ended', endReason: 'caller-hangup' });
    expect(events.map((e) => e.event)).toEqual([
      'ENTERQUEUE', 'OFFER', 'CONNECT', 'TRANSFER', 'ENTERQUEUE', 'OFFER', 'CONNECT', 'TRANSFER', 'ENTERQUEUE', 'OFFER', 'CONNECT', 'COMPLETECALLER',
    ]);
    expect(events[7]).toMatchObject({ agentId: kalle.id, queueId: billing, data: { to: 'anu', toAgentId: anu.id } });
    expect(events[8]).toMatchObject({ queueId: billing });
    expect(call).toMatchObject({ queueId: billing });
    // The record holds the call's totals over its three agents (the queue log has each segment) and the first answer.
    const sum = (name: string, key: string) => events.filter((e) => e.event === name).reduce((t, e) => t + Number(e.data![key]), 0);
    expect(call.waitSeconds).toBeCloseTo(sum('CONNECT', 'waited'), 2);
    expect(call.talkSeconds).toBeCloseTo(sum('TRANSFER', 'talk') + sum('COMPLETECALLER', 'talk'), 2);
    expect(Number(call.talkSeconds)).toBeGreaterThan(Number(events[11]!.data!.talk));
    expect(Date.parse(String(call.answeredAt))).toBeLessThanOrEqual(Date.parse(events[3]!.at));
  }, 90_000);

  it('through the REST API (the desktop of an agent on any device): refusals name the problem; Anu hands the caller to Kalle', async () => {
    const anuToken = await h.login('anu', anu.password);
    const transfer = (target: string, token = anuToken) => h.api('POST', '/api/agent/call/transfer', { target }, token);
    expect((await transfer('support')).body).toMatchObject({ statusCode: 409, message: 'you have no connected call' });
    await callSupport();
    await eventually(async () => (await anuPage!.page.getByTestId('answer').isEnabled()) || undefined, 20_000, 'Anu\'s softphone ringing');
    await anuPage!.page.getByTestId('answer').click();
    await hears(1000, 'Anu at the caller');
    expect((await transfer('nobody')).body).toMatchObject({ statusCode: 404, code: 'ERR_NOT_FOUND', message: 'no queue or agent named "nobody"' });
    expect((await transfer('peter')).body).toMatchObject({ statusCode: 409, message: 'peter is logged out' });
    expect((await transfer('anu')).body).toMatchObject({ statusCode: 409, message: 'the call is already yours' });
    expect((await h.api('POST', '/api/agent/call/transfer', {}, anuToken)).status).toBe(400);
    await hears(1000, 'Anu still at the caller');
    const done = await transfer('sip:kalle@e2e.callflow');
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    await eventually(() => kalleDesk.events.filter((e) => e.type === 'CALL_ESTABLISHED').length >= 2 || undefined, 20_000, 'Kalle\'s desk phone to take it');
    await hears(700, 'Kalle at the caller');
    // Kalle hangs up from his desktop (REST): the desk phone's call and the caller's end
    expect((await h.api('POST', '/api/agent/call/hangup', {}, await h.login('kalle', kalle.password))).status).toBe(200);
    await eventually(() => kalleDesk.events.filter((e) => e.type === 'CALL_CLOSED').length >= 2 || undefined, 10_000, 'Kalle\'s call to close');
    const { call, events } = await lastCall();
    expect(call).toMatchObject({ agentId: kalle.id, endReason: 'agent-hangup' });
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'TRANSFER', 'ENTERQUEUE', 'OFFER', 'CONNECT', 'COMPLETEAGENT']);
    expect((await h.api('POST', '/api/agent/call/hangup', {}, anuToken)).status).toBe(409);
  }, 90_000);
});
