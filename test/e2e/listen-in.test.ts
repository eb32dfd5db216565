import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpPeer } from '../media/helpers/rtp-peer.ts';
import { RawUdp } from '../sip/helpers.ts';
import { type BaresipPhone, makeTone } from '../support/baresip.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, agentPageReady, createAgent, deskPhone, eventually, startCallCenter, signInBoard } from './support/harness.ts';
import { inDialog, inviteQueue, rtpCall } from './support/queue-invite.ts';

/**
 * Silent monitoring end to end: a phone caller (raw UDP signalling, RTP from this process) talks with Anna on a
 * baresip desk phone; Sue, a supervisor, presses Listen on Anna's row of the wall-board in Chromium and her page
 * plays the call: a level meter per party shows the customer (silent, then a 600 Hz tone) and the agent (1 000 Hz)
 * apart, while the caller goes on hearing only Anna. The REST rules (who, when, how many, a refused answer) too.
 */
describe('a supervisor listens to a call', () => {
  let h: Harness;
  let dir: string;
  let annaDesk: BaresipPhone | undefined;
  let board: TestBrowser | undefined;
  let udp: RawUdp;
  let anna: { id: number; token: string };
  let caller: { user: string; password: string };
  let sue: string;
  let sam: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-listen-'));
    h = await startCallCenter({ rtpPortMin: 46300, rtpPortMax: 46399 });
    await h.api('POST', '/api/skills', { name: 'support' }, h.admin);
    expect((await h.api('POST', '/api/queues', { name: 'support', skills: { support: 1 }, wrapUpSeconds: 0 }, h.admin)).status).toBe(201);
    const a = await createAgent(h, { login: 'anna', name: 'Anna Tamm', languages: { en: 5 }, sipUser: '1601' });
    anna = { id: a.id, token: await h.login('anna', a.password) };
    // a desk phone's SIP account dials the queue as a phone caller does (its agent never logs in)
    const c = await createAgent(h, { login: 'carl', name: 'Carl', languages: { en: 5 }, skills: {}, sipUser: '1602' });
    caller = { user: '1602', password: c.sipPassword };
    for (const login of ['sue', 'sam']) {
      const u = await h.api('POST', '/api/users', { login, name: login, password: `${login}-password-1`, role: 'supervisor' }, h.admin);
      expect(u.status, JSON.stringify(u.body)).toBe(201);
    }
    sue = await h.login('sue', 'sue-password-1');
    sam = await h.login('sam', 'sam-password-1');
    annaDesk = await deskPhone(h, dir, { user: '1601', password: a.sipPassword, port: 5982, tone: 1000, answer: 'auto' });
    udp = await new RawUdp().open();
  }, 120_000);

  afterAll(async () => {
    await board?.close();
    udp?.close();
    await annaDesk?.stop();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const listen = (callId: string, token = sue) => h.api('POST', `/api/calls/${encodeURIComponent(callId)}/listen`, undefined, token);
  const listenPath = (callId: string, listenId: string) => `/api/calls/${encodeURIComponent(callId)}/listen/${encodeURIComponent(listenId)}`;
  const level = async (testId: string) => Number((await board!.page.getByTestId(testId).getAttribute('data-level')) ?? 0);

  it('only a supervisor or an admin, only while an agent talks, at most three at once; a refused answer ends the listen', async () => {
    const rtp = await RtpPeer.create();
    try {
      const ok = await inviteQueue(h, udp, { to: 'support', ...caller, sdp: rtp.sdp(['PCMU']) });
      expect(ok.status).toBe(200);
      inDialog(h, udp, ok, 'ACK');
      await h.server.center.log.flush();
      const callId = ((await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items as Array<{ id: string }>)[0]!.id;

      const early = await listen(callId);
      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({ code: 'ERR_INVALID_STATE', message: `call ${callId} is not connected to an agent (waiting): there is no conversation to listen to yet` });
      expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, anna.token)).status).toBe(200);
      expect(await eventually(() => h.server.center.callOfAgent(String(anna.id))?.id, 20_000, 'Anna connected')).toBe(callId);

      expect((await listen(callId, anna.token)).status).toBe(403); // an agent may not
      // coaching needs the agent's page open (the agent hears the coach there): Anna talks on her desk phone only
      const coach = (token: string) => h.api('POST', `/api/calls/${callId}/coach`, { sdp: 'v=0\r\n' }, token);
      expect(await coach(sue)).toMatchObject({ status: 409, body: { message: "the agent's page is not open: they could not hear you" } });
      expect((await coach(anna.token)).status).toBe(403);
      expect((await h.api('PUT', '/api/agent/coach/nobody', { sdp: 'v=0\r\n' }, anna.token)).status).toBe(404);
      expect((await h.api('POST', `/api/calls/${callId}/listen`)).status).toBe(401);
      const unknown = await listen('no-such-call');
      expect(unknown).toMatchObject({ status: 404, body: { message: 'call no-such-call is not in progress' } });

      const ids: string[] = [];
      for (const token of [sue, sam, h.admin]) {
        const r = await listen(callId, token);
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        expect(r.body.sdp).toMatch(/^v=0/);
        expect(r.body.sdp.match(/^m=audio /gm)).toHaveLength(2);
        ids.push(r.body.listenId);
      }
      expect(await listen(callId)).toMatchObject({ status: 429, body: { message: 'at most 3 listeners a call' } });

      // Sam may not answer or end Sue's listen; the admin may end anyone's
      expect((await h.api('PUT', listenPath(callId, ids[0]!), { sdp: 'v=0\r\n' }, sam)).status).toBe(403);
      expect((await h.api('DELETE', listenPath(callId, ids[0]!), undefined, sam)).status).toBe(403);
      expect((await h.api('DELETE', listenPath(callId, ids[1]!), undefined, h.admin)).status).toBe(204);
      expect((await h.api('DELETE', listenPath(callId, ids[1]!), undefined, sam)).status).toBe(404);
      // not an SDP: 400 by the schema, the listen stays; an SDP rtpengine refuses: 400 and the listen is over
      const notSdp = await h.api('PUT', listenPath(callId, ids[0]!), { sdp: 'hello' }, sue);
      expect(notSdp).toMatchObject({ status: 400, body: { field: 'body.sdp' } });
      const refused = await h.api('PUT', listenPath(callId, ids[0]!), { sdp: 'v=0\r\nnot an answer\r\n' }, sue);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'ERR_VALIDATION', field: 'body.sdp', message: expect.stringMatching(/^body\.sdp was refused \(.+\); start listening again$/) });
      expect((await h.api('DELETE', listenPath(callId, ids[0]!), undefined, sue)).status).toBe(404);
      expect(h.server.center.listens.of(callId).map((l) => l.id)).toEqual([ids[2]]);
      expect((await listen(callId)).status).toBe(201); // room again

      inDialog(h, udp, ok, 'BYE');
      await eventually(() => h.server.center.activeCalls === 0, 10_000, 'the call to end');
      expect(h.server.center.listens.of(callId)).toEqual([]); // the call's end ended its listens
      expect((await h.api('DELETE', listenPath(callId, ids[2]!), undefined, h.admin)).status).toBe(404);
    } finally {
      rtp.close();
    }
  });

  it('Listen on the wall-board plays the customer and the agent apart; the caller hears only the agent; Stop, and the call\'s end, stop it', async () => {
    board = await launchBrowser(makeTone(path.join(dir, 'tone-440.wav'), 440));
    const page = board.page;
    await signInBoard(page, h, 'sue', 'sue-password-1');
    const row = page.getByTestId('wb-agent-Anna Tamm');
    await eventually(async () => (await row.getByTestId('wb-agent-state').textContent()) === 'ready', 10_000, 'Anna ready on the board');
    expect(await row.getByTestId('wb-agent-listen').count()).toBe(0); // nobody to listen to

    const rtp = await RtpPeer.create();
    try {
      const ok = await rtpCall(h, udp, rtp, { to: 'support', ...caller }); // the customer says nothing yet
      const callId = await eventually(() => h.server.center.callOfAgent(String(anna.id))?.id, 20_000, 'Anna connected');
      await eventually(() => rtp.peak(1) === 1000, 10_000, 'the caller hears Anna');

      await row.getByTestId('wb-agent-listen').click({ timeout: 10_000 });
      await eventually(async () => (await page.getByTestId('wb-listen-who').textContent()) === "Listening to Anna Tamm's call", 10_000, 'listening');
      await eventually(async () => (await level('wb-listen-agent')) > 0.02, 10_000, 'the agent heard by the supervisor');
      expect(await level('wb-listen-customer')).toBeLessThan(0.005);
      rtp.startTone(600);
      await eventually(async () => (await level('wb-listen-customer')) > 0.02, 10_000, 'the customer heard by the supervisor');
      expect(await level('wb-listen-agent')).toBeGreaterThan(0.02);
      // the caller hears Anna, and only Anna, while Sue listens
      rtp.clear();
      await eventually(() => rtp.received.length >= 8000, 5_000, 'a second of the call');
      expect(rtp.peak(1)).toBe(1000);
      expect(rtp.toneShare(1000)).toBeGreaterThan(0.7);
      expect(h.server.center.listens.of(callId).map((l) => l.login)).toEqual(['sue']);
      // the board tells every supervisor who listens (REST and the page)
      expect((await h.api('GET', '/api/wallboard', undefined, sam)).body.agents.find((a: { name: string }) => a.name === 'Anna Tamm')).toMatchObject({ callId, listeners: ['sue'], coach: null });
      await eventually(async () => (await row.getByTestId('wb-agent-monitors').textContent()) === '(sue listening)', 5_000, 'who listens, on the board');
      await h.server.center.log.flush();
      const events = (await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body.events as Array<{ event: string; agentId: number; data: Record<string, unknown> }>;
      expect(events.filter((e) => e.event === 'LISTEN')).toEqual([expect.objectContaining({ agentId: anna.id, data: { userId: expect.any(Number), login: 'sue' } })]);

      // Stop listening: the panel goes, the server lets the listen go, the call goes on
      await page.getByTestId('wb-listen-stop').click();
      expect(await page.getByTestId('wb-listen').isHidden()).toBe(true);
      await eventually(() => h.server.center.listens.of(callId).length === 0, 5_000, 'the listen to end');
      await eventually(async () => (await row.getByTestId('wb-agent-listen').count()) === 1, 5_000, 'Listen on the row again');

      // listening again; the caller hangs up: the page stops by itself
      await row.getByTestId('wb-agent-listen').click();
      await eventually(async () => (await level('wb-listen-customer')) > 0.02, 10_000, 'listening again');
      inDialog(h, udp, ok, 'BYE');
      await eventually(async () => page.getByTestId('wb-listen').isHidden(), 10_000, 'the panel to go when the call ends');
      expect(h.server.center.listens.of(callId)).toEqual([]);
    } finally {
      rtp.close();
    }
  });

  it('Talk to the agent while listening: only the agent hears the supervisor, on the agent page, until Stop', async () => {
    const page = board!.page; // Sue's wall-board, still signed in; her microphone plays 440 Hz
    const agentPage = await launchBrowser(makeTone(path.join(dir, 'tone-300.wav'), 300));
    const rtp = await RtpPeer.create();
    try {
      expect((await h.api('PUT', '/api/agent/state', { state: 'not-ready', reason: 'break' }, anna.token)).status).toBe(200);
      await agentPageReady(agentPage.page, h, 'anna', 'anna-password'); // (her page makes her ready again)
      const ok = await rtpCall(h, udp, rtp, { to: 'support', ...caller });
      const callId = await eventually(() => h.server.center.callOfAgent(String(anna.id))?.id, 20_000, 'Anna connected');
      await eventually(() => rtp.peak(1) === 1000, 10_000, 'the caller hears Anna\'s desk phone');

      const row = page.getByTestId('wb-agent-Anna Tamm');
      await row.getByTestId('wb-agent-listen').click({ timeout: 10_000 });
      await eventually(async () => (await level('wb-listen-agent')) > 0.02, 10_000, 'listening');
      await page.getByTestId('wb-listen-coach').click();
      const banner = agentPage.page.getByTestId('coach');
      await eventually(async () => (await banner.textContent()) === 'sue is coaching you — only you hear them', 10_000, 'the coach on the agent page');
      await eventually(async () => Math.abs((await agentPage.hearing(1)).peakHz - 440) < 15, 10_000, 'Anna hears Sue');
      expect(await page.getByTestId('wb-listen-coach').getAttribute('aria-pressed')).toBe('true');
      // the caller hears Anna's desk phone only
      rtp.clear();
      await eventually(() => rtp.received.length >= 8000, 5_000, 'a second of the call');
      expect(rtp.peak(1)).toBe(1000);
      expect(rtp.toneShare(1000)).toBeGreaterThan(0.7);
      await h.server.center.log.flush();
      const events = (await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body.events as Array<{ event: string; data: Record<string, unknown> }>;
      expect(events.filter((e) => e.event === 'COACH').map((e) => e.data.login)).toEqual(['sue']);
      expect((await h.api('POST', `/api/calls/${callId}/coach`, { sdp: 'v=0\r\n' }, sam)).status).toBe(429); // one coach a call
      // Anna talks on her desk phone: Sue cannot join the call (only the browser softphone mixes her in)
      const coachId = h.server.center.listens.coachOf(callId)!.id;
      expect(await h.api('PUT', `/api/calls/${callId}/coach/${encodeURIComponent(coachId)}`, { barge: true }, sue)).toMatchObject({
        status: 409, body: { message: 'the agent talks on a desk phone: only their browser softphone can bring you into the call' },
      });
      expect((await h.api('PUT', `/api/calls/${callId}/coach/${encodeURIComponent(coachId)}`, { barge: true }, sam)).status).toBe(403);
      expect((await h.api('PUT', `/api/calls/${callId}/coach/${encodeURIComponent(coachId)}`, { barge: 'yes' }, sue)).status).toBe(400);
      await eventually(async () => (await row.getByTestId('wb-agent-monitors').textContent()) === '(sue listening, sue coaching)', 5_000, 'the coach on the board');

      await page.getByTestId('wb-listen-coach').click(); // Stop talking to the agent
      await eventually(async () => banner.isHidden(), 10_000, 'the coach gone from the agent page');
      // Sue's stream has stopped on the agent page: no more audio comes in (the tap counts the frames it gets)
      await eventually(async () => {
        const before = (await agentPage.hearing(0.1)).frames;
        await new Promise((r) => setTimeout(r, 500));
        return (await agentPage.hearing(0.1)).frames === before;
      }, 10_000, 'Sue no longer heard');
      expect(h.server.center.listens.coachOf(callId)).toBeUndefined();
      inDialog(h, udp, ok, 'BYE');
      await eventually(() => h.server.center.activeCalls === 0, 10_000, 'the call to end');
    } finally {
      rtp.close();
      await agentPage.close();
    }
  }, 90_000);

  it('Join the call while coaching: the caller hears the supervisor too, mixed in by the agent\'s browser softphone; Leave goes back to whispering', async () => {
    const page = board!.page; // Sue's wall-board; her microphone plays 440 Hz
    await h.api('PUT', `/api/agents/${anna.id}/state`, { state: 'logged-out' }, h.admin); // (Anna's desk phone takes no more calls)
    const b = await createAgent(h, { login: 'bea', name: 'Bea Org', languages: { en: 5 } });
    const bea = await launchBrowser(makeTone(path.join(dir, 'tone-300.wav'), 300));
    const rtp = await RtpPeer.create();
    try {
      await agentPageReady(bea.page, h, 'bea', b.password);
      const ok = await rtpCall(h, udp, rtp, { to: 'support', ...caller });
      await eventually(async () => (await bea.page.getByTestId('answer').isEnabled()) || undefined, 15_000, 'Bea\'s softphone ringing');
      await bea.page.getByTestId('answer').click();
      const callId = await eventually(() => h.server.center.callOfAgent(String(b.id))?.id, 20_000, 'Bea connected');
      await eventually(() => rtp.toneShare(300) > 0.7, 10_000, 'the caller hears Bea');

      const row = page.getByTestId('wb-agent-Bea Org');
      await row.getByTestId('wb-agent-listen').click({ timeout: 10_000 });
      await eventually(async () => (await level('wb-listen-agent')) > 0.02, 10_000, 'listening');
      expect(await page.getByTestId('wb-listen-barge').isHidden()).toBe(true); // (only while talking to the agent)
      await page.getByTestId('wb-listen-coach').click();
      const banner = bea.page.getByTestId('coach');
      await eventually(async () => (await banner.textContent()) === 'sue is coaching you — only you hear them', 10_000, 'the coach on Bea\'s page');
      // whispering: the caller hears Bea only
      rtp.clear();
      await eventually(() => rtp.received.length >= 8000, 5_000, 'a second of the call');
      expect(rtp.toneShare(440)).toBeLessThan(0.05);
      expect(rtp.toneShare(300)).toBeGreaterThan(0.7);

      await page.getByTestId('wb-listen-barge').click();
      await eventually(async () => (await banner.textContent()) === 'sue joined the call — the caller hears them too', 10_000, 'Bea told Sue joined');
      await eventually(() => rtp.toneShare(440) > 0.2 && rtp.toneShare(300) > 0.2, 10_000, 'the caller hears Sue and Bea');
      expect(await page.getByTestId('wb-listen-barge').getAttribute('aria-pressed')).toBe('true');
      await eventually(async () => (await row.getByTestId('wb-agent-monitors').textContent()) === '(sue listening, sue in the call)', 5_000, 'the barge on the board');
      expect((await h.api('GET', '/api/wallboard', undefined, sam)).body.agents.find((a: { name: string }) => a.name === 'Bea Org')).toMatchObject({ coach: 'sue', barge: true });
      await h.server.center.log.flush();
      const events = (await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body.events as Array<{ event: string; data: Record<string, unknown> }>;
      expect(events.filter((e) => e.event === 'BARGE').map((e) => e.data.login)).toEqual(['sue']);

      // Bea mutes herself: the caller still hears Sue, and no longer Bea; unmuted, both again
      await bea.page.getByTestId('mute').click();
      await eventually(() => rtp.toneShare(440) > 0.7 && rtp.toneShare(300) < 0.05, 10_000, 'the caller hears only Sue while Bea is muted');
      await bea.page.getByTestId('mute').click();
      await eventually(() => rtp.toneShare(440) > 0.2 && rtp.toneShare(300) > 0.2, 10_000, 'both again');

      // Leave the call: whispering again, the caller hears Bea only
      await page.getByTestId('wb-listen-barge').click();
      await eventually(async () => (await banner.textContent()) === 'sue is coaching you — only you hear them', 10_000, 'whispering again');
      await eventually(() => rtp.toneShare(440) < 0.05 && rtp.toneShare(300) > 0.7, 10_000, 'the caller hears Bea only again');
      expect(h.server.center.listens.coachOf(callId)?.barge).toBe(false);
      // joined again, then the coach stops talking altogether: Bea's microphone alone goes to the caller
      await page.getByTestId('wb-listen-barge').click();
      await eventually(() => rtp.toneShare(440) > 0.2, 10_000, 'joined again');
      await page.getByTestId('wb-listen-coach').click();
      await eventually(async () => banner.isHidden(), 10_000, 'the coach gone from Bea\'s page');
      await eventually(() => rtp.toneShare(440) < 0.05 && rtp.toneShare(300) > 0.7, 10_000, 'the caller hears Bea only after the coach stopped');
      inDialog(h, udp, ok, 'BYE');
      await eventually(() => h.server.center.activeCalls === 0, 10_000, 'the call to end');
    } finally {
      rtp.close();
      await bea.close();
    }
  }, 120_000);
});
