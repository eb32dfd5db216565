/**
 * Voicemail recording on the real rtpengine: what a caller says (a phone's PCMU, a browser's Opus) arrives at our
 * recorder as PCMU and comes out as a WAV file holding the caller's tone, for as long as they spoke, while prompts
 * may play to them; the maximum length stops it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MediaSession } from '../../media/index.ts';
import { parseWav } from '../../media/prompts.ts';
import { peakFrequency, rms } from './helpers/audio.ts';
import { BrowserPeer } from './helpers/browser-peer.ts';
import { RtpPeer } from './helpers/rtp-peer.ts';
import { startTestMedia, waitFor, type TestMedia } from './helpers/env.ts';

let media: TestMedia;
const peers: RtpPeer[] = [];
const sessions: MediaSession[] = [];
let browser: BrowserPeer | undefined;
let n = 0;

beforeAll(async () => {
  media = await startTestMedia(43200, 43299);
});
afterAll(async () => {
  await media?.cleanup();
});
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  for (const p of peers.splice(0)) p.close();
  for (const s of sessions.splice(0)) await s.close();
});

function session(): MediaSession {
  const s = media.engine.createSession(`vm-${process.pid}-${++n}`);
  sessions.push(s);
  return s;
}
function samplesOf(wav: Buffer): Int16Array {
  const pcm = parseWav(wav)!;
  expect(pcm.rate).toBe(8000);
  return new Int16Array(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.length / 2);
}

describe('recording a caller (voicemail)', () => {
  it('records a phone caller\'s PCMU while a prompt plays to them, and only from the start of the recording', async () => {
    const caller = await RtpPeer.create();
    peers.push(caller);
    const s = session();
    caller.useRemote(await s.answerCustomer(caller.sdp(['PCMU'])));
    caller.startTone(500);
    await new Promise((r) => setTimeout(r, 500));
    const rec = await s.recordCustomer(60);
    caller.startTone(700); // (what was said before the recording started is not in it)
    void s.playPrompts(['all-agents-busy'], 'en');
    await waitFor(() => rec.seconds >= 2, 8000, 'two seconds recorded');
    const { wav, seconds } = await rec.stop();
    expect(seconds).toBeGreaterThanOrEqual(2);
    expect(seconds).toBeLessThan(4);
    const x = samplesOf(wav);
    expect(x.length).toBe(Math.round(seconds * 8000));
    const tail = x.subarray(x.length - 8000);
    expect(peakFrequency(tail)).toBe(700);
    expect(rms(tail)).toBeGreaterThan(1000);
    // the caller heard the prompt meanwhile
    await waitFor(() => caller.level(0.5) > 100, 5000, 'the caller hears the prompt');
  });

  it('records a browser caller (Opus transcoded to PCMU) and stops at its maximum length', async () => {
    browser = await BrowserPeer.launch(900);
    const s = session();
    await browser.accept(await s.answerCustomer(await browser.offer()));
    await browser.measure(800);
    const rec = await s.recordCustomer(1.5);
    let full = false;
    rec.on('full', () => (full = true));
    await waitFor(() => full, 8000, 'the maximum length');
    const { wav, seconds } = await rec.stop();
    expect(seconds).toBe(1.5);
    const x = samplesOf(wav);
    expect(x.length).toBe(12000);
    expect(peakFrequency(x.subarray(4000))).toBe(900);
    expect((await rec.stop()).seconds).toBe(1.5); // safe twice
  });

  it('records a connected call in stereo, the customer left and the agent right, lined up', async () => {
    const caller = await RtpPeer.create();
    const agent = await RtpPeer.create();
    peers.push(caller, agent);
    const s = session();
    caller.useRemote(await s.answerCustomer(caller.sdp(['PCMU'])));
    await s.answerFromAgent(agent.answerFor(await s.offerToAgent({ kind: 'rtp' }), 'PCMU'));
    caller.startTone(600);
    agent.startTone(900);
    const rec = await s.recordCall(60);
    await waitFor(() => rec.seconds >= 2, 8000, 'two seconds recorded');
    await expect(s.recordCustomer(10)).rejects.toMatchObject({ code: 'MEDIA_ERR_WRONG_ORDER' }); // (a voicemail is for a caller nobody talks with)
    const { wav, seconds } = await rec.stop();
    const pcm = parseWav(wav);
    expect(pcm).toBeUndefined(); // (parseWav reads mono only: this one is stereo)
    expect(wav.readUInt16LE(22)).toBe(2);
    const all = new Int16Array(wav.buffer, wav.byteOffset + 44, (wav.length - 44) / 2);
    const left = all.filter((_, i) => i % 2 === 0);
    const right = all.filter((_, i) => i % 2 === 1);
    expect(left.length / 8000).toBeCloseTo(seconds, 2);
    expect(peakFrequency(left.subarray(-8000))).toBe(600);
    expect(peakFrequency(right.subarray(-8000))).toBe(900);
    expect(rms(left.subarray(-8000))).toBeGreaterThan(1000);
    expect(rms(right.subarray(-8000))).toBeGreaterThan(1000);
    // both parties still hear each other
    await waitFor(() => caller.peak(1) === 900 && agent.peak(1) === 600, 8000, 'the call goes on');
  });
});
