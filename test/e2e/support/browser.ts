/**
 * Headless Chromium (Debian's) driven by playwright-core, as the customer's or the agent's browser: its microphone
 * is a WAV tone, and an init script taps every remote audio track a page's RTCPeerConnection receives so the test
 * can measure what the person would hear (strongest frequency and level over the last seconds).
 */
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';

const TAP = `(() => {
  const Native = window.RTCPeerConnection;
  const ring = new Float32Array(48000 * 3);
  let pos = 0, rate = 48000, frames = 0;
  async function pump(track) {
    const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      rate = value.sampleRate;
      const n = value.numberOfFrames, buf = new Float32Array(n);
      value.copyTo(buf, { planeIndex: 0, format: 'f32-planar' });
      value.close();
      for (let i = 0; i < n; i++) { ring[pos] = buf[i]; pos = (pos + 1) % ring.length; }
      frames += n;
    }
  }
  class Tapped extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('track', (e) => { if (e.track.kind === 'audio') pump(e.track); });
    }
  }
  window.RTCPeerConnection = Tapped;
  window.__audio = {
    frames: () => frames,
    measure(seconds) {
      const len = Math.min(ring.length, Math.round(rate * seconds));
      const x = new Float32Array(len);
      for (let i = 0; i < len; i++) x[i] = ring[(pos - len + i + ring.length) % ring.length];
      let total = 0;
      for (let i = 0; i < len; i++) total += x[i] * x[i];
      let best = 0, bestP = -1;
      for (let f = 100; f <= 3800; f += 5) {
        const w = (2 * Math.PI * f) / rate, c = 2 * Math.cos(w);
        let s1 = 0, s2 = 0;
        for (let i = 0; i < len; i++) { const s0 = x[i] + c * s1 - s2; s2 = s1; s1 = s0; }
        const p = s1 * s1 + s2 * s2 - c * s1 * s2;
        if (p > bestP) { bestP = p; best = f; }
      }
      return { peakHz: best, rms: Math.sqrt(total / Math.max(1, len)), frames };
    },
  };
})();`;

export interface TestBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** What the page has been hearing over the last `seconds`: strongest frequency and RMS level (0..1). */
  hearing(seconds?: number): Promise<{ peakHz: number; rms: number; frames: number }>;
  close(): Promise<void>;
}

export async function launchBrowser(toneWav: string): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${toneWav}`, '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns', '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const context = await browser.newContext({ permissions: ['microphone'] });
  await context.addInitScript(TAP);
  const page = await context.newPage();
  return {
    browser,
    context,
    page,
    hearing: (seconds = 1) => page.evaluate((s) => (window as any).__audio.measure(s), seconds),
    async close() {
      await browser.close().catch(() => {});
    },
  };
}
