import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipResponse } from '../../sip/index.ts';
import { toneWav } from '../media/helpers/audio.ts';
import { RtpPeer } from '../media/helpers/rtp-peer.ts';
import { RawUdp } from '../sip/helpers.ts';
import { type BaresipPhone, makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, createAgent, deskPhone, eventually, startCallCenter, supervisorToken } from './support/harness.ts';
import { inDialog, inviteQueue, rtpCall } from './support/queue-invite.ts';

/**
 * Post-call survey of phone callers, end to end: in a queue that asks (`survey`), a caller whose agent hung up stays
 * on the line, hears the question (here an admin's 1.2 kHz recording of `survey-question`), presses a key 1–5 (by SIP
 * INFO), hears the thanks (700 Hz) and is hung up on; the rating is kept in the call record and the queue log for the
 * agent, and counted on the wall-board and in the reports. A browser caller rates the call in the widget instead
 * (POST /api/public/calls/:callId/survey). Anna answers on a baresip desk phone (1 kHz) and hangs up from her desktop.
 */
describe('post-call survey', () => {
  let h: Harness;
  let dir: string;
  let desk: BaresipPhone | undefined;
  let udp: RawUdp;
  let anna: { id: number; token: string };
  let caller: { user: string; password: string };
  let sue: string;
  let browser: TestBrowser | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-survey-'));
    h = await startCallCenter({ rtpPortMin: 47000, rtpPortMax: 47099 });
    expect((await h.api('POST', '/api/queues', { name: 'rated', skills: {}, wrapUpSeconds: 0, survey: true }, h.admin)).status).toBe(201);
    expect((await h.api('POST', '/api/queues', { name: 'unrated', skills: {}, wrapUpSeconds: 0 }, h.admin)).status).toBe(201);
    // (the demo shop's widget calls `support`)
    expect((await h.api('POST', '/api/queues', { name: 'support', skills: {}, wrapUpSeconds: 0, survey: true }, h.admin)).status).toBe(201);
    const a = await createAgent(h, { login: 'anna', name: 'Anna', languages: { en: 5 }, skills: {}, sipUser: '1901' });
    anna = { id: a.id, token: await h.login('anna', a.password) };
    const c = await createAgent(h, { login: 'carl', name: 'Carl', languages: { en: 5 }, skills: {}, sipUser: '1902' });
    caller = { user: '1902', password: c.sipPassword };
    sue = await supervisorToken(h);
    desk = await deskPhone(h, dir, { user: '1901', password: a.sipPassword, port: 5988, tone: 1000, answer: 'auto' });
    udp = await new RawUdp().open();
    for (const [name, hz, seconds] of [['survey-question', 1200, 1.5], ['survey-thanks', 700, 1]] as const) {
      const up = await fetch(`${h.baseUrl}/api/prompts/en/${name}`, { method: 'PUT', headers: { authorization: `Bearer ${h.admin}`, 'content-type': 'audio/wav' }, body: new Uint8Array(toneWav(hz, seconds)) });
      expect(up.status, await up.text()).toBe(204);
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    udp?.close();
    await desk?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A call to `queue` that Anna answers and then hangs up (from her desktop); `then` runs with the caller still there. */
  async function answeredThenAgentHangsUp(queue: string, then: (ok: SipResponse, rtp: RtpPeer, callId: string) => Promise<void>): Promise<string> {
    const rtp = await RtpPeer.create();
    try {
      const ok = await rtpCall(h, udp, rtp, { to: queue, ...caller });
      expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, anna.token)).status).toBe(200);
      const callId = await eventually(() => h.server.center.callOfAgent(String(anna.id))?.id, 20_000, 'Anna connected');
      await eventually(() => rtp.peak(1) === 1000, 10_000, 'the caller hears Anna');
      expect((await h.api('POST', '/api/agent/call/hangup', {}, anna.token)).status).toBe(200);
      await then(ok, rtp, callId);
      return callId;
    } finally {
      rtp.close();
      await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, anna.token);
    }
  }

  const byeFromServer = (ok: SipResponse, ms = 20_000) => udp.take((m) => 'method' in m && m.method === 'BYE' && m.callId === ok.callId, ms);

  it('asks the caller after the agent hung up; a key out of 1–5 asks again; the rating is kept for the agent and counted', async () => {
    const callId = await answeredThenAgentHangsUp('rated', async (ok, rtp) => {
      await eventually(() => rtp.peak(0.5) === 1200, 10_000, 'the question');
      // (Anna is done with it: her desktop's hang-up or transfer would go to her next call, not this one)
      expect(h.server.center.callOfAgent(String(anna.id))).toBeUndefined();
      inDialog(h, udp, ok, 'INFO', { digit: '9', cseq: 10 });
      await new Promise((r) => setTimeout(r, 300));
      // (asked again: 9 is no rating; the 4 stops the question and is taken)
      inDialog(h, udp, ok, 'INFO', { digit: '4', cseq: 11 });
      await eventually(() => rtp.peak(0.5) === 700, 10_000, 'the thanks');
      await byeFromServer(ok);
    });
    const call = await eventually(async () => {
      const r = (await h.api('GET', `/api/calls/${callId}`, undefined, sue)).body;
      return r.state === 'ended' ? r : undefined;
    }, 10_000, 'the call record ended');
    expect(call).toMatchObject({ surveyScore: 4, endReason: 'agent-hangup', agentId: anna.id });
    const events = call.events as Array<{ event: string; agentId: number | null; data: Record<string, unknown> }>;
    expect(events.filter((e) => e.event === 'SURVEY')).toEqual([expect.objectContaining({ agentId: anna.id, data: { score: 4, channel: 'sip' } })]);
    expect(events.some((e) => e.event === 'ABANDON')).toBe(false);

    const board = await eventually(async () => {
      const b = (await h.api('GET', '/api/wallboard', undefined, sue)).body;
      return b.totals.surveys === 1 ? b : undefined;
    }, 10_000, 'the rating on the wall-board');
    expect(board.queues.find((q: { name: string }) => q.name === 'rated')).toMatchObject({ surveys: 1, surveyAverage: 4, csatPercent: 100 });
    expect(board.queues.find((q: { name: string }) => q.name === 'unrated')).toMatchObject({ surveys: 0, surveyAverage: null, csatPercent: null });
    const agents = (await h.api('GET', '/api/reports/agents?interval=total', undefined, sue)).body.rows as Array<{ agentId: number }>;
    expect(agents.find((r) => r.agentId === anna.id)).toMatchObject({ surveys: 1, surveyAverage: 4, csatPercent: 100 });
    const csv = await fetch(`${h.baseUrl}/api/reports/queues?interval=total&format=csv`, { headers: { authorization: `Bearer ${sue}` } });
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/,surveys,surveyAverage,csatPercent$/);
    expect(lines.find((l) => l.startsWith('rated,'))).toMatch(/,1,4,100$/);

    // Anna's own day (the agent page's figures): the call, and its rating
    const mine = (await h.api('GET', '/api/agent/stats', undefined, anna.token)).body;
    expect(mine).toMatchObject({ handled: 1, missedOffers: 0, surveys: 1, surveyAverage: 4, csatPercent: 100 });
    expect(mine.talkSeconds).toBeGreaterThan(0);
    expect((await h.api('GET', '/api/agent/stats', undefined, sue)).status).toBe(403);
    expect((await h.api('GET', `/api/agent/stats?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, undefined, anna.token)).body)
      .toMatchObject({ handled: 0, ahtSeconds: null, surveys: 0, surveyAverage: null });

    // a call is rated once
    expect(await h.server.center.rateCall(callId, 2)).toEqual({ outcome: 'rated-already' });
  }, 90_000);

  it('a caller who hangs up at the question has not abandoned and gave no rating; a queue that does not ask hangs up at once', async () => {
    const left = await answeredThenAgentHangsUp('rated', async (ok, rtp) => {
      await eventually(() => rtp.peak(0.5) === 1200, 10_000, 'the question');
      inDialog(h, udp, ok, 'BYE', { cseq: 10 });
      await udp.take((m) => 'status' in m && m.callId === ok.callId && m.cseq.method === 'BYE');
    });
    const call = await eventually(async () => {
      const r = (await h.api('GET', `/api/calls/${left}`, undefined, sue)).body;
      return r.state === 'ended' ? r : undefined;
    }, 10_000, 'the call record ended');
    expect(call).toMatchObject({ surveyScore: null, endReason: 'agent-hangup' });
    expect((call.events as Array<{ event: string }>).map((e) => e.event)).not.toContain('ABANDON');

    const plain = await answeredThenAgentHangsUp('unrated', async (ok, rtp) => {
      await byeFromServer(ok, 5000);
      expect(rtp.toneShare(1200, 5)).toBeLessThan(0.1); // (no question)
    });
    // nor can a rating be given for it afterwards
    expect(await h.server.center.rateCall(plain, 5)).toEqual({ outcome: 'not-asked', queue: 'unrated' });
  }, 90_000);

  it('a call no agent answered cannot be rated', async () => {
    const rtp = await RtpPeer.create();
    try {
      const ok = await rtpCall(h, udp, rtp, { to: 'rated', ...caller });
      inDialog(h, udp, ok, 'BYE', { cseq: 10 });
      await udp.take((m) => 'status' in m && m.callId === ok.callId && m.cseq.method === 'BYE');
      const list = (await h.api('GET', '/api/calls?limit=1', undefined, sue)).body.items as Array<{ id: string; endReason: string }>;
      await eventually(async () => (await h.api('GET', `/api/calls/${list[0]!.id}`, undefined, sue)).body.state === 'ended', 10_000, 'ended');
      expect(await h.server.center.rateCall(list[0]!.id, 5)).toEqual({ outcome: 'not-answered' });
      expect(await h.server.center.rateCall('no-such-call', 5)).toEqual({ outcome: 'unknown-call' });
    } finally {
      rtp.close();
    }
  }, 60_000);

  it('a browser caller is not asked by voice; the page rates the call once it has ended, with its call token, once', async () => {
    const start = await h.api('POST', '/api/public/calls', { queue: 'support', language: 'en', page: { url: 'https://shop.example/help', title: 'Help' } });
    expect(start.status).toBe(201);
    expect(start.body.survey).toBe(true);
    expect((await h.api('POST', '/api/public/calls', { queue: 'unrated', language: 'en', page: { url: 'https://shop.example/', title: 'Shop' } })).body.survey).toBe(false);
    const { callId, token } = start.body as { callId: string; token: string };
    const rate = (score: unknown, bearer = token, id = callId) =>
      fetch(`${h.baseUrl}/api/public/calls/${id}/survey`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify({ score }) })
        .then(async (r) => ({ status: r.status, body: await r.json() }));
    // (dialled as the widget does, with the call token: a browser call)
    const ok = await inviteQueue(h, udp, { to: 'support', user: start.body.sip.authorizationUsername, password: start.body.sip.authorizationPassword, headers: [`X-Call-Token: ${token}`] });
    expect(ok.status).toBe(200);
    inDialog(h, udp, ok, 'ACK');
    try {
      expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, anna.token)).status).toBe(200);
      await eventually(() => h.server.center.callOfAgent(String(anna.id))?.id === callId, 20_000, 'Anna connected');
      expect(await rate(5)).toMatchObject({ status: 409, body: { message: 'the call is still in progress: rate it when it has ended' } });
      expect((await h.api('POST', '/api/agent/call/hangup', {}, anna.token)).status).toBe(200);
      await udp.take((m) => 'method' in m && m.method === 'BYE' && m.callId === ok.callId, 5000); // (at once: no question by voice)
    } finally {
      await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, anna.token);
    }
    await eventually(() => h.server.center.call(callId) === undefined, 10_000, 'the call to end');
    const other = (await h.api('POST', '/api/public/calls', { queue: 'support', language: 'en', page: { url: 'https://shop.example/', title: 'Shop' } })).body.token as string;
    expect(await rate(5, other)).toMatchObject({ status: 401 }); // (another call's token)
    expect(await rate(6)).toMatchObject({ status: 400 });
    expect(await rate(5)).toEqual({ status: 201, body: { score: 5 } });
    expect(await rate(1)).toMatchObject({ status: 409, body: { message: 'this call has been rated already' } });
    const call = (await h.api('GET', `/api/calls/${callId}`, undefined, sue)).body;
    expect(call).toMatchObject({ surveyScore: 5, channel: 'webrtc' });
    expect((call.events as Array<{ event: string; agentId: number; data: unknown }>).filter((e) => e.event === 'SURVEY'))
      .toEqual([expect.objectContaining({ agentId: anna.id, data: { score: 5, channel: 'webrtc' } })]);
  }, 60_000);

  it('the widget asks how the call was once the agent hung up, and sends the stars the customer gives', async () => {
    browser = await launchBrowser(makeTone(path.join(dir, 'tone-440.wav'), 440));
    const page = browser.page;
    await page.goto(`${h.baseUrl}/demo/tents.html`);
    await page.getByTestId('cf-call-button').click();
    await page.getByTestId('cf-language').selectOption('en');
    await page.getByTestId('cf-start').click();
    try {
      expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, anna.token)).status).toBe(200);
      const callId = await eventually(() => h.server.center.callOfAgent(String(anna.id))?.id, 30_000, 'Anna connected');
      await eventually(async () => (await page.evaluate(() => window.CallflowWidget?.state)) === 'connected', 15_000, 'the widget connected');
      expect(await page.getByTestId('cf-survey').isVisible()).toBe(false); // (not while the call lasts)
      expect((await h.api('POST', '/api/agent/call/hangup', {}, anna.token)).status).toBe(200);
      await page.getByTestId('cf-survey').waitFor({ state: 'visible', timeout: 10_000 });
      expect(await page.getByTestId('cf-survey-question').textContent()).toBe('How was your call?');
      await page.getByTestId('cf-survey-score').nth(3).click(); // 4 of 5
      await eventually(async () => (await page.getByTestId('cf-survey-thanks').textContent()) === 'Thank you for your feedback.', 10_000, 'the thanks');
      expect((await h.api('GET', `/api/calls/${callId}`, undefined, sue)).body.surveyScore).toBe(4);
    } finally {
      await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'other' }, anna.token);
    }
  }, 90_000);
});
