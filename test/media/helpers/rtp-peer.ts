/**
 * A plain-RTP phone in Node (a real peer, not a fake: real UDP packets through rtpengine): it offers or answers
 * PCMU/PCMA + telephone-event, sends a sine tone as G.711 every 20 ms, sends RFC 4733 digits, and decodes what it
 * receives so a test can measure the tone that arrived.
 */
import dgram from 'node:dgram';
import { alawToLinear, linearToAlaw, linearToMulaw, mulawToLinear } from '../../../media/g711.ts';
import { parseAudio } from '../../../media/sdp.ts';
import { peakFrequency, goertzel, rms } from './audio.ts';

export type G711 = 'PCMU' | 'PCMA';
const PT: Record<G711, number> = { PCMU: 0, PCMA: 8 };

export class RtpPeer {
  readonly socket: dgram.Socket;
  remote: { address: string; port: number } | undefined;
  sendPt = 0;
  teRecvPts = new Set<number>();
  tePt = 101;
  /** received audio, decoded, by arrival order */
  received: number[] = [];
  receivedPackets = 0;
  receivedByPt = new Map<number, number>();
  receivedDtmf: number[] = [];
  sentPackets = 0;
  private timer: NodeJS.Timeout | undefined;
  private seq = Math.floor(Math.random() * 60000);
  private ts = Math.floor(Math.random() * 1e9);
  private readonly ssrc = Math.floor(Math.random() * 0xffffffff);
  private phase = 0;

  private constructor(socket: dgram.Socket) {
    this.socket = socket;
    socket.on('message', (msg) => this.onPacket(msg));
  }

  static async create(address = '127.0.0.1'): Promise<RtpPeer> {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, address, () => r()));
    return new RtpPeer(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  sdp(codecs: G711[] = ['PCMU', 'PCMA'], withDtmf = true): string {
    const pts = codecs.map((c) => PT[c]);
    return [
      'v=0',
      `o=rtp-peer ${this.port} 1 IN IP4 127.0.0.1`,
      's=rtp peer',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.port} RTP/AVP ${[...pts, ...(withDtmf ? [101] : [])].join(' ')}`,
      ...codecs.map((c) => `a=rtpmap:${PT[c]} ${c}/8000`),
      ...(withDtmf ? ['a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16'] : []),
      'a=ptime:20',
      'a=sendrecv',
      '',
    ].join('\r\n');
  }

  /** Takes the other side's SDP: where to send, and which codec (its first G.711) and DTMF payload type to use. */
  useRemote(sdp: string): void {
    const d = parseAudio(sdp);
    this.remote = { address: d.address ?? '127.0.0.1', port: d.port };
    const main = d.codecs.find((c) => c.name === 'PCMU' || c.name === 'PCMA');
    if (!main) throw new Error(`remote SDP offers no G.711: ${d.codecs.map((c) => c.name).join(',')}`);
    this.sendPt = main.pt;
    const te = d.codecs.find((c) => c.name.toLowerCase() === 'telephone-event' && c.rate === 8000);
    if (te) this.tePt = te.pt;
    for (const c of d.codecs) if (c.name.toLowerCase() === 'telephone-event') this.teRecvPts.add(c.pt);
  }

  /** An answer SDP choosing the given codec from the offer, with the offer's telephone-event type. */
  answerFor(offer: string, codec: G711): string {
    this.useRemote(offer);
    const d = parseAudio(offer);
    const c = d.codecs.find((x) => x.name === codec);
    if (!c) throw new Error(`offer has no ${codec}: ${offer}`);
    this.sendPt = c.pt;
    const te = d.codecs.find((x) => x.name.toLowerCase() === 'telephone-event' && x.rate === 8000);
    return [
      'v=0',
      `o=rtp-peer ${this.port} 1 IN IP4 127.0.0.1`,
      's=rtp peer',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.port} RTP/AVP ${c.pt}${te ? ` ${te.pt}` : ''}`,
      `a=rtpmap:${c.pt} ${codec}/8000`,
      ...(te ? [`a=rtpmap:${te.pt} telephone-event/8000`] : []),
      'a=sendrecv',
      '',
    ].join('\r\n');
  }

  private onPacket(msg: Buffer): void {
    if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
    const pt = msg[1]! & 0x7f;
    if (pt >= 72 && pt <= 76) return; // RTCP
    this.receivedPackets++;
    this.receivedByPt.set(pt, (this.receivedByPt.get(pt) ?? 0) + 1);
    const cc = msg[0]! & 0x0f;
    let off = 12 + cc * 4;
    if (msg[0]! & 0x10) off += 4 + msg.readUInt16BE(off + 2) * 4;
    const payload = msg.subarray(off);
    if (pt === 0 || pt === 8) {
      const dec = pt === 0 ? mulawToLinear : alawToLinear;
      for (const b of payload) this.received.push(dec(b));
    } else if (this.teRecvPts.has(pt) && payload.length >= 4 && payload[1]! & 0x80) {
      const ev = payload[0]!;
      if (this.receivedDtmf.at(-1) !== ev || (msg[1]! & 0x80) !== 0) this.receivedDtmf.push(ev);
    }
  }

  /** Sends a sine tone (or silence with freq 0) as 20 ms G.711 packets until stop(). */
  startTone(freq: number, amplitude = 8000): void {
    this.stop();
    if (!this.remote) throw new Error('no remote yet');
    const enc = this.sendPt === 8 ? linearToAlaw : linearToMulaw;
    const start = Date.now();
    let sent = 0;
    const tick = (): void => {
      // catch up so the rate stays 50 packets/s even when timers are late
      const due = Math.floor((Date.now() - start) / 20) + 1;
      while (sent < due) {
        const pkt = Buffer.alloc(12 + 160);
        pkt[0] = 0x80;
        pkt[1] = this.sendPt;
        pkt.writeUInt16BE(this.seq++ & 0xffff, 2);
        pkt.writeUInt32BE(this.ts >>> 0, 4);
        pkt.writeUInt32BE(this.ssrc >>> 0, 8);
        for (let i = 0; i < 160; i++) {
          pkt[12 + i] = enc(freq ? amplitude * Math.sin(this.phase) : 0);
          this.phase += (2 * Math.PI * freq) / 8000;
        }
        this.ts = (this.ts + 160) >>> 0;
        this.socket.send(pkt, this.remote!.port, this.remote!.address);
        this.sentPackets++;
        sent++;
      }
    };
    tick();
    this.timer = setInterval(tick, 20);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sends one RFC 4733 event (0-9 digits, 10 = *, 11 = #), 5 packets of 20 ms with the end bit on the last 3. */
  async sendDtmf(event: number): Promise<void> {
    if (!this.remote) throw new Error('no remote yet');
    const ts = this.ts;
    for (let i = 0; i < 8; i++) {
      const end = i >= 5;
      const pkt = Buffer.alloc(16);
      pkt[0] = 0x80;
      pkt[1] = this.tePt | (i === 0 ? 0x80 : 0);
      pkt.writeUInt16BE(this.seq++ & 0xffff, 2);
      pkt.writeUInt32BE(ts >>> 0, 4);
      pkt.writeUInt32BE(this.ssrc >>> 0, 8);
      pkt[12] = event;
      pkt[13] = (end ? 0x80 : 0) | 10;
      pkt.writeUInt16BE(Math.min(5, i + 1) * 160, 14);
      this.socket.send(pkt, this.remote.port, this.remote.address);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  clear(): void {
    this.received = [];
    this.receivedPackets = 0;
    this.receivedByPt.clear();
  }

  /** Strongest frequency of the last `seconds` received. */
  peak(seconds = 1): number {
    return peakFrequency(this.received.slice(-8000 * seconds));
  }
  /** Share of the received power (last `seconds`) that is at `freq` ± 20 Hz (1 = pure tone). */
  toneShare(freq: number, seconds = 1): number {
    const s = this.received.slice(-8000 * seconds);
    const level = rms(s);
    if (level === 0) return 0;
    const p = Math.max(goertzel(s, 8000, freq - 10), goertzel(s, 8000, freq), goertzel(s, 8000, freq + 10));
    // a full-scale sine of amplitude A gives Goertzel power A²/4 and RMS² A²/2
    return Math.min(1, (2 * p) / (level * level));
  }
  level(seconds = 1): number {
    return rms(this.received.slice(-8000 * seconds));
  }

  close(): void {
    this.stop();
    try {
      this.socket.close();
    } catch {
      /* already closed */
    }
  }
}
