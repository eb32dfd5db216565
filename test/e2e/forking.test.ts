import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaresipPhone, makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, agentPageReady, createAgent, deskPhone, eventually, startCallCenter } from './support/harness.ts';

/**
 * An agent signed in on the browser softphone who also has a desk phone registered: a call rings both (RFC 3261
 * forking, one media offer per kind of device), the first to answer takes it and the other stops ringing.
 */
describe('an agent with a desk phone and the browser softphone', () => {
  let h: Harness;
  let dir: string;
  let desk: BaresipPhone;
  let agent: TestBrowser | undefined;
  let customer: TestBrowser | undefined;
  let anu: { id: number; password: string; sipPassword: string };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-fork-'));
    h = await startCallCenter({ rtpPortMin: 45200, rtpPortMax: 45399 });
    await h.api('POST', '/api/skills', { name: 'support' }, h.admin);
    expect((await h.api('POST', '/api/queues', { name: 'support', skills: { support: 1 }, wrapUpSeconds: 0, ringTimeoutSeconds: 20 }, h.admin)).status).toBe(201);
    anu = await createAgent(h, { login: 'anu', name: 'Anu Saar', languages: { et: 5 }, sipUser: '1201' });
    desk = await deskPhone(h, dir, { user: '1201', password: anu.sipPassword, port: 5802, tone: 700, answer: 'manual' });

    agent = await launchBrowser(makeTone(path.join(dir, 'tone-1000.wav'), 1000));
    await agentPageReady(agent.page, h, 'anu', anu.password);
    customer = await launchBrowser(makeTone(path.join(dir, 'tone-440.wav'), 440));
  }, 120_000);

  afterAll(async () => {
    await customer?.close();
    await agent?.close();
    await desk?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Once Anu is ready: the customer calls; resolves when both of Anu's devices ring. */
  async function callAnu(): Promise<Page> {
    const ap = agent!.page;
    await eventually(async () => (await ap.getByTestId('agent-state').textContent())?.includes('ready'), 15_000, 'anu ready');
    const cp = customer!.page;
    await cp.goto(`${h.baseUrl}/demo/`);
    await cp.getByTestId('cf-call-button').click();
    await cp.getByTestId('cf-language').selectOption('et');
    await cp.getByTestId('cf-start').click();
    await desk.waitEvent('CALL_INCOMING', 20_000);
    await eventually(async () => (await ap.getByTestId('answer').isVisible()) && (await ap.getByTestId('answer').isEnabled()) || undefined, 15_000, 'the softphone ringing');
    return cp;
  }

  async function lastCall(): Promise<{ call: Record<string, unknown>; events: Array<{ event: string; data: Record<string, unknown> | null }> }> {
    await h.server.center.log.flush();
    const call = (await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items[0];
    return { call, events: (await h.api('GET', `/api/calls/${call.id}`, undefined, h.admin)).body.events };
  }

  it('a call rings both; the desk phone answers, the softphone stops ringing, the caller hears the desk phone; Hang up on the page ends it', async () => {
    // what the widget is told over its events socket: "ringing" once, though two devices ring
    const told: string[] = [];
    customer!.page.on('websocket', (ws) => ws.on('framereceived', (f) => told.push(String(f.payload))));
    const cp = await callAnu();
    expect((await desk.command('accept')).ok).toBe(true);
    await desk.waitEvent('CALL_ESTABLISHED', 10_000);
    const ap = agent!.page;
    // The softphone stops ringing, and the agent page keeps showing the caller while Anu talks on the desk phone.
    await eventually(async () => /desk phone/.test((await ap.locator('#call-status').textContent()) ?? ''), 10_000, 'the page to say the desk phone took the call');
    expect(await ap.getByTestId('answer').isVisible()).toBe(false);
    expect(await ap.getByTestId('incoming').isVisible()).toBe(true);
    expect(await ap.getByTestId('incoming-page-url').textContent()).toContain('/demo/');
    await eventually(async () => (await ap.getByTestId('agent-state').textContent())?.includes('busy'), 10_000, 'state busy');
    await eventually(async () => Math.abs((await customer!.hearing(1)).peakHz - 700) < 30, 15_000, 'the desk phone\'s tone at the caller');
    expect((await agent!.hearing(1)).rms).toBeLessThan(0.002); // the softphone is not in the call
    // A page reloaded during the call shows the caller again: the server tells a desktop that connects of the call.
    await ap.reload();
    await eventually(async () => /desk phone/.test((await ap.locator('#call-status').textContent()) ?? ''), 15_000, 'the reloaded page to show the call on the desk phone');
    expect(await ap.getByTestId('incoming-page-url').textContent()).toContain('/demo/');
    await eventually(async () => /registered/i.test((await ap.getByTestId('sip-status').textContent()) ?? ''), 15_000, 'the softphone registered again');

    // Anu hangs up from the page: the server ends the desk phone's call and the caller's.
    await ap.getByTestId('hangup').click();
    await desk.waitEvent('CALL_CLOSED', 10_000);
    await eventually(async () => /ended|lõppenud/i.test((await cp.getByTestId('cf-status').textContent()) ?? ''), 10_000, 'the widget to show the end');
    await eventually(async () => !(await ap.getByTestId('incoming').isVisible()) || undefined, 10_000, 'the caller card to go when the call ends');
    const { call, events } = await lastCall();
    expect(call).toMatchObject({ agentId: anu.id, endReason: 'agent-hangup' });
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'COMPLETEAGENT']);
    expect(events[3]!.data).toMatchObject({ how: 'desktop' });
    const offered = events[1]!.data!.devices as string[];
    expect(offered).toHaveLength(2);
    expect(told.filter((m) => m.includes('"type":"ringing"'))).toHaveLength(1);
    expect(offered.filter((c) => c.startsWith('sip:1201'))).toHaveLength(1);
    expect(offered.filter((c) => c.endsWith(';transport=ws'))).toHaveLength(1);
  }, 90_000);

  it('the softphone answers; the desk phone is cancelled as answered elsewhere and the caller hears the softphone', async () => {
    const cp = await callAnu();
    const ap = agent!.page;
    await ap.getByTestId('answer').click();
    // (baresip reports a CANCEL as 'Connection reset by peer', whatever its Reason: test/sip/calls.test.ts checks that)
    const closed = await desk.waitEvent('CALL_CLOSED', 10_000);
    expect(desk.events.some((e) => e.type === 'CALL_ESTABLISHED' && e.id === closed.id)).toBe(false);
    await eventually(async () => Math.abs((await customer!.hearing(1)).peakHz - 1000) < 30, 15_000, 'the softphone\'s tone at the caller');
    await eventually(async () => Math.abs((await agent!.hearing(1)).peakHz - 440) < 30, 15_000, 'the caller at the softphone');

    await ap.getByTestId('hangup').click();
    await eventually(async () => /ended|lõppenud/i.test((await cp.getByTestId('cf-status').textContent()) ?? ''), 10_000, 'the widget to show the end');
    const { call, events } = await lastCall();
    expect(call).toMatchObject({ agentId: anu.id, endReason: 'agent-hangup' });
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'COMPLETEAGENT']);
  }, 90_000);

  it('declining on the softphone (603) stops the desk phone too; the call is offered again and the desk phone takes it', async () => {
    const cp = await callAnu();
    const ap = agent!.page;
    await ap.getByTestId('decline').click();
    await desk.waitEvent('CALL_CLOSED', 5_000);
    // Still Anu's call: the ACD offers it again (a miss, not yet a pause), and both devices ring again.
    await desk.waitEvent('CALL_INCOMING', 20_000);
    expect((await desk.command('accept')).ok).toBe(true);
    await desk.waitEvent('CALL_ESTABLISHED', 10_000);
    await eventually(async () => Math.abs((await customer!.hearing(1)).peakHz - 700) < 30, 15_000, 'the desk phone\'s tone at the caller');
    await cp.getByTestId('cf-hangup').click();
    await desk.waitEvent('CALL_CLOSED', 10_000);

    const { events } = await lastCall();
    expect(events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'RINGNOANSWER', 'OFFER', 'CONNECT', 'COMPLETECALLER']);
    expect(events[2]!.data).toMatchObject({ status: 603 });
  }, 90_000);
});
