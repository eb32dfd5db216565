/**
 * Headless Chromium as a WebRTC phone (a real peer: ICE, DTLS-SRTP, Opus), its microphone fed from a WAV file.
 * Flags from ARCHITECTURE.md / recipes/test-peers.md section 4. One browser per fake microphone.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { toneWav } from './audio.ts';

const PAGE = `<!doctype html><meta charset="utf-8"><title>peer</title><script>
let pc, mic, remote;
async function setup() {
  mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  pc = new RTCPeerConnection();
  mic.getTracks().forEach((t) => pc.addTrack(t, mic));
  remote = new Promise((r) => (pc.ontrack = (e) => r(e.streams[0] || new MediaStream([e.track]))));
}
function gathered() {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
}
var ring = new Float32Array(48000), ringPos = 0, ringRate = 48000, frames = 0;
async function listen() {
  const stream = await remote;
  const el = new Audio(); el.srcObject = stream; await el.play();
  // raw decoded samples straight from the track (WebAudio's analyser kept showing stale spectra after a
  // stream paused and resumed), kept as the last second in a ring buffer
  const reader = new MediaStreamTrackProcessor({ track: stream.getAudioTracks()[0] }).readable.getReader();
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      ringRate = value.sampleRate;
      const n = value.numberOfFrames, buf = new Float32Array(n);
      value.copyTo(buf, { planeIndex: 0, format: 'f32-planar' });
      value.close();
      for (let i = 0; i < n; i++) { ring[ringPos] = buf[i]; ringPos = (ringPos + 1) % ring.length; }
      frames++;
    }
  })();
}
function spectrumPeak(seconds, ring = window.ring, ringPos = window.ringPos, ringRate = window.ringRate) {
  const len = Math.min(ring.length, Math.round(ringRate * seconds));
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) x[i] = ring[(ringPos - len + i + ring.length) % ring.length];
  let best = 0, bestP = -1, total = 0;
  for (let i = 0; i < len; i++) total += x[i] * x[i];
  for (let f = 100; f <= 3800; f += 5) {
    const w = (2 * Math.PI * f) / ringRate, c = 2 * Math.cos(w);
    let s1 = 0, s2 = 0;
    for (let i = 0; i < len; i++) { const s0 = x[i] + c * s1 - s2; s2 = s1; s1 = s0; }
    const p = s1 * s1 + s2 * s2 - c * s1 * s2;
    if (p > bestP) { bestP = p; best = f; }
  }
  const rms = Math.sqrt(total / Math.max(1, len));
  return { peakHz: best, rms, toneShare: rms > 0 ? Math.min(1, (2 * bestP) / (len * len) / (rms * rms)) : 0 };
}
window.api = {
  async offer() { await setup(); await pc.setLocalDescription(await pc.createOffer()); await gathered(); return pc.localDescription.sdp; },
  async accept(sdp) { await pc.setRemoteDescription({ type: 'answer', sdp }); listen(); },
  async answer(sdp) { await setup(); await pc.setRemoteDescription({ type: 'offer', sdp }); await pc.setLocalDescription(await pc.createAnswer()); await gathered(); listen(); return pc.localDescription.sdp; },
  async measure(ms) {
    await new Promise((r) => setTimeout(r, ms));
    const { peakHz, rms, toneShare } = spectrumPeak(Math.min(1, ms / 1000));
    const stats = [...(await pc.getStats()).values()];
    const inb = stats.find((s) => s.type === 'inbound-rtp' && s.kind === 'audio');
    const out = stats.find((s) => s.type === 'outbound-rtp' && s.kind === 'audio');
    const codec = inb && stats.find((s) => s.id === inb.codecId);
    return { peakHz, rms, toneShare, frames, packetsReceived: inb?.packetsReceived ?? 0, packetsSent: out?.packetsSent ?? 0,
      audioLevel: inb?.audioLevel ?? 0, codec: codec?.mimeType ?? '', state: pc.connectionState };
  },
  dtmf(tones) {
    const s = pc.getSenders().find((x) => x.track && x.track.kind === 'audio');
    if (!s || !s.dtmf || !s.dtmf.canInsertDTMF) return false;
    s.dtmf.insertDTMF(tones, 120, 80); return true;
  },
  close() { pc && pc.close(); },
  // a receive-only peer (no microphone) answering an offer of several audio streams, each kept apart
  async listenTo(sdp) {
    pc = new RTCPeerConnection();
    tracks = [];
    pc.ontrack = (e) => {
      const t = { samples: new Float32Array(48000), pos: 0, rate: 48000, frames: 0 };
      tracks.push(t);
      const el = new Audio(); el.srcObject = new MediaStream([e.track]); el.play();
      const reader = new MediaStreamTrackProcessor({ track: e.track }).readable.getReader();
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          t.rate = value.sampleRate;
          t.frames++;
          const buf = new Float32Array(value.numberOfFrames);
          value.copyTo(buf, { planeIndex: 0, format: 'f32-planar' });
          value.close();
          for (let i = 0; i < buf.length; i++) { t.samples[t.pos] = buf[i]; t.pos = (t.pos + 1) % t.samples.length; }
        }
      })();
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered();
    return pc.localDescription.sdp;
  },
  // per received stream: the strongest frequency and the level over the last ms milliseconds (after waiting that long)
  async streams(ms) {
    await new Promise((r) => setTimeout(r, ms));
    return tracks.map((t) => ({ ...spectrumPeak(Math.min(1, ms / 1000), t.samples, t.pos, t.rate), frames: t.frames, state: pc.connectionState }));
  },
};
let tracks = [];
</script>`;

export interface BrowserMeasure {
  /** strongest frequency (5 Hz steps) of the last min(1 s, ms) of decoded audio */
  peakHz: number;
  /** RMS of that audio (full scale = 1) */
  rms: number;
  /** share of the power at the peak frequency (1 = pure tone) */
  toneShare: number;
  frames: number;
  packetsReceived: number;
  packetsSent: number;
  audioLevel: number;
  codec: string;
  state: string;
}

export class BrowserPeer {
  private constructor(
    private readonly ctx: BrowserContext,
    readonly page: Page,
    private readonly server: http.Server,
    private readonly dir: string,
  ) {}

  /** Launches Chromium whose fake microphone plays a sine of `toneHz`. */
  static async launch(toneHz: number): Promise<BrowserPeer> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'media-chromium-'));
    const wav = path.join(dir, `tone-${toneHz}.wav`);
    writeFileSync(wav, toneWav(toneHz, 30, 48000, 16000));
    const server = http.createServer((_q, r) => {
      r.setHeader('content-type', 'text/html');
      r.end(PAGE);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const args = [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`, '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns', '--autoplay-policy=no-user-gesture-required',
    ];
    let ctx: BrowserContext;
    try {
      ctx = await chromium.launchPersistentContext(path.join(dir, 'profile'), { executablePath: '/usr/bin/chromium', headless: true, args });
    } catch (err) {
      server.close();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const addr = server.address() as { port: number };
    await page.goto(`http://127.0.0.1:${addr.port}/`);
    return new BrowserPeer(ctx, page, server, dir);
  }

  offer(): Promise<string> {
    return this.page.evaluate(() => (window as any).api.offer());
  }
  accept(sdp: string): Promise<void> {
    return this.page.evaluate((s) => (window as any).api.accept(s), sdp);
  }
  answer(offerSdp: string): Promise<string> {
    return this.page.evaluate((s) => (window as any).api.answer(s), offerSdp);
  }
  measure(ms: number): Promise<BrowserMeasure> {
    return this.page.evaluate((t) => (window as any).api.measure(t), ms);
  }
  /** Answers an offer of receive-only streams (a listener: no microphone); see streams(). */
  listenTo(offerSdp: string): Promise<string> {
    return this.page.evaluate((s) => (window as any).api.listenTo(s), offerSdp);
  }
  /** After `ms`, the peak frequency, level and tone share of each stream listenTo() receives, in SDP order. */
  streams(ms: number): Promise<Array<Pick<BrowserMeasure, 'peakHz' | 'rms' | 'toneShare' | 'frames' | 'state'>>> {
    return this.page.evaluate((t) => (window as any).api.streams(t), ms);
  }
  dtmf(tones: string): Promise<boolean> {
    return this.page.evaluate((t) => (window as any).api.dtmf(t), tones);
  }

  async close(): Promise<void> {
    await this.page.evaluate(() => (window as any).api.close()).catch(() => undefined);
    await this.ctx.close().catch(() => undefined);
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
