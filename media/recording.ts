/**
 * A recording of what one party of a call says (voicemail): rtpengine sends that party's audio, transcoded to PCMU,
 * to a UDP socket of ours (its `subscribe request` answered with this socket's address), and the payloads become
 * 8 kHz 16-bit PCM in order of their RTP timestamps: a lost or late packet leaves silence, not a shift.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { mulawToLinear } from './g711.ts';
import { MediaError, MediaErrorCode } from './errors.ts';
import { wavFile } from './prompts.ts';

const RATE = 8000;
/** The most silence one gap in the timestamps adds (a longer gap is a source that paused, e.g. on hold). */
const MAX_GAP_SAMPLES = RATE;

export type RecordingEvents = {
  /** the recording reached its maximum length; nothing more is kept */
  full: [];
};

export class CallRecording extends EventEmitter<RecordingEvents> {
  readonly #socket: dgram.Socket;
  readonly #maxSamples: number;
  /** 16-bit little-endian samples kept so far */
  #pcm: Buffer;
  #samples = 0;
  #payloadType = 0;
  /** RTP timestamp of sample 0, per SSRC (a new SSRC goes on after what was kept) */
  #ssrc = -1;
  #base = 0;
  #stopped = false;
  #full = false;
  #onStop: (() => Promise<void>) | undefined;

  private constructor(socket: dgram.Socket, maxSeconds: number) {
    super();
    this.#socket = socket;
    this.#maxSamples = Math.round(maxSeconds * RATE);
    this.#pcm = Buffer.alloc(Math.min(this.#maxSamples, 10 * RATE) * 2);
    socket.on('message', (msg) => this.#packet(msg));
    socket.on('error', () => undefined); // (an ICMP error for our own socket: nothing to record from it)
  }

  /** A socket on `address` (the address rtpengine reaches us at) for at most maxSeconds of audio. */
  static async open(address: string, maxSeconds: number): Promise<CallRecording> {
    const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new CallRecording(socket, maxSeconds);
  }

  /**
   * Our SDP answer to rtpengine's plain-RTP offer: receive-only at this socket, PCMU first (what rtpengine then sends),
   * echoing every other payload type offered (rtpengine 10.5 refuses a subscription answer that drops one, e.g.
   * telephone-event). MEDIA_ERR_NG_FAILED when the offer has no PCMU.
   */
  answer(offer: string): string {
    const types = /^m=audio \d+ RTP\/AVP((?: \d+)+)/m.exec(offer)?.[1]?.trim().split(' ') ?? [];
    const rtpmap = (pt: string) => new RegExp(`^a=rtpmap:${pt} (\\S+)`, 'm').exec(offer)?.[1];
    const pcmu = types.find((pt) => /^PCMU\/8000/i.test(rtpmap(pt) ?? (pt === '0' ? 'PCMU/8000' : '')));
    if (pcmu === undefined) throw new MediaError(MediaErrorCode.NgFailed, 'rtpengine offered no PCMU to record');
    this.#payloadType = Number(pcmu);
    const ordered = [pcmu, ...types.filter((pt) => pt !== pcmu)];
    const { address, port } = this.#socket.address();
    const ip = address.includes(':') ? 'IP6' : 'IP4';
    const attributes = ordered.flatMap((pt) => {
      const map = pt === pcmu ? 'PCMU/8000' : rtpmap(pt);
      const fmtp = new RegExp(`^a=fmtp:${pt} (.+?)\\r?$`, 'm').exec(offer)?.[1];
      return [...(map === undefined ? [] : [`a=rtpmap:${pt} ${map}`]), ...(fmtp === undefined ? [] : [`a=fmtp:${pt} ${fmtp}`])];
    });
    return [
      'v=0', `o=- ${Date.now()} 1 IN ${ip} ${address}`, 's=recording', `c=IN ${ip} ${address}`, 't=0 0',
      `m=audio ${port} RTP/AVP ${ordered.join(' ')}`, ...attributes, 'a=recvonly', '',
    ].join('\r\n');
  }

  /** Runs once when the recording stops (the subscription's end). */
  onStop(fn: () => Promise<void>): void {
    this.#onStop = fn;
  }

  get seconds(): number {
    return this.#samples / RATE;
  }

  #packet(msg: Buffer): void {
    if (this.#stopped || this.#full || msg.length < 12 || msg[0]! >> 6 !== 2) return;
    if ((msg[1]! & 0x7f) !== this.#payloadType) return; // (telephone-event, comfort noise)
    let offset = 12 + (msg[0]! & 0x0f) * 4;
    if (msg[0]! & 0x10) {
      if (msg.length < offset + 4) return;
      offset += 4 + msg.readUInt16BE(offset + 2) * 4;
    }
    let end = msg.length;
    if (msg[0]! & 0x20) end -= msg[end - 1]!;
    if (end <= offset) return;
    const ssrc = msg.readUInt32BE(8);
    const ts = msg.readUInt32BE(4);
    if (ssrc !== this.#ssrc) {
      this.#ssrc = ssrc;
      this.#base = (ts - this.#samples) >>> 0;
    }
    let at = (ts - this.#base) >>> 0;
    if (at > this.#samples + MAX_GAP_SAMPLES && at < 0x80000000) {
      // a long pause in the source: keep one second of it, then go on from there
      this.#base = (ts - this.#samples - MAX_GAP_SAMPLES) >>> 0;
      at = this.#samples + MAX_GAP_SAMPLES;
    }
    if (at >= 0x80000000 || at + (end - offset) <= this.#samples - 8 * RATE) return; // far behind: late or stale
    this.#put(at, msg.subarray(offset, end));
  }

  #put(at: number, payload: Buffer): void {
    const last = Math.min(at + payload.length, this.#maxSamples);
    if (last * 2 > this.#pcm.length) {
      const grown = Buffer.alloc(Math.min(this.#maxSamples * 2, Math.max(last * 2, this.#pcm.length * 2)));
      this.#pcm.copy(grown, 0, 0, this.#samples * 2);
      this.#pcm = grown;
    }
    for (let i = at; i < last; i++) this.#pcm.writeInt16LE(mulawToLinear(payload[i - at]!), i * 2);
    if (last > this.#samples) this.#samples = last;
    if (this.#samples >= this.#maxSamples) {
      this.#full = true;
      this.emit('full');
    }
  }

  /** Stops recording (the subscription ends, the socket closes) and gives the audio as a WAV file. Safe twice. */
  async stop(): Promise<{ wav: Buffer; seconds: number }> {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#socket.close();
      await this.#onStop?.().catch(() => undefined);
    }
    return { wav: wavFile(RATE, this.#pcm.subarray(0, this.#samples * 2)), seconds: this.seconds };
  }
}
