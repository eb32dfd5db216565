import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWav } from '../media/helpers/audio.ts';
import { RtpPeer } from '../media/helpers/rtp-peer.ts';
import { RawUdp } from '../sip/helpers.ts';
import type { BaresipPhone } from '../support/baresip.ts';
import { ADMIN_PASSWORD, type Harness, consoleBrowser, createAgent, deskPhone, eventually, signInBoard, startCallCenter } from './support/harness.ts';
import { inDialog, inviteQueue, rtpCall } from './support/queue-invite.ts';

/**
 * IVR menus end to end: a phone (raw SIP over UDP, with a real RTP peer for its audio and RFC 4733 keys, or SIP INFO
 * keys) dials a menu by name; the server speaks the menu (espeak-ng through our rtpengine), takes the keys and puts
 * the call in the queue they chose, in the language they chose, or hangs up as the menu says.
 */
describe('IVR menus', () => {
  let h: Harness;
  let caller: { user: string; password: string };
  let dir: string;
  let tiina: { token: string; phone: BaresipPhone | undefined };
  const queues: Record<string, number> = {};
  const menus: Record<string, number> = {};

  const call = async (callId: string) => {
    await h.server.center.log.flush();
    return (await h.api('GET', `/api/calls/${callId}`, undefined, h.admin)).body as {
      state: string; endReason: string | null; queueId: number | null; language: string | null; context: Record<string, unknown>; events: Array<{ event: string }>;
    };
  };
  /** The call record of the newest call (the one just dialled). */
  const newest = async () => {
    await h.server.center.log.flush();
    return ((await h.api('GET', '/api/calls?limit=1', undefined, h.admin)).body.items as Array<{ id: string }>)[0]!.id;
  };
  const menu = async (body: Record<string, unknown>) => {
    const r = await h.api('POST', '/api/ivr-menus', body, h.admin);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };

  beforeAll(async () => {
    h = await startCallCenter({ rtpPortMin: 45800, rtpPortMax: 45899 });
    // a phone of the shop's own (SIP credentials of an agent account): the caller
    const kiosk = await createAgent(h, { login: 'kiosk', name: 'Kiosk', languages: {}, skills: {}, sipUser: '3001' });
    caller = { user: '3001', password: kiosk.sipPassword };
    // an agent who speaks Estonian, on a desk phone that answers by itself, not ready yet
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-ivr-'));
    const t = await createAgent(h, { login: 'tiina', name: 'Tiina', languages: { et: 5 }, skills: {}, sipUser: '1301' });
    tiina = { token: await h.login('tiina', t.password), phone: undefined };
    tiina.phone = await deskPhone(h, dir, { user: '1301', password: t.sipPassword, port: 5722, tone: 1000, answer: 'auto' });
    for (const [name, language] of [['sales', 'en'], ['tugi', 'et']] as const) {
      const r = await h.api('POST', '/api/queues', { name, language, skills: {} }, h.admin);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      queues[name] = r.body.id;
    }
    menus.main = await menu({
      name: 'main',
      language: 'en',
      prompt: { en: 'For sales, press 1. For support, press 2. To end the call, press 9.', et: 'Müük, vajutage 1. Tugi, vajutage 2.' },
      options: [
        { digit: '1', label: 'sales', language: null, action: { type: 'queue', queueId: queues.sales } },
        { digit: '2', label: 'support', language: null, action: { type: 'queue', queueId: queues.tugi } },
        { digit: '9', label: 'goodbye', language: null, action: { type: 'hangup' } },
      ],
      timeoutSeconds: 1,
      maxAttempts: 2,
    });
    menus.welcome = await menu({
      name: 'welcome',
      language: 'en',
      prompt: { en: 'For English, press 1. Eesti keeles, vajutage 2.' },
      options: [
        { digit: '1', label: 'English', language: 'en', action: { type: 'menu', menuId: menus.main } },
        { digit: '2', label: 'eesti', language: 'et', action: { type: 'menu', menuId: menus.main } },
      ],
    });
    menus.closed = await menu({
      name: 'night',
      language: 'en',
      prompt: { en: 'This is never heard.' },
      // never open: no day has hours
      openingHours: { timeZone: 'Europe/Tallinn', days: {} },
      closedPrompt: { en: 'We are closed. Please call again tomorrow.' },
    });
  }, 120_000);

  afterAll(async () => {
    await tiina?.phone?.stop();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('speaks the language choice, takes RFC 4733 keys, and queues the call where the keys chose, in that language', async () => {
    const udp = await new RawUdp().open();
    const rtp = await RtpPeer.create();
    try {
      const ok = await rtpCall(h, udp, rtp, { to: 'welcome', ...caller });
      const callId = await newest();
      expect(await call(callId)).toMatchObject({ state: 'ivr', queueId: null });
      // the prompt: speech, not silence
      await eventually(() => rtp.received.length > 8000 && rtp.level(1) > 500, 10_000, 'the menu prompt to be heard');
      // "eesti keeles": 2, in the middle of the prompt (it stops); then the main menu speaks Estonian: 2 for support
      await rtp.sendDtmf(2);
      await new Promise((r) => setTimeout(r, 1500));
      await rtp.sendDtmf(2);
      const queued = await eventually(async () => {
        const c = await call(callId);
        return c.state === 'queued' ? c : undefined;
      }, 15_000, 'the call to be queued');
      expect(queued).toMatchObject({ queueId: queues.tugi, language: 'et', context: { ivr: ['welcome', 'main'] } });
      expect(queued.events.map((e) => e.event)).toEqual(['ENTERQUEUE']);
      expect(h.server.center.acd.engine.callInfo(callId)).toMatchObject({ queueId: String(queues.tugi), state: 'waiting' });
      // Tiina gets ready: the call is hers, and her desktop shows the menus the caller went through
      const desk = new WebSocket(`${h.baseUrl.replace('http', 'ws')}/ws/agent?token=${tiina.token}`);
      const told: Array<{ type: string; context?: Record<string, unknown> }> = [];
      desk.on('message', (m) => told.push(JSON.parse(String(m))));
      await new Promise((r) => desk.once('open', r));
      expect((await h.api('PUT', '/api/agent/state', { state: 'ready' }, tiina.token)).status).toBe(200);
      await tiina.phone!.waitEvent('CALL_ESTABLISHED', 20_000);
      expect(told.find((m) => m.type === 'offer')?.context).toMatchObject({ queue: 'tugi', language: 'et', ivr: ['welcome', 'main'], caller: `sip:3001@${h.realm}` });
      desk.close();
      // (her phone answered; the server puts the call through once the media is bridged: hang up after that)
      await eventually(async () => (await call(callId)).events.some((e) => e.event === 'CONNECT') || undefined, 15_000, 'the call put through');
      inDialog(h, udp, ok, 'BYE');
      await eventually(async () => (await call(callId)).state === 'ended', 10_000, 'the call to end');
      expect((await call(callId)).events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'OFFER', 'CONNECT', 'COMPLETECALLER']);
      // (she takes no more calls: the next tests want callers who wait)
      expect((await h.api('PUT', '/api/agent/state', { state: 'logged-out' }, tiina.token)).status).toBe(200);
    } finally {
      rtp.close();
      udp.close();
    }
  }, 60_000);

  it('takes SIP INFO keys too: 9 hangs up, and no key twice takes the default (here: hang up)', async () => {
    const udp = await new RawUdp().open();
    try {
      const ok = await inviteQueue(h, udp, { to: 'main', ...caller });
      inDialog(h, udp, ok, 'ACK');
      const callId = await newest();
      inDialog(h, udp, ok, 'INFO', { digit: '9' });
      const bye = await udp.take((m) => 'method' in m && m.method === 'BYE' && m.callId === ok.callId, 10_000);
      expect(bye.callId).toBe(ok.callId);
      await eventually(async () => (await call(callId)).state === 'ended', 10_000, 'the record to end');
      expect(await call(callId)).toMatchObject({ endReason: 'ivr-option', queueId: null, events: [] });

      const ok2 = await inviteQueue(h, udp, { to: 'main', ...caller });
      inDialog(h, udp, ok2, 'ACK');
      const silent = await newest();
      const started = Date.now();
      await udp.take((m) => 'method' in m && m.method === 'BYE' && m.callId === ok2.callId, 30_000);
      // two prompts of some 4 s each and two timeouts of 1 s
      expect(Date.now() - started).toBeGreaterThan(5000);
      await eventually(async () => (await call(silent)).state === 'ended', 10_000, 'the record to end');
      expect(await call(silent)).toMatchObject({ endReason: 'ivr-no-choice', events: [] });
    } finally {
      udp.close();
    }
  }, 60_000);

  it('outside its hours a menu says it is closed and hangs up; a caller in a menu is on the wall-board; one who leaves has not abandoned a queue', async () => {
    const udp = await new RawUdp().open();
    const rtp = await RtpPeer.create();
    const browser = await consoleBrowser();
    try {
      const ok = await rtpCall(h, udp, rtp, { to: 'night', ...caller });
      const callId = await newest();
      await udp.take((m) => 'method' in m && m.method === 'BYE' && m.callId === ok.callId, 20_000);
      // what it said was speech (the closed prompt), some seconds of it
      expect(rtp.received.length).toBeGreaterThan(8000 * 2);
      await eventually(async () => (await call(callId)).state === 'ended', 10_000, 'the record to end');
      expect(await call(callId)).toMatchObject({ endReason: 'ivr-closed', events: [] });

      const ok2 = await inviteQueue(h, udp, { to: 'welcome', ...caller });
      inDialog(h, udp, ok2, 'ACK');
      const left = await newest();
      await eventually(async () => (await call(left)).state === 'ivr', 10_000, 'the call in the menu');
      // the supervisors see the caller in the menus, over REST and on the wall-board page
      await new Promise((r) => setTimeout(r, 1100));
      const board = (await h.api('GET', '/api/wallboard', undefined, h.admin)).body;
      expect(board.ivr).toMatchObject({ calls: 1, menus: [{ name: 'welcome', calls: 1 }] });
      expect(board.ivr.longestSeconds).toBeGreaterThanOrEqual(1);
      expect(board.totals.waiting).toBe(0);
      const page = browser.page;
      await signInBoard(page, h, 'admin', ADMIN_PASSWORD);
      const ivrFigure = page.getByTestId('wb-total-ivr');
      await eventually(async () => (await ivrFigure.textContent()) === '1 (welcome 1)', 10_000, 'the caller in the menu on the wall-board');
      inDialog(h, udp, ok2, 'BYE');
      await eventually(async () => (await call(left)).state === 'ended', 10_000, 'the record to end');
      expect(await call(left)).toMatchObject({ endReason: 'ivr-caller-left', queueId: null, events: [] });
      await eventually(async () => (await ivrFigure.textContent()) === '0', 10_000, 'no caller in the menus on the wall-board');
      expect((await h.api('GET', '/api/wallboard', undefined, h.admin)).body.ivr).toEqual({ calls: 0, longestSeconds: null, menus: [] });
    } finally {
      await browser.close();
      rtp.close();
      udp.close();
    }
  }, 60_000);

  it('a menu prompt "@<name>" plays the recording an admin uploaded under that name', async () => {
    const up = await fetch(`${h.baseUrl}/api/prompts/en/menu-tone`, { method: 'PUT', headers: { authorization: `Bearer ${h.admin}`, 'content-type': 'audio/wav' }, body: new Uint8Array(toneWav(1000, 4)) });
    expect(up.status, await up.text()).toBe(204);
    await menu({ name: 'recorded', language: 'en', prompt: { en: '@menu-tone' }, options: [{ digit: '1', label: 'sales', language: null, action: { type: 'queue', queueId: queues.sales } }] });
    const udp = await new RawUdp().open();
    const rtp = await RtpPeer.create();
    try {
      const ok = await rtpCall(h, udp, rtp, { to: 'recorded', ...caller });
      // the recording's 1 kHz, not speech
      await eventually(() => rtp.received.length > 8000 && rtp.toneShare(1000, 1) > 0.8, 10_000, 'the recorded prompt to be heard');
      inDialog(h, udp, ok, 'BYE');
    } finally {
      rtp.close();
      udp.close();
    }
  }, 30_000);

  // (the same way out as a menu's hang-up: the server ends the caller's leg, which is not the caller hanging up)
  it('a queue whose max wait overflows to hang up says all agents are busy and ends the call: an overflow, not an abandon', async () => {
    const q = await h.api('POST', '/api/queues', { name: 'brief', skills: {}, maxWaitSeconds: 1, overflow: { action: 'hangup' } }, h.admin);
    expect(q.status, JSON.stringify(q.body)).toBe(201);
    const udp = await new RawUdp().open();
    try {
      const ok = await inviteQueue(h, udp, { to: 'brief', ...caller });
      inDialog(h, udp, ok, 'ACK');
      const callId = await newest();
      await udp.take((m) => 'method' in m && m.method === 'BYE' && m.callId === ok.callId, 20_000);
      await eventually(async () => (await call(callId)).state === 'ended', 10_000, 'the record to end');
      const ended = await call(callId);
      expect(ended.endReason).toBe('overflow-hangup');
      expect(ended.events.map((e) => e.event)).toEqual(['ENTERQUEUE', 'EXITWITHTIMEOUT']);
    } finally {
      udp.close();
    }
  }, 30_000);

  it('names what it cannot find: a number that is neither a queue nor a menu', async () => {
    const udp = await new RawUdp().open();
    try {
      const r = await inviteQueue(h, udp, { to: 'nobody-here', ...caller });
      expect(r.status).toBe(404);
      expect(r.reason).toBe('Not Found: no queue or IVR menu named "nobody-here"');
    } finally {
      udp.close();
    }
  });
});
