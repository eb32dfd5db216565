import type { Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peakFrequency, rms } from '../media/helpers/audio.ts';
import { BaresipPhone, makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, createAgent, deskPhone, eventually, startCallCenter } from './support/harness.ts';
import { readWav } from './support/wav.ts';

describe('a customer on the demo page calls and reaches a desk phone', () => {
  let h: Harness;
  let dir: string;
  const phones: BaresipPhone[] = [];
  let customer: TestBrowser | undefined;
  let mari: { id: number; password: string; sipPassword: string };
  let john: { id: number; password: string; sipPassword: string };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-desk-'));
    h = await startCallCenter({ rtpPortMin: 44000, rtpPortMax: 44199, env: { MEDIA_TIMEOUT_SECONDS: '5' } });
    expect((await h.api('POST', '/api/skills', { name: 'support' }, h.admin)).status).toBe(201);
    const queue = { name: 'support', skills: { support: 1 }, ringTimeoutSeconds: 10, dispositions: ['Resolved', 'Follow-up needed'] };
    expect((await h.api('POST', '/api/queues', queue, h.admin)).status).toBe(201);
    mari = await createAgent(h, { login: 'mari', name: 'Mari Tamm', languages: { et: 5 }, sipUser: '1001' });
    john = await createAgent(h, { login: 'john', name: 'John Smith', languages: { en: 5 }, sipUser: '1002' });
    for (const [user, password, port, tone] of [['1001', mari.sipPassword, 5402, 1000], ['1002', john.sipPassword, 5406, 700]] as const) {
      phones.push(await deskPhone(h, dir, { user, password, port, tone, answer: 'auto' }));
    }
    for (const [login, pw] of [['mari', mari.password], ['john', john.password]] as const) {
      const token = await h.login(login, pw);
      const r = await h.api('PUT', '/api/agent/state', { state: 'ready' }, token);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ state: 'ready', deviceUp: true });
    }
  }, 120_000);

  afterAll(async () => {
    await customer?.close();
    for (const p of phones) await p.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an Estonian speaker is connected to the Estonian-speaking agent, with audio both ways', async () => {
    customer = await launchBrowser(makeTone(path.join(dir, 'tone-440.wav'), 440));
    const page = customer.page;
    await page.goto(`${h.baseUrl}/demo/`);
    await page.getByTestId('cf-call-button').click();
    await page.getByTestId('cf-language').selectOption('et');
    await page.getByTestId('cf-start').click();

    const [maribox, johnbox] = phones as [BaresipPhone, BaresipPhone];
    await maribox.waitEvent('CALL_ESTABLISHED', 20_000);
    await eventually(async () => /connected|Mari/i.test((await page.getByTestId('cf-status').textContent()) ?? ''), 10_000, 'the widget to show the agent');
    // Let audio flow, then measure what each side hears.
    await new Promise((r) => setTimeout(r, 4000));
    const heard = await customer.hearing(1.5);
    expect(heard.frames).toBeGreaterThan(0);
    expect(Math.abs(heard.peakHz - 1000)).toBeLessThan(30);
    expect(heard.rms).toBeGreaterThan(0.01);

    await page.getByTestId('cf-hangup').click();
    await maribox.waitEvent('CALL_CLOSED', 10_000);
    const rec = maribox.receivedRecording();
    expect(rec, 'mari recorded the call').toBeDefined();
    const { samples, rate } = readWav(rec!);
    const tail = samples.subarray(Math.max(0, samples.length - rate * 2));
    expect(Math.abs(peakFrequency(tail, rate) - 440)).toBeLessThan(20);
    expect(rms(tail)).toBeGreaterThan(300);

    expect(johnbox.events.some((e) => e.type === 'CALL_INCOMING' || e.type === 'CALL_ESTABLISHED')).toBe(false);

    // The call record and the queue log say the same.
    await h.server.center.log.flush();
    const calls = await h.api('GET', '/api/calls?limit=10', undefined, h.admin);
    expect(calls.status).toBe(200);
    const call = calls.body.items[0];
    expect(call).toMatchObject({ channel: 'webrtc', language: 'et', agentId: mari.id, state: 'ended', endReason: 'caller-hangup' });
    expect(call.context.page.url).toContain('/demo/');
    const events = await h.api('GET', `/api/calls/${call.id}`, undefined, h.admin);
    expect(events.body.events.map((e: { event: string }) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'COMPLETECALLER']);

    // Mari files the call under one of the queue's dispositions (and corrects it); nobody else can, nor anything else.
    const [mariToken, johnToken] = [await h.login('mari', mari.password), await h.login('john', john.password)];
    const dispose = (id: string, disposition: string, token: string) => h.api('POST', `/api/agent/calls/${id}/disposition`, { disposition }, token);
    const set = await dispose(call.id, 'Follow-up needed', mariToken);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toEqual({ callId: call.id, queue: 'support', disposition: 'Follow-up needed' });
    expect((await h.api('GET', `/api/calls/${call.id}`, undefined, h.admin)).body.disposition).toBe('Follow-up needed');
    const john403 = await dispose(call.id, 'Resolved', johnToken);
    expect(john403.status).toBe(403);
    expect(john403.body.message).toContain('did not talk on call');
    const unknownCode = await dispose(call.id, 'Sold a yacht', mariToken);
    expect(unknownCode.status).toBe(400);
    expect(unknownCode.body).toMatchObject({ field: 'body.disposition' });
    expect(unknownCode.body.message).toContain('choose one of: Resolved, Follow-up needed');
    expect((await dispose('no-such-call', 'Resolved', mariToken)).status).toBe(404);
    expect((await h.api('POST', `/api/agent/calls/${call.id}/disposition`, { disposition: 'Resolved' }, h.admin)).status).toBe(403);
    expect((await dispose(call.id, 'Resolved', mariToken)).status).toBe(200);
    const filed = (await h.api('GET', `/api/calls/${call.id}`, undefined, h.admin)).body;
    expect(filed.disposition).toBe('Resolved');
    expect(filed.events.filter((e: { event: string }) => e.event === 'DISPOSITION')).toMatchObject([
      { agentId: mari.id, data: { disposition: 'Follow-up needed' } },
      { agentId: mari.id, data: { disposition: 'Resolved' } },
    ]);
    // the supervisor lists calls by disposition and by agent
    const ids = async (query: string) => (await h.api('GET', `/api/calls?${query}`, undefined, h.admin)).body.items.map((c: { id: string }) => c.id);
    expect(await ids('disposition=Resolved')).toEqual([call.id]);
    expect(await ids('disposition=Follow-up%20needed')).toEqual([]);
    expect(await ids(`agentId=${mari.id}`)).toEqual([call.id]);
    expect(await ids(`agentId=${john.id}`)).toEqual([]);
  }, 90_000);

  it('when rtpengine dies mid-call both sides are hung up, and the next call works again', async () => {
    const [maribox] = phones as [BaresipPhone];
    const page = customer!.page;
    await page.reload();
    await page.getByTestId('cf-call-button').click();
    await page.getByTestId('cf-language').selectOption('et');
    await page.getByTestId('cf-start').click();
    await maribox.waitEvent('CALL_ESTABLISHED', 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(h.server.media.rtpenginePid!, 'SIGKILL');
    await maribox.waitEvent('CALL_CLOSED', 15_000);
    await h.server.center.log.flush();
    const call = (await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items[0];
    expect(call).toMatchObject({ state: 'ended', endReason: 'media-lost' });

    // Mari is back after wrap-up; the supervisor restarted rtpengine, so a new call connects with audio.
    await eventually(async () => (await h.api('GET', '/api/agent/state', undefined, await h.login('mari', mari.password))).body.state === 'ready', 10_000, 'mari ready');
    await page.reload();
    await page.getByTestId('cf-call-button').click();
    await page.getByTestId('cf-language').selectOption('et');
    await page.getByTestId('cf-start').click();
    await maribox.waitEvent('CALL_ESTABLISHED', 20_000);
    await eventually(async () => Math.abs((await customer!.hearing(1)).peakHz - 1000) < 30, 15_000, 'audio after the restart');
    await page.getByTestId('cf-hangup').click();
    await maribox.waitEvent('CALL_CLOSED', 10_000);
  }, 90_000);

  /** Once Mari is ready again: a customer calls her from a new page of the browser; resolves when they are connected. */
  async function callMariFromANewPage(): Promise<Page> {
    await eventually(async () => (await h.api('GET', '/api/agent/state', undefined, await h.login('mari', mari.password))).body.state === 'ready', 15_000, 'mari ready');
    const page = await customer!.context.newPage();
    await page.goto(`${h.baseUrl}/demo/`);
    await page.getByTestId('cf-call-button').click();
    await page.getByTestId('cf-language').selectOption('et');
    await page.getByTestId('cf-start').click();
    await (phones[0] as BaresipPhone).waitEvent('CALL_ESTABLISHED', 20_000);
    // (the phone has answered; the server bridges the media before the call counts as connected: the widget says so)
    await eventually(async () => /Mari/.test((await page.getByTestId('cf-status').textContent()) ?? ''), 10_000, 'the widget to show Mari');
    return page;
  }

  it('a customer whose browser tab dies mid-call (no BYE) frees the agent at once', async () => {
    const [maribox] = phones as [BaresipPhone];
    const page = await callMariFromANewPage();
    // The renderer crashes: no unload handler, no BYE; only its WebSocket (its one SIP path) closes.
    const cdp = await customer!.context.newCDPSession(page);
    void cdp.send('Page.crash').catch(() => {}); // (never answers: the page is gone)
    await maribox.waitEvent('CALL_CLOSED', 10_000);
    await h.server.center.log.flush();
    const call = (await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items[0];
    expect(call).toMatchObject({ state: 'ended', endReason: 'caller-hangup' });
    const events = (await h.api('GET', `/api/calls/${call.id}`, undefined, h.admin)).body.events;
    expect(events.at(-1)).toMatchObject({ event: 'COMPLETECALLER', data: { how: 'connection-lost' } });
  }, 90_000);

  it('a desk phone that dies mid-call (no BYE, no RTP) is hung up on after MEDIA_TIMEOUT_SECONDS, and the customer is told', async () => {
    const [maribox] = phones as [BaresipPhone];
    const page = await callMariFromANewPage();
    // several timeouts' worth of talking first: a live call is never cut
    await new Promise((r) => setTimeout(r, 8000));
    const live = (await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items[0];
    expect(live.state).toBe('connected');
    const died = Date.now();
    await maribox.crash();
    await eventually(async () => (await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items[0].state === 'ended', 20_000, 'the call to end');
    expect(Date.now() - died).toBeGreaterThanOrEqual(3000);
    const call = (await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items[0];
    expect(call).toMatchObject({ id: live.id, endReason: 'media-timeout' });
    await eventually(async () => /lõppenud/i.test((await page.getByTestId('cf-status').textContent()) ?? ''), 10_000, 'the widget to say the call has ended (in Estonian)');
  }, 90_000);
});
