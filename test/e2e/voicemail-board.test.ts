import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../media/prompts.ts';
import { peakFrequency } from '../media/helpers/audio.ts';
import { RawUdp } from '../sip/helpers.ts';
import { makeTone } from '../support/baresip.ts';
import { messagesFor } from '../../web-softphone/widget/i18n.ts';
import { type TestBrowser, launchBrowser } from './support/browser.ts';
import { type Harness, createAgent, eventually, startCallCenter, signInBoard, supervisorToken } from './support/harness.ts';
import { leaveVoicemail } from './support/queue-invite.ts';

const customerState = (page: Page): Promise<string | undefined> => page.evaluate(() => window.CallflowWidget?.state);

/**
 * Voicemail in the browsers: a phone caller (raw UDP signalling, RTP from this process) leaves a message in a queue
 * that overflows to voicemail; Sue's wall-board in Chromium counts it on the queue and lists it without a reload,
 * plays it in a visible player, marks it done (gone from the list and the count), finds it under Show done, makes it
 * new again and deletes it. Then a browser caller on the demo shop is told in the widget, in Estonian, to leave a
 * message after the tone, hangs up with the widget's button, and the message is stored (and listed on the board).
 */
describe('voicemail on the wall-board and in the widget', () => {
  let h: Harness;
  let dir: string;
  let udp: RawUdp;
  let board: TestBrowser | undefined;
  let customer: TestBrowser | undefined;
  let caller: { user: string; password: string };
  let sue: string;
  const queueIds: Record<string, number> = {};

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'e2e-voicemail-board-'));
    h = await startCallCenter({ rtpPortMin: 46700, rtpPortMax: 46799 });
    // phone callers dial after-hours; the demo shop's widget calls support: both send callers to voicemail after 1 s
    for (const name of ['after-hours', 'support']) {
      const q = await h.api('POST', '/api/queues', { name, skills: {}, maxWaitSeconds: 1, overflow: { action: 'voicemail' } }, h.admin);
      expect(q.status, JSON.stringify(q.body)).toBe(201);
      queueIds[name] = q.body.id;
    }
    // a desk phone's SIP account dials the queue as a phone caller does (its agent never logs in)
    const c = await createAgent(h, { login: 'carl', name: 'Carl', languages: { en: 5 }, skills: {}, sipUser: '1711' });
    caller = { user: '1711', password: c.sipPassword };
    sue = await supervisorToken(h);
    udp = await new RawUdp().open();
  }, 120_000);

  afterAll(async () => {
    await customer?.close();
    await board?.close();
    udp?.close();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const voicemails = async (state: 'new' | 'done' | 'all' = 'new') => {
    const r = await h.api('GET', `/api/voicemails?state=${state}`, undefined, sue);
    expect(r.status).toBe(200);
    return r.body as { total: number; items: Array<{ id: number; callId: string; queueId: number; caller: string; seconds: number; createdAt: string }> };
  };
  /** The strongest frequency of a stored message's audio. */
  const audioPeak = async (id: number) => {
    const r = await fetch(`${h.baseUrl}/api/voicemails/${id}/audio`, { headers: { authorization: `Bearer ${sue}` } });
    const pcm = parseWav(Buffer.from(await r.arrayBuffer()))!;
    return peakFrequency(new Int16Array(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.length / 2));
  };

  it('the board counts and lists a new voicemail; Play plays it; Done, Show done, New again and Delete', async () => {
    board = await launchBrowser(makeTone(path.join(dir, 'tone-440.wav'), 440));
    const page = board.page;
    page.on('pageerror', (e) => console.error('[wall-board page]', e));
    await signInBoard(page, h, 'sue', 'sue-password-1');
    const count = page.getByTestId('wb-queue-after-hours').getByTestId('wb-queue-voicemails');
    await eventually(async () => (await count.textContent()) === '0', 10_000, 'no voicemail on the queue');
    const section = page.getByTestId('wb-voicemail');
    await eventually(async () => (await section.getByTestId('wb-voicemail-none').textContent()) === 'No new voicemail.', 10_000, 'the empty list');
    expect(await page.getByTestId('wb-voicemail-audio').isHidden()).toBe(true); // (no player before a Play)

    // a phone caller hears the prompt and the tone, says 600 Hz for 2 s and hangs up
    await leaveVoicemail(h, udp, { to: 'after-hours', ...caller, hz: 600, seconds: 2 });
    const v = (await eventually(async () => (await voicemails()).items[0], 10_000, 'the message stored'))!;
    expect(v).toMatchObject({ queueId: queueIds['after-hours'], caller: expect.stringContaining('1711') });

    // the board: the queue's count, and the row in the Voicemail section (pushed: nobody reloads the page)
    await eventually(async () => (await count.textContent()) === '1', 15_000, 'the count on the queue');
    expect(await page.getByTestId('wb-queue-support').getByTestId('wb-queue-voicemails').textContent()).toBe('0');
    const row = section.getByTestId(`wb-voicemail-row-${v.id}`);
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await section.getByTestId('wb-voicemail-count').textContent()).toBe('(1 new)');
    expect(await row.getByTestId('wb-voicemail-queue').textContent()).toBe('after-hours');
    expect(await row.getByTestId('wb-voicemail-caller').textContent()).toBe('1711');
    expect(await row.getByTestId('wb-voicemail-seconds').textContent()).toBe(`${Math.round(v.seconds)} s`);
    const localTime = await page.evaluate((iso) => new Date(iso).toLocaleString(), v.createdAt);
    expect(await row.getByTestId('wb-voicemail-when').textContent()).toBe(localTime);

    // Play: the audio comes with Sue's token and plays in a visible player with controls
    await row.getByTestId('wb-voicemail-play').click();
    const audio = page.getByTestId('wb-voicemail-audio');
    const player = () => audio.evaluate((a: HTMLAudioElement) => ({ paused: a.paused, at: a.currentTime, duration: a.duration, controls: a.controls, src: a.src }));
    await eventually(async () => (await player()).at > 0.3, 10_000, 'the voicemail playing');
    const playing = await player();
    expect(playing).toMatchObject({ paused: false, controls: true, src: expect.stringMatching(/^blob:/) });
    expect(playing.duration).toBeCloseTo(v.seconds, 0);
    expect(await audio.isVisible()).toBe(true);
    expect(await page.getByTestId('wb-voicemail-playing').textContent()).toBe(`after-hours · 1711 · ${localTime}`);
    expect(await page.getByTestId('wb-error').isHidden()).toBe(true);

    // Done: the row leaves the list at once, the queue's count drops with the next views
    await row.getByTestId('wb-voicemail-done').click();
    await row.waitFor({ state: 'detached', timeout: 5_000 });
    expect((await voicemails()).total).toBe(0);
    await eventually(async () => (await count.textContent()) === '0', 15_000, 'the count to drop');
    expect(await section.getByTestId('wb-voicemail-none').isVisible()).toBe(true);

    // Show done: it is there, with New again (back among the new ones)
    const toggle = page.getByTestId('wb-voicemail-show-done');
    await toggle.click();
    await row.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await toggle.textContent()).toBe('Show new');
    expect(await row.getByTestId('wb-voicemail-done').count()).toBe(0);
    await row.getByTestId('wb-voicemail-undo').click();
    await row.waitFor({ state: 'detached', timeout: 5_000 });
    expect((await voicemails()).items.map((i) => i.id)).toEqual([v.id]);
    await toggle.click();
    await row.waitFor({ state: 'visible', timeout: 5_000 });
    await eventually(async () => (await count.textContent()) === '1', 15_000, 'counted again');

    // Delete (nothing asked): gone from the list and from the server; the player let it go
    await row.getByTestId('wb-voicemail-delete').click();
    await row.waitFor({ state: 'detached', timeout: 5_000 });
    expect((await voicemails('all')).total).toBe(0);
    expect(await audio.isHidden()).toBe(true);
    await eventually(async () => (await count.textContent()) === '0', 15_000, 'the count after Delete');
    expect(await page.getByTestId('wb-error').isHidden()).toBe(true);
  }, 90_000);

  it("a browser caller is told in the widget to leave a message after the tone, hangs up with the widget's button, and the message is kept", async () => {
    customer = await launchBrowser(makeTone(path.join(dir, 'tone-500.wav'), 500));
    const cp = customer.page;
    const before = (await voicemails('all')).total;
    await cp.goto(`${h.baseUrl}/demo/`);
    await cp.getByTestId('cf-call-button').click();
    await cp.getByTestId('cf-language').selectOption('et');
    await cp.getByTestId('cf-start').click();
    const status = cp.getByTestId('cf-status');
    await eventually(async () => (await status.textContent()) === messagesFor('et').voicemail, 20_000, 'the voicemail words, in Estonian');
    expect((await status.textContent())!).toBe('Praegu ei saa keegi teie kõnele vastata. Palun jätke pärast helisignaali sõnum ja lõpetage seejärel kõne.');
    const toldAt = Date.now();
    expect(await customerState(cp)).toBe('queued');
    expect(await cp.getByTestId('cf-position').isVisible()).toBe(false);
    expect(await cp.getByTestId('cf-hold-music').evaluate((a: HTMLAudioElement) => a.paused)).toBe(true);
    expect(await cp.getByTestId('cf-hangup').isVisible()).toBe(true);

    // the server's "all agents are busy", "please leave your message after the tone", then the 1 kHz tone: the
    // customer hears the tone (looked for only near its time: a word of the prompts might peak near 1 kHz too)
    const seconds = (name: string) => {
      const pcm = parseWav(readFileSync(path.join(h.dataDir, 'prompts', 'et', `${name}.wav`)))!;
      return pcm.samples.length / 2 / pcm.rate;
    };
    const toneDue = toldAt + (seconds('all-agents-busy') + seconds('leave-message')) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, toneDue - 1500 - Date.now())));
    await eventually(async () => {
      const heard = await customer!.hearing(0.3);
      return Math.abs(heard.peakHz - 1000) < 20 && heard.rms > 0.01;
    }, 10_000, 'the tone in the widget');
    // the message: the customer's microphone (500 Hz) for about 2.5 s, then the widget's Hang up
    await new Promise((r) => setTimeout(r, 2500));
    await cp.getByTestId('cf-hangup').click();
    await eventually(async () => (await customerState(cp)) === 'ended', 10_000, 'the call ended in the widget');
    expect(await status.textContent()).toBe(messagesFor('et').messageLeft);

    await eventually(async () => (await voicemails('all')).total === before + 1, 10_000, 'the message stored');
    const v = (await voicemails()).items[0]!;
    expect(v).toMatchObject({ queueId: queueIds.support, caller: 'web' });
    expect(v.seconds).toBeGreaterThan(1.5);
    expect(v.seconds).toBeLessThan(6);
    expect(Math.abs((await audioPeak(v.id)) - 500)).toBeLessThanOrEqual(10);
    await h.server.center.log.flush();
    const call = (await h.api('GET', `/api/calls/${v.callId}`, undefined, sue)).body;
    expect(call).toMatchObject({ channel: 'webrtc', language: 'et', endReason: 'voicemail' });

    // Sue's board (still open) lists it too, on the support queue, from a browser
    const page = board!.page;
    const row = page.getByTestId(`wb-voicemail-row-${v.id}`);
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await row.getByTestId('wb-voicemail-queue').textContent()).toBe('support');
    expect(await row.getByTestId('wb-voicemail-caller').textContent()).toBe('browser');
    await eventually(async () => (await page.getByTestId('wb-queue-support').getByTestId('wb-queue-voicemails').textContent()) === '1', 15_000, 'counted on support');
  }, 90_000);
});
