/**
 * Recordings of a call's parties: rtpengine sends each party's audio, transcoded to PCMU, to a UDP socket of ours
 * (its `subscribe request` answered with our sockets' addresses, one media section a party), and the payloads are
 * kept in order of their RTP timestamps: a lost or late packet leaves silence, not a shift. One party (a voicemail:
 * what the caller says) gives a mono WAV; two (a call recording: the customer, the agent) a stereo WAV, customer on
 * the left, the streams lined up by when their first packets came. Kept as μ-law (a byte a sample) until stop().
 * A paused recording (the agent's "pause recording" while the customer reads out a card number) keeps nothing of
 * what comes meanwhile: the stretch is left out of the file, marked by a second of silence at most.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { linearToMulaw, mulawToLinear } from './g711.ts';
import { MediaError, MediaErrorCode } from './errors.ts';
import { wavFile } from './prompts.ts';

const RATE = 8000;
/** The most silence one gap in the timestamps adds (a longer gap is a source that paused, e.g. on hold). */
const MAX_GAP_SAMPLES = RATE;
const SILENCE = linearToMulaw(0);

export type RecordingEvents = {
  /** the recording reached its maximum length; nothing more is kept */
  full: [];
};

/** One party's stream: its socket, its payload type in the answer, and the μ-law samples kept. */
class Stream {
  #ulaw: Buffer;
  samples = 0;
  payloadType = 0;
  /** when the first packet came (ms since the recording opened): where this stream starts in the file */
  startMs = -1;
  /** RTP timestamp of sample 0, per SSRC (a new SSRC goes on after what was kept) */
  #ssrc = -1;
  #base = 0;

  constructor(
    readonly socket: dgram.Socket,
    private readonly maxSamples: number,
    private readonly openedAt: number,
    private readonly onFull: () => void,
  ) {
    this.#ulaw = Buffer.alloc(Math.min(maxSamples, 10 * RATE), SILENCE);
  }

  /** Our answer to one media section of rtpengine's offer: receive-only, PCMU first, every other offered type echoed. */
  answer(section: string): string {
    const types = /^m=audio \d+ RTP\/AVP((?: \d+)+)/m.exec(section)?.[1]?.trim().split(' ') ?? [];
    const rtpmap = (pt: string) => new RegExp(`^a=rtpmap:${pt} (\\S+)`, 'm').exec(section)?.[1];
    const pcmu = types.find((pt) => /^PCMU\/8000/i.test(rtpmap(pt) ?? (pt === '0' ? 'PCMU/8000' : '')));
    if (pcmu === undefined) throw new MediaError(MediaErrorCode.NgFailed, 'rtpengine offered no PCMU to record');
    this.payloadType = Number(pcmu);
    const ordered = [pcmu, ...types.filter((pt) => pt !== pcmu)];
    const attributes = ordered.flatMap((pt) => {
      const map = pt === pcmu ? 'PCMU/8000' : rtpmap(pt);
      const fmtp = new RegExp(`^a=fmtp:${pt} (.+?)\\r?$`, 'm').exec(section)?.[1];
      return [...(map === undefined ? [] : [`a=rtpmap:${pt} ${map}`]), ...(fmtp === undefined ? [] : [`a=fmtp:${pt} ${fmtp}`])];
    });
    return [`m=audio ${this.socket.address().port} RTP/AVP ${ordered.join(' ')}`, ...attributes, 'a=recvonly'].join('\r\n');
  }

  packet(msg: Buffer): void {
    if (this.samples >= this.maxSamples || msg.length < 12 || msg[0]! >> 6 !== 2) return;
    if ((msg[1]! & 0x7f) !== this.payloadType) return; // (telephone-event, comfort noise)
    let offset = 12 + (msg[0]! & 0x0f) * 4;
    if (msg[0]! & 0x10) {
      if (msg.length < offset + 4) return;
      offset += 4 + msg.readUInt16BE(offset + 2) * 4;
    }
    let end = msg.length;
    if (msg[0]! & 0x20) end -= msg[end - 1]!;
    if (end <= offset) return;
    if (this.startMs < 0) this.startMs = performance.now() - this.openedAt;
    const ssrc = msg.readUInt32BE(8);
    const ts = msg.readUInt32BE(4);
    if (ssrc !== this.#ssrc) {
      this.#ssrc = ssrc;
      this.#base = (ts - this.samples) >>> 0;
    }
    let at = (ts - this.#base) >>> 0;
    if (at > this.samples + MAX_GAP_SAMPLES && at < 0x80000000) {
      // a long pause in the source: keep one second of it, then go on from there
      this.#base = (ts - this.samples - MAX_GAP_SAMPLES) >>> 0;
      at = this.samples + MAX_GAP_SAMPLES;
    }
    if (at >= 0x80000000 || at + (end - offset) <= this.samples - 8 * RATE) return; // far behind: late or stale
    this.#put(at, msg.subarray(offset, end));
  }

  #put(at: number, payload: Buffer): void {
    const last = Math.min(at + payload.length, this.maxSamples);
    if (last <= at) return this.onFull(); // (a packet after a gap that starts past the maximum length)
    if (last > this.#ulaw.length) {
      const grown = Buffer.alloc(Math.min(this.maxSamples, Math.max(last, this.#ulaw.length * 2)), SILENCE);
      this.#ulaw.copy(grown, 0, 0, this.samples);
      this.#ulaw = grown;
    }
    payload.copy(this.#ulaw, at, 0, last - at);
    if (last > this.samples) this.samples = last;
    if (this.samples >= this.maxSamples) this.onFull();
  }

  /** Sample i of this stream placed in the file (silence before its first packet and after its last). */
  sampleAt(i: number, shift: number): number {
    const j = i - shift;
    return j >= 0 && j < this.samples ? mulawToLinear(this.#ulaw[j]!) : 0;
  }

  /** Where this stream starts in the file, in samples. */
  get shift(): number {
    return this.startMs < 0 ? 0 : Math.round((this.startMs * RATE) / 1000);
  }
}

export class CallRecording extends EventEmitter<RecordingEvents> {
  readonly #streams: Stream[];
  readonly #maxSamples: number;
  #stopped = false;
  #paused = false;
  #full = false;
  #onStop: (() => Promise<void>) | undefined;

  private constructor(sockets: dgram.Socket[], maxSeconds: number) {
    super();
    this.#maxSamples = Math.round(maxSeconds * RATE);
    const openedAt = performance.now();
    this.#streams = sockets.map((socket) => {
      const s = new Stream(socket, this.#maxSamples, openedAt, () => this.#fullNow());
      socket.on('message', (msg) => {
        if (!this.#stopped && !this.#paused) s.packet(msg);
      });
      socket.on('error', () => undefined); // (an ICMP error for our own socket: nothing to record from it)
      return s;
    });
  }

  /** `parties` sockets (1: mono, 2: stereo) on `address` (where rtpengine reaches us) for at most maxSeconds. */
  static async open(address: string, maxSeconds: number, parties: 1 | 2 = 1): Promise<CallRecording> {
    const sockets: dgram.Socket[] = [];
    try {
      for (let i = 0; i < parties; i++) {
        const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
        sockets.push(socket);
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(0, address, () => {
            socket.off('error', reject);
            resolve();
          });
        });
      }
    } catch (err) {
      for (const s of sockets) s.close();
      throw err;
    }
    return new CallRecording(sockets, maxSeconds);
  }

  /**
   * Our SDP answer to rtpengine's plain-RTP offer, a media section a party in the offer's order: receive-only at our
   * sockets, PCMU first (what rtpengine then sends), echoing every other payload type offered (rtpengine 10.5
   * refuses a subscription answer that drops one, e.g. telephone-event). MEDIA_ERR_NG_FAILED when a section has no
   * PCMU or the offer has another number of sections.
   */
  answer(offer: string): string {
    const sections = offer.split(/\r?\n(?=m=)/).slice(1);
    if (sections.length !== this.#streams.length) {
      throw new MediaError(MediaErrorCode.NgFailed, `rtpengine offered ${sections.length} streams to record, not ${this.#streams.length}`);
    }
    const { address } = this.#streams[0]!.socket.address();
    const ip = address.includes(':') ? 'IP6' : 'IP4';
    return [
      'v=0', `o=- ${Date.now()} 1 IN ${ip} ${address}`, 's=recording', `c=IN ${ip} ${address}`, 't=0 0',
      ...this.#streams.map((s, i) => s.answer(sections[i]!)), '',
    ].join('\r\n');
  }

  /** Whether what the parties say is being kept now. */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Pauses (true) or resumes (false) keeping what the parties say; what comes while paused is dropped as it arrives
   * and never held. False when it was so already, or the recording has stopped.
   */
  setPaused(paused: boolean): boolean {
    if (this.#stopped || this.#paused === paused) return false;
    this.#paused = paused;
    return true;
  }

  /** Runs once when the recording stops (the subscription's end). */
  onStop(fn: () => Promise<void>): void {
    this.#onStop = fn;
  }

  /** How long the file is now, seconds. */
  get seconds(): number {
    return this.#length() / RATE;
  }

  /** Where each stream starts in the file (one party: from its first packet; two: lined up by when each one's first came). */
  #shifts(): number[] {
    return this.#streams.length === 1 ? [0] : this.#streams.map((s) => s.shift);
  }

  #length(): number {
    const shifts = this.#shifts();
    return Math.min(this.#maxSamples, Math.max(0, ...this.#streams.map((s, i) => (s.samples > 0 ? shifts[i]! + s.samples : 0))));
  }

  #fullNow(): void {
    if (this.#full) return;
    this.#full = true;
    this.emit('full');
  }

  /** Stops recording (the subscription ends, the sockets close) and gives the audio as a WAV file. Safe twice. */
  async stop(): Promise<{ wav: Buffer; seconds: number }> {
    if (!this.#stopped) {
      this.#stopped = true;
      for (const s of this.#streams) s.socket.close();
      await this.#onStop?.().catch(() => undefined);
    }
    const shifts = this.#shifts();
    const n = this.#length();
    const channels = this.#streams.length;
    const pcm = Buffer.alloc(n * 2 * channels);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < channels; c++) pcm.writeInt16LE(this.#streams[c]!.sampleAt(i, shifts[c]!), (i * channels + c) * 2);
    }
    return { wav: wavFile(RATE, pcm, channels), seconds: n / RATE };
  }
}
