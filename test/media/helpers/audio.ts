/** Audio measurement for the media tests: Goertzel power at chosen frequencies, and the strongest frequency. */

/** Power of `freq` in `samples` (Goertzel algorithm), normalised by the number of samples. */
export function goertzel(samples: ArrayLike<number>, rate: number, freq: number): number {
  const w = (2 * Math.PI * freq) / rate;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = (samples[i] ?? 0) + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / (samples.length * samples.length);
}

/** The frequency (10 Hz steps between 100 and 3800 Hz) with the most power. */
export function peakFrequency(samples: ArrayLike<number>, rate = 8000): number {
  let best = 0;
  let bestP = -1;
  for (let f = 100; f <= 3800; f += 10) {
    const p = goertzel(samples, rate, f);
    if (p > bestP) {
      bestP = p;
      best = f;
    }
  }
  return best;
}

export function rms(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** A 16-bit mono PCM WAV file holding a sine tone. */
export function toneWav(freq: number, seconds: number, rate = 8000, amplitude = 12000): Buffer {
  const n = Math.round(seconds * rate);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
