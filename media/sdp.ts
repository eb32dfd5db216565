/**
 * The little SDP handling the bridge needs (RFC 4566 / RFC 3264): read the first audio m-line, tell a WebRTC
 * description from a plain RTP one, keep only some payload types, and write the answer of our waiting-room sink.
 * rtpengine does the real SDP work; this never rewrites anything it does not have to.
 */
import { MediaError, MediaErrorCode } from './errors.ts';

export interface SdpCodec {
  pt: number;
  name: string;
  rate: number;
  channels: number;
  fmtp?: string;
}

export interface AudioDescription {
  proto: string;
  port: number;
  address: string | undefined;
  payloadTypes: number[];
  codecs: SdpCodec[];
  /** ICE/DTLS-SRTP (WebRTC) rather than plain RTP */
  webrtc: boolean;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

// RFC 3551 static payload types that may come without an rtpmap line
const STATIC: Record<number, [string, number]> = { 0: ['PCMU', 8000], 8: ['PCMA', 8000], 9: ['G722', 8000], 18: ['G729', 8000], 3: ['GSM', 8000] };

export function splitLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((l) => l.length > 0);
}

export function parseAudio(sdp: string, callId?: string): AudioDescription {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=0')) {
    throw new MediaError(MediaErrorCode.BadSdp, `SDP${callId ? ` for call ${callId}` : ''} does not start with v=0`, { callId });
  }
  const lines = splitLines(sdp);
  let sessionAddr: string | undefined;
  let sessionDir: AudioDescription['direction'] = 'sendrecv';
  let inAudio = false;
  let seenAudio = false;
  let desc: AudioDescription | undefined;
  let sessionWebrtc = false;
  const rtpmap = new Map<number, SdpCodec>();
  const fmtp = new Map<number, string>();
  for (const line of lines) {
    if (line.startsWith('m=')) {
      inAudio = !seenAudio && line.startsWith('m=audio ');
      if (inAudio) {
        seenAudio = true;
        const [, port, proto, ...pts] = line.slice(2).split(' ');
        desc = {
          proto: proto ?? '',
          port: Number(port),
          address: sessionAddr,
          payloadTypes: pts.map(Number).filter((n) => Number.isInteger(n)),
          codecs: [],
          webrtc: sessionWebrtc || /SAVPF|TLS/.test(proto ?? ''),
          direction: sessionDir,
        };
      }
      continue;
    }
    if (!desc) {
      if (line.startsWith('c=IN ')) sessionAddr = line.split(' ')[2];
      if (line.startsWith('a=fingerprint:') || line.startsWith('a=ice-ufrag:')) sessionWebrtc = true;
      const d = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line);
      if (d) sessionDir = d[1] as AudioDescription['direction'];
      continue;
    }
    if (!inAudio) continue;
    if (line.startsWith('c=IN ')) desc.address = line.split(' ')[2];
    else if (line.startsWith('a=fingerprint:') || line.startsWith('a=ice-ufrag:')) desc.webrtc = true;
    else if (line.startsWith('a=rtpmap:')) {
      const m = /^a=rtpmap:(\d+) ([^/]+)\/(\d+)(?:\/(\d+))?/.exec(line);
      if (m) rtpmap.set(Number(m[1]), { pt: Number(m[1]), name: m[2] ?? '', rate: Number(m[3]), channels: Number(m[4] ?? 1) });
    } else if (line.startsWith('a=fmtp:')) {
      const m = /^a=fmtp:(\d+) (.*)$/.exec(line);
      if (m) fmtp.set(Number(m[1]), m[2] ?? '');
    } else {
      const d = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line);
      if (d) desc.direction = d[1] as AudioDescription['direction'];
    }
  }
  if (!desc) throw new MediaError(MediaErrorCode.BadSdp, `SDP${callId ? ` for call ${callId}` : ''} has no audio m-line`, { callId });
  for (const pt of desc.payloadTypes) {
    const c = rtpmap.get(pt) ?? (STATIC[pt] ? { pt, name: STATIC[pt][0], rate: STATIC[pt][1], channels: 1 } : undefined);
    if (!c) continue;
    const f = fmtp.get(pt);
    desc.codecs.push(f === undefined ? c : { ...c, fmtp: f });
  }
  return desc;
}

export function isTelephoneEvent(c: SdpCodec): boolean {
  return c.name.toLowerCase() === 'telephone-event';
}

/** The first real codec of an audio description (skipping telephone-event, CN, red, ulpfec). */
export function firstMediaCodec(d: AudioDescription): SdpCodec | undefined {
  return d.codecs.find((c) => !/^(telephone-event|cn|red|ulpfec|rtx)$/i.test(c.name));
}

/**
 * Keeps only the given payload types in the audio m-line and drops the rtpmap/fmtp/rtcp-fb lines of the others.
 * Used to re-offer a caller's description restricted to the codec it already agreed to (RFC 3264 8.3.2: a re-offer
 * may remove formats).
 */
export function keepPayloadTypes(sdp: string, keep: readonly number[]): string {
  const keepSet = new Set(keep);
  const out: string[] = [];
  let inAudio = false;
  let done = false;
  for (const line of splitLines(sdp)) {
    if (line.startsWith('m=')) {
      inAudio = !done && line.startsWith('m=audio ');
      if (inAudio) {
        done = true;
        const [head, port, proto, ...pts] = line.split(' ');
        const kept = pts.filter((p) => keepSet.has(Number(p)));
        out.push([head, port, proto, ...kept].join(' '));
        continue;
      }
    }
    if (inAudio) {
      const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+) /.exec(line);
      if (m && !keepSet.has(Number(m[1]))) continue;
    }
    out.push(line);
  }
  return out.join('\r\n') + '\r\n';
}

/**
 * One `a=mid` per media section, numbered 0, 1, … in order, and no BUNDLE group: rtpengine's listener offer copies each
 * source's mid (both often "0"), which a browser refuses as a duplicate, and each stream has its own transport.
 */
export function renumberMids(sdp: string): string {
  let section = -1;
  const out: string[] = [];
  for (const line of splitLines(sdp)) {
    if (line.startsWith('m=')) section++;
    if (line.startsWith('a=group:BUNDLE')) continue;
    out.push(section >= 0 && line.startsWith('a=mid:') ? `a=mid:${section}` : line);
  }
  return out.join('\r\n') + '\r\n';
}

/**
 * The answer of our waiting-room sink to rtpengine's plain-RTP offer: the offer's first codec (so the caller keeps
 * its preferred codec and the waiting room needs no transcoding) plus telephone-event at the same clock rate.
 * The sink never sends, but says sendrecv so the caller keeps sending (DTMF must reach us).
 */
export function sinkAnswer(offer: AudioDescription, address: string, port: number, sessionVersion: number): string {
  const main = firstMediaCodec(offer);
  if (!main) throw new MediaError(MediaErrorCode.BadSdp, 'offer has no audio codec the waiting room can answer');
  const te = offer.codecs.find((c) => isTelephoneEvent(c) && c.rate === main.rate) ?? offer.codecs.find(isTelephoneEvent);
  const codecs = te ? [main, te] : [main];
  const ip = address.includes(':') ? 'IP6' : 'IP4';
  const lines = [
    'v=0',
    `o=callflow-media ${sessionVersion} ${sessionVersion} IN ${ip} ${address}`,
    's=waiting room',
    `c=IN ${ip} ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP ${codecs.map((c) => c.pt).join(' ')}`,
    ...codecs.flatMap((c) => [
      `a=rtpmap:${c.pt} ${c.name}/${c.rate}${c.channels > 1 ? `/${c.channels}` : ''}`,
      ...(c.fmtp !== undefined ? [`a=fmtp:${c.pt} ${c.fmtp}`] : []),
    ]),
    `a=rtcp:${port}`,
    'a=sendrecv',
  ];
  return lines.join('\r\n') + '\r\n';
}
