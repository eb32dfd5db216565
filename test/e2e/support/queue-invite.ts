import { expect } from 'vitest';
import type { SipResponse } from '../../../sip/index.ts';
import { type RawUdp, SDP, digestResponse } from '../../sip/helpers.ts';
import { RtpPeer } from '../../media/helpers/rtp-peer.ts';
import { type Harness, eventually } from './harness.ts';

let n = 0;

/**
 * A caller dialling a queue over raw UDP: sends an INVITE, answers the 407 with the given credentials, and returns
 * the first response to the authenticated INVITE that `until` accepts (default: the final one).
 */
export async function inviteQueue(
  h: Harness,
  udp: RawUdp,
  o: { to: string; user: string; password: string; headers?: string[]; sdp?: string },
  until: (status: number) => boolean = (status) => status >= 200,
): Promise<SipResponse> {
  const callId = `queue-invite-${process.pid}-${++n}`;
  const uri = `sip:${o.to}@${h.realm}`;
  const body = o.sdp ?? SDP(20000 + n * 2);
  const msg = (cseq: number, auth?: string) =>
    [
      `INVITE ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${udp.port};branch=z9hG4bK-${callId}-${cseq};rport`,
      'Max-Forwards: 70',
      `From: <sip:${o.user}@${h.realm}>;tag=t${n}`,
      `To: <${uri}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} INVITE`,
      `Contact: <sip:${o.user}@127.0.0.1:${udp.port}>`,
      ...(o.headers ?? []),
      ...(auth ? [`Proxy-Authorization: ${auth}`] : []),
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  const isFinal = (m: { callId?: string; status?: number }) => m.callId === callId && (m.status ?? 0) >= 200;
  udp.send(msg(1), h.sipPort);
  const challenge = await udp.take(isFinal as never);
  expect(challenge.status).toBe(407);
  const auth = digestResponse(challenge.get('proxy-authenticate')!, { method: 'INVITE', uri, user: o.user, password: o.password });
  udp.send(msg(2, auth), h.sipPort);
  return udp.take((m) => {
    const r = m as SipResponse;
    return r.callId === callId && typeof r.status === 'number' && r.cseq.seq === 2 && until(r.status);
  });
}

/**
 * An in-dialog request of the caller for the dialog a 2xx to `inviteQueue` set up: ACK, BYE, or INFO carrying a
 * DTMF key (application/dtmf-relay).
 */
export function inDialog(h: Harness, udp: RawUdp, ok: SipResponse, method: 'ACK' | 'BYE' | 'INFO', o: { digit?: string; cseq?: number } = {}): void {
  const target = /<([^>]+)>/.exec(ok.get('contact') ?? '')?.[1] ?? `sip:${h.realm}`;
  const cseq = o.cseq ?? (method === 'ACK' ? ok.cseq.seq : ok.cseq.seq + 1);
  const body = method === 'INFO' ? `Signal=${o.digit ?? '1'}\r\nDuration=160\r\n` : '';
  udp.send(
    [
      `${method} ${target} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${udp.port};branch=z9hG4bK-${ok.callId}-${method}-${cseq};rport`,
      'Max-Forwards: 70',
      `From: ${ok.get('from')}`,
      `To: ${ok.get('to')}`,
      `Call-ID: ${ok.callId}`,
      `CSeq: ${cseq} ${method}`,
      ...(body ? ['Content-Type: application/dtmf-relay'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
    h.sipPort,
  );
}

/**
 * A caller with real media: dials `to` with `rtp`'s SDP (PCMU), acknowledges the 200 and sends silence, so that
 * rtpengine learns where the caller is and the caller hears the call. Returns the 200 (for inDialog).
 */
export async function rtpCall(h: Harness, udp: RawUdp, rtp: RtpPeer, o: { to: string; user: string; password: string }): Promise<SipResponse> {
  const ok = await inviteQueue(h, udp, { ...o, sdp: rtp.sdp(['PCMU']) });
  expect(ok.status).toBe(200);
  inDialog(h, udp, ok, 'ACK');
  rtp.useRemote(ok.body.toString());
  rtp.startTone(0);
  return ok;
}

/**
 * A phone caller who leaves a voicemail: dials `to`, waits for the tone after the prompt, says `hz` for `seconds`,
 * then hangs up (its BYE answered before this returns: a socket closed at once would drop it) or presses # (the
 * server then says the message was saved and hangs up, which this waits for).
 */
export async function leaveVoicemail(
  h: Harness,
  udp: RawUdp,
  o: { to: string; user: string; password: string; hz: number; seconds: number; end?: 'hang-up' | 'hash' },
): Promise<void> {
  const rtp = await RtpPeer.create();
  try {
    const ok = await rtpCall(h, udp, rtp, o);
    // "… leave your message after the tone", then the 1 kHz tone
    await eventually(() => rtp.received.length > 8000 && rtp.toneShare(1000, 0.3) > 0.8, 20_000, 'the tone');
    rtp.startTone(o.hz);
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    rtp.startTone(0);
    if (o.end === 'hash') {
      inDialog(h, udp, ok, 'INFO', { digit: '#' });
      await udp.take((m) => 'method' in m && m.method === 'BYE' && m.callId === ok.callId, 20_000);
    } else {
      inDialog(h, udp, ok, 'BYE');
      await udp.take((m) => 'status' in m && m.callId === ok.callId && m.cseq.method === 'BYE');
    }
  } finally {
    rtp.close();
  }
}
