import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bdecode, bencode } from '../../media/bencode.ts';
import { alawToLinear, linearToAlaw, linearToMulaw, mulawToLinear } from '../../media/g711.ts';
import { parseRtpengineUrl } from '../../media/media-engine.ts';
import { PromptStore, parseWav } from '../../media/prompts.ts';
import { CallRecording } from '../../media/recording.ts';
import dgram from 'node:dgram';
import { keepPayloadTypes, parseAudio, sinkAnswer } from '../../media/sdp.ts';
import { toneWav } from './helpers/audio.ts';

describe('bencode', () => {
  it('encodes dictionaries with sorted keys as the ng protocol expects', () => {
    expect(bencode({ command: 'ping' }).toString()).toBe('d7:command4:pinge');
    expect(bencode({ z: 1, a: ['x', 2], sdp: 'v=0' }).toString()).toBe('d1:al1:xi2ee3:sdp3:v=01:zi1ee');
  });
  it('decodes what it encodes, for any nesting of strings, integers, lists and dictionaries', () => {
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer().map((n) => (n === 0 ? 0 : n)), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string().filter((k) => k !== '__proto__'), tie('v'), { maxKeys: 4 })),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(bdecode(bencode(v as never)).value).toEqual(v);
      }),
    );
  });
  it('rejects truncated input', () => {
    expect(() => bdecode(Buffer.from('d7:command4:pin'))).toThrow(SyntaxError);
  });
});

describe('G.711', () => {
  it('μ-law and A-law round trips stay within the quantisation step', () => {
    for (let x = -32000; x <= 32000; x += 97) {
      const u = mulawToLinear(linearToMulaw(x));
      const a = alawToLinear(linearToAlaw(x));
      const step = Math.max(16, Math.abs(x) / 16);
      expect(Math.abs(u - x)).toBeLessThanOrEqual(step);
      expect(Math.abs(a - x)).toBeLessThanOrEqual(step);
    }
    expect(linearToMulaw(0)).toBe(0xff);
    expect(linearToAlaw(0)).toBe(0xd5);
  });
});

describe('SDP helpers', () => {
  const chrome = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 AA\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0 110\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10\r\na=rtcp-fb:111 transport-cc\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:110 telephone-event/48000\r\na=sendrecv\r\n';
  it('tells WebRTC from plain RTP and lists codecs in order', () => {
    const d = parseAudio(chrome);
    expect(d.webrtc).toBe(true);
    expect(d.codecs.map((c) => `${c.name}/${c.rate}`)).toEqual(['opus/48000', 'PCMU/8000', 'telephone-event/48000']);
    expect(parseAudio('v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 4000 RTP/AVP 8\r\n').codecs[0]?.name).toBe('PCMA');
  });
  it('keeps only the chosen payload types and their attributes', () => {
    const k = keepPayloadTypes(chrome, [111, 110]);
    expect(k).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111 110');
    expect(k).not.toContain('PCMU');
    expect(k).toContain('a=fmtp:111 minptime=10');
  });
  it('the waiting-room sink answers the first codec with telephone-event at its rate', () => {
    const a = parseAudio(sinkAnswer(parseAudio(chrome), '127.0.0.1', 4000, 1));
    expect(a.codecs.map((c) => c.pt)).toEqual([111, 110]);
    expect(a.port).toBe(4000);
    expect(a.direction).toBe('sendrecv');
  });
  it('parses rtpengine URLs and refuses malformed ones', () => {
    expect(parseRtpengineUrl('udp://127.0.0.1:22222')).toEqual({ host: '127.0.0.1', port: 22222 });
    expect(parseRtpengineUrl('[::1]:2223')).toEqual({ host: '::1', port: 2223 });
    expect(() => parseRtpengineUrl('udp://host')).toThrow(TypeError);
  });
});

describe('prompt files', () => {
  it('an admin override wins, a language file beats the neutral one, and bad names are refused', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
    try {
      for (const f of ['prompts/en/please-hold.wav', 'prompts-custom/en/please-hold.wav', 'prompts/music-on-hold.wav', 'prompts/en/n/3.wav']) {
        mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        writeFileSync(path.join(dir, f), toneWav(440, 0.1));
      }
      const store = new PromptStore(dir);
      expect(store.resolve('please-hold', 'en')).toBe(path.join(dir, 'prompts-custom/en/please-hold.wav'));
      expect(store.resolve('n/3', 'en')).toBe(path.join(dir, 'prompts/en/n/3.wav'));
      expect(store.resolve('music-on-hold', 'de')).toBe(path.join(dir, 'prompts/music-on-hold.wav'));
      expect(() => store.resolve('../etc/passwd', 'en')).toThrow(TypeError);
      expect(() => store.resolve('please-hold', 'en/../..')).toThrow(TypeError);
      expect(() => store.resolve('minutes', 'en')).toThrow(expect.objectContaining({ code: 'MEDIA_ERR_UNKNOWN_PROMPT' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a sequence of prompts becomes one WAV whose length is the sum', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
    try {
      mkdirSync(path.join(dir, 'prompts/en/n'), { recursive: true });
      writeFileSync(path.join(dir, 'prompts/en/a.wav'), toneWav(440, 0.5));
      writeFileSync(path.join(dir, 'prompts/en/n/2.wav'), toneWav(440, 0.25));
      const store = new PromptStore(dir);
      const seq = await store.sequence(await store.files(['a', 'n/2'], 'en'));
      expect(seq.durationMs).toBe(750);
      expect(parseWav(seq.wav)?.samples.length).toBe(6000 * 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('speaks a text with espeak-ng once per voice and text (cached), and names the language it cannot speak', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
    try {
      const store = new PromptStore(dir);
      const [en] = await store.files([{ text: '-For sales, press 1.' }], 'en');
      const pcm = parseWav(readFileSync(en!))!;
      expect(pcm.rate).toBe(8000);
      // about a second of speech and 0.3 s of padding, and not silence
      expect(pcm.samples.length / 2 / 8000).toBeGreaterThan(0.8);
      let peak = 0;
      for (let i = 0; i < pcm.samples.length; i += 2) peak = Math.max(peak, Math.abs(pcm.samples.readInt16LE(i)));
      expect(peak).toBeGreaterThan(10_000);
      // callers who reach a new text at the same moment share one synthesis
      const both = [store.speech('Two at once.', 'en'), store.speech('Two at once.', 'en')];
      expect((store as unknown as { speaking: Map<string, unknown> }).speaking.size).toBe(1);
      const [a, b] = await Promise.all(both);
      expect(a).toBe(b);
      expect((store as unknown as { speaking: Map<string, unknown> }).speaking.size).toBe(0);
      const mtime = statSync(en!).mtimeMs;
      expect(await store.speech('-For sales, press 1.', 'en')).toBe(en);
      expect(statSync(en!).mtimeMs).toBe(mtime);
      const et = await store.speech('-For sales, press 1.', 'et');
      expect(et).not.toBe(en);
      await expect(store.speech('Hello', 'zz')).rejects.toThrow(/could not be spoken in "zz"/);
      await expect(store.speech(' ', 'en')).rejects.toThrow(/needs a text/);
      expect(readdirSync(path.join(dir, 'cache', 'speech')).sort()).toEqual([path.basename(en!), path.basename(et), path.basename(a!)].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the default prompt set (scripts/make-prompts.ts)', () => {
  it('holds every prompt for en, et, ru, hu, fi and de as 8 kHz mono speech, and a second run writes nothing', async () => {
    const { makePrompts, PROMPT_LANGUAGES, PROMPT_NAMES } = await import('../../scripts/make-prompts.ts');
    const { sharedPrompts } = await import('./helpers/env.ts');
    const dir = await sharedPrompts();
    expect([...PROMPT_LANGUAGES]).toEqual(['en', 'et', 'ru', 'hu', 'fi', 'de']);
    expect(PROMPT_NAMES).toEqual(expect.arrayContaining(['you-are-number', 'in-line', 'estimated-wait', 'minutes', 'all-agents-busy', 'please-hold', 'n/1', 'n/20']));
    const { readFileSync } = await import('node:fs');
    for (const lang of PROMPT_LANGUAGES) {
      for (const name of PROMPT_NAMES) {
        const pcm = parseWav(readFileSync(path.join(dir, lang, `${name}.wav`)));
        expect(pcm?.rate).toBe(8000);
        // at least 0.4 s with sound in it
        expect(pcm!.samples.length / 2).toBeGreaterThan(3200);
        let peak = 0;
        for (let i = 0; i < pcm!.samples.length; i += 2) peak = Math.max(peak, Math.abs(pcm!.samples.readInt16LE(i)));
        expect(peak).toBeGreaterThan(8000);
      }
    }
    expect(parseWav(readFileSync(path.join(dir, 'music-on-hold.wav')))?.rate).toBe(8000);
    expect(await makePrompts(dir)).toBe(0);
  });
});

describe('a recording of RTP (our socket, packets sent to it here)', () => {
  /** An RTP packet: PCMU (payload type 0), `n` samples of `byte`, at RTP timestamp `ts`. */
  const rtp = (seq: number, ts: number, n = 160, byte = 0x80, ssrc = 0x1234) => {
    const p = Buffer.alloc(12 + n, byte);
    p[0] = 0x80;
    p[1] = 0;
    p.writeUInt16BE(seq & 0xffff, 2);
    p.writeUInt32BE(ts >>> 0, 4);
    p.writeUInt32BE(ssrc, 8);
    return p;
  };
  const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n';

  it('places payloads by timestamp (late ones too, gaps as silence) and survives a packet past its maximum length', async () => {
    const rec = await CallRecording.open('127.0.0.1', 1); // one second
    const answer = rec.answer(offer);
    expect(answer).toMatch(/^m=audio \d+ RTP\/AVP 0 101\r?$/m); // PCMU first, telephone-event echoed
    expect(answer).toMatch(/^a=recvonly/m);
    const port = Number(/^m=audio (\d+)/m.exec(answer)![1]);
    const sock = dgram.createSocket('udp4');
    const send = (b: Buffer) => new Promise<void>((r) => sock.send(b, port, '127.0.0.1', () => r()));
    let full = 0;
    rec.on('full', () => full++);
    try {
      await send(rtp(1, 1000, 160, 0x80)); // first packet: sample 0
      await send(rtp(3, 1320, 160, 0x81)); // one packet missing: samples 160-319 stay silent
      await send(rtp(2, 1160, 160, 0x82)); // late, into its place
      await send(rtp(4, 1000 + 6840, 160, 0x83)); // up to sample 7000
      await send(rtp(5, 1000 + 8500, 160, 0x84)); // after a gap, starting past the maximum (8000): dropped, no crash
      await new Promise((r) => setTimeout(r, 200));
      const { wav, seconds } = await rec.stop();
      expect(seconds).toBe(7000 / 8000);
      expect(full).toBe(1);
      const pcm = parseWav(wav)!;
      const x = new Int16Array(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.length / 2);
      expect(x.length).toBe(7000);
      expect(x[0]).toBe(mulawToLinear(0x80));
      expect(x[160]).toBe(mulawToLinear(0x82));
      expect(x[320]).toBe(mulawToLinear(0x81));
      expect(x[480]).toBe(0); // the silence between
      expect(x[6999]).toBe(mulawToLinear(0x83));
    } finally {
      sock.close();
    }
  });

  it('keeps nothing while paused: the stretch is left out, marked by a second of silence at most', async () => {
    const rec = await CallRecording.open('127.0.0.1', 10);
    const port = Number(/^m=audio (\d+)/m.exec(rec.answer(offer))![1]);
    const sock = dgram.createSocket('udp4');
    const send = (b: Buffer) => new Promise<void>((r) => sock.send(b, port, '127.0.0.1', () => r()));
    const settle = () => new Promise((r) => setTimeout(r, 100));
    try {
      expect(rec.paused).toBe(false);
      for (let i = 0; i < 10; i++) await send(rtp(i, 1000 + i * 160, 160, 0x80)); // 1600 samples kept
      await settle();
      expect(rec.setPaused(true)).toBe(true);
      expect(rec.setPaused(true)).toBe(false); // already
      expect(rec.paused).toBe(true);
      // three seconds said while paused (the card number): none of it is kept
      for (let i = 10; i < 160; i++) await send(rtp(i, 1000 + i * 160, 160, 0x90));
      await settle();
      expect(rec.seconds).toBe(1600 / 8000);
      expect(rec.setPaused(false)).toBe(true);
      for (let i = 160; i < 170; i++) await send(rtp(i, 1000 + i * 160, 160, 0x81)); // resumed: kept after 1 s of silence
      await settle();
      const { wav, seconds } = await rec.stop();
      expect(seconds).toBe((1600 + 8000 + 1600) / 8000);
      expect(rec.setPaused(true)).toBe(false); // stopped
      const pcm = parseWav(wav)!;
      const x = new Int16Array(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.length / 2);
      expect(x.includes(mulawToLinear(0x90))).toBe(false);
      expect(x[1599]).toBe(mulawToLinear(0x80));
      expect(x[1600]).toBe(0);
      expect(x[9599]).toBe(0);
      expect(x[9600]).toBe(mulawToLinear(0x81));
    } finally {
      sock.close();
    }
  });

  it('refuses an offer without PCMU, or with another number of streams than it records', async () => {
    const rec = await CallRecording.open('127.0.0.1', 1);
    try {
      expect(() => rec.answer(offer.replace('RTP/AVP 0 101', 'RTP/AVP 8 101').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000'))).toThrow('rtpengine offered no PCMU to record');
      expect(() => rec.answer(offer + 'm=audio 40002 RTP/AVP 0\r\n')).toThrow('rtpengine offered 2 streams to record, not 1');
    } finally {
      await rec.stop();
    }
  });
});
