import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpPeer } from '../media/helpers/rtp-peer.ts';
import { RawUdp } from '../sip/helpers.ts';
import { type BaresipPhone, makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, createAgent, deskPhone, eventually, startCallCenter, signInBoard } from './support/harness.ts';
import { inDialog, rtpCall } from './support/queue-invite.ts';

interface ApiCall {
  id: string;
  agentId: number | null;
  endReason: string | null;
  createdAt: string;
  waitSeconds: number | null;
  talkSeconds: number | null;
  events: Array<{ at: string; event: string }>;
  recordings?: unknown[];
}

/**
 * The wall-board's Calls section: a phone caller (raw UDP signalling, RTP from this process) gives up waiting while
 * nobody is ready, then calls again and talks with Anna on a baresip desk phone, who files the call as Sale. Sue's
 * wall-board in Chromium lists neither until Reload (no live updates), then both with their queue, caller, agent and
 * outcome; the agent, disposition and queue filters; each call's detail with its timeline in words; and a recording
 * in the detail played with Sue's token in a visible player.
 */
describe('calls on the wall-board', () => {
  let h: Harness;
  let dir: string;
  let annaDesk: BaresipPhone | undefined;
  let board: TestBrowser | undefined;
  let udp: RawUdp;
  let anna: { id: number; token: string };
  let caller: { user: string; password: string };
  let answered: ApiCall;
  let abandoned: ApiCall;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-calls-history-'));
    h = await startCallCenter({ rtpPortMin: 46800, rtpPortMax: 46899 });
    await h.api('POST', '/api/skills', { name: 'support' }, h.admin);
    // (support records its calls: the answered one has a recording to play)
    for (const q of [{ name: 'support', dispositions: ['Sale', 'Resolved'], recordCalls: true }, { name: 'sales' }]) {
      const r = await h.api('POST', '/api/queues', { ...q, skills: { support: 1 }, wrapUpSeconds: 0 }, h.admin);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const a = await createAgent(h, { login: 'anna', name: 'Anna Tamm', languages: { en: 5 }, sipUser: '1801' });
    anna = { id: a.id, token: await h.login('anna', a.password) };
    // a desk phone's SIP account dials the queue as a phone caller does (its agent never logs in)
    const c = await createAgent(h, { login: 'carl', name: 'Carl', languages: { en: 5 }, skills: {}, sipUser: '1802' });
    caller = { user: '1802', password: c.sipPassword };
    expect((await h.api('POST', '/api/users', { login: 'sue', name: 'Sue', password: 'sue-password-1', role: 'supervisor' }, h.admin)).status).toBe(201);
    annaDesk = await deskPhone(h, dir, { user: '1801', password: a.sipPassword, port: 5984, tone: 1000, answer: 'auto' });
    udp = await new RawUdp().open();
  }, 120_000);

  afterAll(async () => {
    await board?.close();
    udp?.close();
    await annaDesk?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const callDetail = async (id: string): Promise<ApiCall> => {
    const r = await h.api('GET', `/api/calls/${encodeURIComponent(id)}`, undefined, h.admin);
    expect(r.status).toBe(200);
    return r.body;
  };

  it('lists the calls after Reload with queue, caller, agent and outcome; the filters; a call\'s timeline in words', async () => {
    board = await launchBrowser(makeTone(path.join(dir, 'tone-440.wav'), 440));
    const page = board.page;
    page.on('pageerror', (e) => console.error('[wall-board page]', e));
    await signInBoard(page, h, 'sue', 'sue-password-1');
    const section = page.getByTestId('wb-calls');
    const count = section.getByTestId('wb-calls-count');
    // read once the board came after sign-in: nothing yet
    await eventually(async () => (await count.textContent()) === '(0 calls)', 10_000, 'the empty list');
    expect(await section.getByTestId('wb-calls-none').textContent()).toBe('No calls.');

    // the caller waits (Anna is not ready yet) and hangs up: abandoned
    const rtp = await RtpPeer.create();
    try {
      const first = await rtpCall(h, udp, rtp, { to: 'support', ...caller });
      await eventually(() => h.server.center.activeCalls === 1, 5_000, 'the caller waiting');
      await new Promise((r) => setTimeout(r, 1200));
      inDialog(h, udp, first, 'BYE');
      await eventually(() => h.server.center.activeCalls === 0, 10_000, 'the first call to end');

      // Anna is ready: her desk phone answers at once; the caller talks a while and hangs up
      expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, anna.token)).status).toBe(200);
      const second = await rtpCall(h, udp, rtp, { to: 'support', ...caller });
      const callId = await eventually(() => h.server.center.callOfAgent(String(anna.id))?.id, 20_000, 'Anna connected');
      await eventually(() => rtp.peak(1) === 1000, 10_000, 'the caller hears Anna');
      await new Promise((r) => setTimeout(r, 1200));
      inDialog(h, udp, second, 'BYE');
      await eventually(() => h.server.center.activeCalls === 0, 10_000, 'the second call to end');
      const filed = await h.api('POST', `/api/agent/calls/${encodeURIComponent(callId)}/disposition`, { disposition: 'Sale' }, anna.token);
      expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    } finally {
      rtp.close();
    }
    await h.server.center.log.flush();
    const listed = (await h.api('GET', '/api/calls', undefined, h.admin)).body.items as ApiCall[];
    expect(listed.map((c) => c.endReason)).toEqual(['caller-hangup', 'abandon']);
    [answered, abandoned] = [await callDetail(listed[0]!.id), await callDetail(listed[1]!.id)];
    expect(answered.agentId).toBe(anna.id);

    // no live updates: the list moves on Reload only
    await new Promise((r) => setTimeout(r, 1500));
    expect(await count.textContent()).toBe('(0 calls)');
    await section.getByTestId('wb-calls-reload').click();
    const answeredRow = section.getByTestId(`wb-calls-row-${answered.id}`);
    const abandonedRow = section.getByTestId(`wb-calls-row-${abandoned.id}`);
    await answeredRow.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await count.textContent()).toBe('(2 calls)');
    const rowIds = () => section.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
    expect(await rowIds()).toEqual([`wb-calls-row-${answered.id}`, `wb-calls-row-${abandoned.id}`]); // newest first
    const cells = async (row: typeof answeredRow) => Object.fromEntries(
      await Promise.all(['when', 'queue', 'caller', 'agent', 'wait', 'talk', 'disposition', 'outcome'].map(async (c) => [c, await row.getByTestId(`wb-calls-${c}`).textContent()])),
    );
    const localTime = (iso: string) => page.evaluate((at) => new Date(at).toLocaleString(), iso);
    expect(await cells(answeredRow)).toEqual({
      when: await localTime(answered.createdAt), queue: 'support', caller: '1802', agent: 'Anna Tamm',
      wait: String(Math.round(answered.waitSeconds!)), talk: String(Math.round(answered.talkSeconds!)), disposition: 'Sale', outcome: 'caller hung up',
    });
    expect(answered.talkSeconds).toBeGreaterThanOrEqual(1);
    expect(await cells(abandonedRow)).toEqual({
      when: await localTime(abandoned.createdAt), queue: 'support', caller: '1802', agent: '–',
      wait: String(Math.round(abandoned.waitSeconds!)), talk: '–', disposition: '', outcome: 'abandoned',
    });
    expect(abandoned.waitSeconds).toBeGreaterThanOrEqual(1);
    expect(await section.getByTestId('wb-calls-newer').isDisabled()).toBe(true);
    expect(await section.getByTestId('wb-calls-older').isDisabled()).toBe(true);

    // filters: Anna's calls only; a disposition; a queue (Apply reads page 1 again)
    const apply = section.getByTestId('wb-calls-apply');
    await section.getByTestId('wb-calls-agent-filter').selectOption({ label: 'Anna Tamm' });
    await apply.click();
    await abandonedRow.waitFor({ state: 'detached', timeout: 5_000 });
    expect(await rowIds()).toEqual([`wb-calls-row-${answered.id}`]);
    expect(await count.textContent()).toBe('(1 call)');
    await section.getByTestId('wb-calls-agent-filter').selectOption('');
    await section.getByTestId('wb-calls-disposition-filter').fill('Resolved');
    await apply.click();
    await section.getByTestId('wb-calls-none').waitFor({ state: 'visible', timeout: 5_000 });
    expect(await count.textContent()).toBe('(0 calls)');
    await section.getByTestId('wb-calls-disposition-filter').fill('Sale');
    await apply.click();
    await answeredRow.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await rowIds()).toEqual([`wb-calls-row-${answered.id}`]);
    await section.getByTestId('wb-calls-disposition-filter').fill('');
    await section.getByTestId('wb-calls-queue-filter').selectOption({ label: 'sales' });
    await apply.click();
    await section.getByTestId('wb-calls-none').waitFor({ state: 'visible', timeout: 5_000 });
    await section.getByTestId('wb-calls-queue-filter').selectOption({ label: 'support' });
    await apply.click();
    await abandonedRow.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await count.textContent()).toBe('(2 calls)');

    // the answered call's detail: its fields and its timeline, each event in words at its local time
    const detail = page.getByTestId('wb-call-detail');
    expect(await detail.isHidden()).toBe(true);
    await answeredRow.getByTestId('wb-calls-details').click();
    await detail.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await detail.getByTestId('wb-call-id').textContent()).toBe(answered.id);
    expect(await detail.getByTestId('wb-call-direction').textContent()).toBe('inbound');
    expect(await detail.getByTestId('wb-call-channel').textContent()).toBe('sip');
    expect(await answeredRow.getAttribute('aria-selected')).toBe('true');
    const timeline = async () => detail.getByTestId('wb-call-event').evaluateAll((items) => items.map((i) => ({ event: i.getAttribute('data-event'), text: i.textContent })));
    const items = await timeline();
    expect(items.map((i) => i.event)).toEqual(answered.events.map((e) => e.event));
    const hhmmss = (iso: string) => page.evaluate((at) => {
      const d = new Date(at);
      return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    }, iso);
    const textOf = async (event: string) => {
      const i = items.findIndex((e) => e.event === event);
      expect(i, `${event} in the timeline`).toBeGreaterThanOrEqual(0);
      const at = await hhmmss(answered.events[i]!.at);
      expect(items[i]!.text!.startsWith(`${at} `)).toBe(true);
      return items[i]!.text!.slice(at.length + 1);
    };
    const order = ['ENTERQUEUE', 'OFFER', 'CONNECT', 'COMPLETECALLER', 'DISPOSITION'];
    expect(items.map((i) => i.event).filter((e) => order.includes(e!))).toEqual(order);
    expect(await textOf('ENTERQUEUE')).toBe('entered the queue support');
    expect(await textOf('OFFER')).toBe('offered to Anna Tamm');
    expect(await textOf('CONNECT')).toMatch(/^answered by Anna Tamm after \d+ s$/);
    expect(await textOf('COMPLETECALLER')).toBe(`caller hung up on Anna Tamm after ${Math.round(answered.talkSeconds!)} s`);
    expect(await textOf('DISPOSITION')).toBe('Anna Tamm filed it as Sale');
    expect(answered.recordings).toHaveLength(1);
    expect(await detail.getByTestId('wb-call-recording-play').count()).toBe(1);

    // a row opens its call in place of the other
    await abandonedRow.getByTestId('wb-calls-outcome').click();
    await eventually(async () => (await detail.getByTestId('wb-call-id').textContent()) === abandoned.id, 5_000, 'the abandoned call open');
    const left = await timeline();
    expect(left.map((i) => i.event)).toEqual(abandoned.events.map((e) => e.event));
    expect(left.map((i) => i.event)).toEqual(expect.arrayContaining(['ENTERQUEUE', 'ABANDON']));
    expect(left.find((i) => i.event === 'ABANDON')!.text).toMatch(/^\d\d:\d\d:\d\d caller hung up while waiting after \d+ s/);
    expect(await answeredRow.getAttribute('aria-selected')).toBe('false');
    await detail.getByTestId('wb-call-detail-close').click();
    expect(await detail.isHidden()).toBe(true);
    expect(await page.getByTestId('wb-error').isHidden()).toBe(true);
  }, 90_000);

  it("a call's recording plays with the supervisor's token in a visible player", async () => {
    const page = board!.page;
    const rec = answered.recordings![0] as { id: number; startedAt: string; seconds: number };
    const startedAt = rec.startedAt;
    const asked = page.waitForRequest((r) => new URL(r.url()).pathname === `/api/recordings/${rec.id}/audio`);
    const section = page.getByTestId('wb-calls');
    await section.getByTestId(`wb-calls-row-${answered.id}`).getByTestId('wb-calls-details').click();
    const detail = page.getByTestId('wb-call-detail');
    const play = detail.getByTestId('wb-call-recording-play');
    await play.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await page.getByTestId('wb-call-audio').isHidden()).toBe(true); // (no player before a Play)
    await play.click();
    const audio = page.getByTestId('wb-call-audio');
    const player = () => audio.evaluate((a: HTMLAudioElement) => ({ paused: a.paused, at: a.currentTime, duration: a.duration, controls: a.controls, src: a.src }));
    await eventually(async () => (await player()).at > 0.3, 10_000, 'the recording playing');
    expect(await player()).toMatchObject({ paused: false, controls: true, src: expect.stringMatching(/^blob:/) });
    expect((await player()).duration).toBeCloseTo(rec.seconds, 0);
    expect(await audio.isVisible()).toBe(true);
    const token = await page.evaluate(() => sessionStorage.getItem('callflow.supervisor.token'));
    expect((await asked).headers().authorization).toBe(`Bearer ${token}`);
    const at = await page.evaluate((iso) => {
      const d = new Date(iso);
      return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    }, startedAt);
    expect(await page.getByTestId('wb-call-playing').textContent()).toBe(`call ${answered.id} · Anna Tamm · ${at} · ${Math.round(rec.seconds)} s`);

    // another call's detail stops it
    await section.getByTestId(`wb-calls-row-${abandoned.id}`).click();
    await eventually(async () => (await detail.getByTestId('wb-call-id').textContent()) === abandoned.id, 5_000, 'the other call open');
    expect(await audio.isHidden()).toBe(true);
    expect(await audio.evaluate((a: HTMLAudioElement) => a.paused)).toBe(true);
    expect(await play.count()).toBe(abandoned.recordings?.length ?? 0);
    expect(await page.getByTestId('wb-error').isHidden()).toBe(true);
  }, 60_000);
});
