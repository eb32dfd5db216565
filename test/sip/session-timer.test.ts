import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingCall, SipStack } from '../../sip/index.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../sip/message/message.ts';
import { expiryDelayMs, parseMinSe, parseSessionExpires, refreshDelayMs } from '../../sip/dialog/session-timer.ts';
import { RawUdp, SDP, startStack } from './helpers.ts';

describe('RFC 4028 header values and timing', () => {
  it('parses Session-Expires with its refresher, Min-SE, and refuses malformed values', () => {
    expect(parseSessionExpires('1800')).toEqual({ seconds: 1800, refresher: undefined });
    expect(parseSessionExpires(' 90 ;Refresher = UAS;x=y')).toEqual({ seconds: 90, refresher: 'uas' });
    expect(parseSessionExpires('1800;refresher=uac')).toEqual({ seconds: 1800, refresher: 'uac' });
    expect(parseSessionExpires('soon')).toBeUndefined();
    expect(parseSessionExpires('1800;refresher=me')).toBeUndefined();
    expect(parseSessionExpires('-5')).toBeUndefined();
    expect(parseMinSe('90;x=1')).toBe(90);
    expect(parseMinSe('ninety')).toBeUndefined();
  });

  it('refreshes at half the interval; without refresh, ends at the interval minus min(32 s, a third)', () => {
    expect(refreshDelayMs(1800)).toBe(900_000);
    expect(expiryDelayMs(1800)).toBe(1768_000);
    expect(expiryDelayMs(90)).toBe(60_000);
  });
});

/** A caller over UDP written by hand, so that the test controls exactly what it asks for and when it refreshes. */
describe('session timers on an incoming call', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  let n = 0;
  async function setup(): Promise<{ stack: SipStack; ua: RawUdp; port: number; calls: IncomingCall[] }> {
    const stack = await startStack({ trustedSources: ['127.0.0.1'], sessionMinSeconds: 2, timers: { T1: 50 } });
    const ua = await new RawUdp().open();
    cleanup.push(() => stack.close(), () => ua.close());
    const calls: IncomingCall[] = [];
    stack.on('incomingCall', (call) => {
      calls.push(call);
      void call.answer(SDP(6000)).catch(() => {});
    });
    return { stack, ua, port: stack.ports.udp!, calls };
  }

  function invite(o: { port: number; ua: RawUdp; callId: string; headers: string[]; cseq?: number; toTag?: string }): string {
    return [
      `INVITE sip:queue@127.0.0.1:${o.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${o.ua.port};branch=z9hG4bK-st-${++n};rport`,
      'Max-Forwards: 70',
      `From: <sip:caller@127.0.0.1>;tag=caller-${o.callId}`,
      `To: <sip:queue@127.0.0.1>${o.toTag ? `;tag=${o.toTag}` : ''}`,
      `Call-ID: ${o.callId}`,
      `CSeq: ${o.cseq ?? 1} INVITE`,
      `Contact: <sip:caller@127.0.0.1:${o.ua.port}>`,
      ...o.headers,
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(SDP(4000))}`,
      '',
      SDP(4000),
    ].join('\r\n');
  }

  function ack(o: { port: number; ua: RawUdp; callId: string; toTag: string; cseq: number }): string {
    return [
      `ACK sip:b2bua@127.0.0.1:${o.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${o.ua.port};branch=z9hG4bK-st-${++n}`,
      'Max-Forwards: 70',
      `From: <sip:caller@127.0.0.1>;tag=caller-${o.callId}`,
      `To: <sip:queue@127.0.0.1>;tag=${o.toTag}`,
      `Call-ID: ${o.callId}`,
      `CSeq: ${o.cseq} ACK`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  /** Answers a request the stack sent us (its Via, From, To, Call-ID and CSeq copied back). */
  function answer(req: SipRequest, status: number, withSdp: boolean): string {
    const reasons: Record<number, string> = { 200: 'OK', 481: 'Call/Transaction Does Not Exist', 491: 'Request Pending' };
    const lines = [`SIP/2.0 ${status} ${reasons[status]}`];
    for (const v of req.getAll('via')) lines.push(`Via: ${v}`);
    lines.push(`From: ${req.get('from')}`, `To: ${req.get('to')}`, `Call-ID: ${req.callId}`, `CSeq: ${req.get('cseq')}`);
    if (withSdp) lines.push('Contact: <sip:caller@127.0.0.1>', 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(SDP(4000))}`, '', SDP(4000));
    else lines.push('Content-Length: 0', '', '');
    return lines.join('\r\n');
  }

  const isFinal = (callId: string) => (m: SipMessage) => m.callId === callId && (m as SipResponse).status >= 200;
  const isRequest = (callId: string, method: string) => (m: SipMessage) => m.callId === callId && (m as SipRequest).method === method;

  /** The first 3 s interval would have ended at t0 + 2 s; the refreshed one ends about 2 s after the refresh. */
  async function byeAfterRefresh(ctx: { port: number; ua: RawUdp }, callId: string, t0: number, tRefresh: number): Promise<void> {
    const bye = await ctx.ua.take<SipRequest>(isRequest(callId, 'BYE'), 6000);
    expect(Date.now() - t0).toBeGreaterThan(2800);
    expect(Date.now() - tRefresh).toBeGreaterThanOrEqual(1900);
    ctx.ua.send(answer(bye, 200, false), ctx.port);
  }

  async function establish(ctx: { port: number; ua: RawUdp }, callId: string, headers: string[]): Promise<{ res: SipResponse; t0: number }> {
    const t0 = Date.now();
    ctx.ua.send(invite({ ...ctx, callId, headers }), ctx.port);
    const res = await ctx.ua.take<SipResponse>(isFinal(callId));
    if (res.status === 200) ctx.ua.send(ack({ ...ctx, callId, toTag: res.toTag!, cseq: 1 }), ctx.port);
    return { res, t0 };
  }

  it('answers a caller that asks for timers with its interval and Require: timer, and ends the call with BYE when no refresh comes', async () => {
    const ctx = await setup();
    const { res, t0 } = await establish(ctx, 'st-expire', ['Supported: timer', 'Session-Expires: 3']);
    expect(res.status).toBe(200);
    expect(res.get('session-expires')).toBe('3;refresher=uac');
    expect(res.getAll('require')).toContain('timer');
    const closed = new Promise<string>((r) => ctx.calls[0]!.once('close', r));
    const bye = await ctx.ua.take<SipRequest>(isRequest('st-expire', 'BYE'), 6000);
    // RFC 4028 10: at 3 s - min(32, 1) = 2 s
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(await closed).toBe('session-expired');
    ctx.ua.send(answer(bye, 200, false), ctx.port);
  });

  it('a refresh re-INVITE before the end keeps the call up for another interval', async () => {
    const ctx = await setup();
    const { res, t0 } = await establish(ctx, 'st-refresh', ['Supported: timer', 'Session-Expires: 3;refresher=uac']);
    const toTag = res.toTag!;
    await new Promise((r) => setTimeout(r, 1200));
    ctx.ua.send(invite({ ...ctx, callId: 'st-refresh', headers: ['Supported: timer', 'Session-Expires: 3;refresher=uac'], cseq: 2, toTag }), ctx.port);
    const refreshed = await ctx.ua.take<SipResponse>(isFinal('st-refresh'));
    const tRefresh = Date.now();
    expect(refreshed.status).toBe(200);
    expect(refreshed.get('session-expires')).toBe('3;refresher=uac');
    ctx.ua.send(ack({ ...ctx, callId: 'st-refresh', toTag, cseq: 2 }), ctx.port);
    await byeAfterRefresh(ctx, 'st-refresh', t0, tRefresh);
  });

  it('an UPDATE refreshes the session too (RFC 3311: without SDP no SDP comes back), and an UPDATE with an offer is answered', async () => {
    const ctx = await setup();
    const { res, t0 } = await establish(ctx, 'st-update', ['Supported: timer', 'Session-Expires: 3;refresher=uac']);
    const toTag = res.toTag!;
    const update = (cseq: number, sdp: boolean): string =>
      [
        `UPDATE sip:b2bua@127.0.0.1:${ctx.port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${ctx.ua.port};branch=z9hG4bK-st-${++n}`,
        'Max-Forwards: 70',
        'From: <sip:caller@127.0.0.1>;tag=caller-st-update',
        `To: <sip:queue@127.0.0.1>;tag=${toTag}`,
        'Call-ID: st-update',
        `CSeq: ${cseq} UPDATE`,
        `Contact: <sip:caller@127.0.0.1:${ctx.ua.port}>`,
        'Supported: timer',
        'Session-Expires: 3;refresher=uac',
        ...(sdp ? ['Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(SDP(4002))}`, '', SDP(4002)] : ['Content-Length: 0', '', '']),
      ].join('\r\n');
    await new Promise((r) => setTimeout(r, 1200));
    ctx.ua.send(update(2, false), ctx.port);
    const refreshed = await ctx.ua.take<SipResponse>(isFinal('st-update'));
    const tRefresh = Date.now();
    expect(refreshed.status).toBe(200);
    expect(refreshed.get('session-expires')).toBe('3;refresher=uac');
    expect(refreshed.body.length).toBe(0);
    const offers: string[] = [];
    ctx.calls[0]!.on('reinvite', (offer) => offers.push(offer));
    ctx.ua.send(update(3, true), ctx.port);
    const answered = await ctx.ua.take<SipResponse>(isFinal('st-update'));
    expect(answered.status).toBe(200);
    expect(answered.bodyText).toContain('m=audio 6000');
    expect(offers[0]).toContain('m=audio 4002');
    await byeAfterRefresh(ctx, 'st-update', t0, tRefresh);
  });

  it('as the refresher (asked by the caller, or because the caller does not support timers) re-INVITEs at half the interval, and hangs up when the refresh fails', async () => {
    const ctx = await setup();
    const { res } = await establish(ctx, 'st-uas', ['Session-Expires: 2']); // no Supported: timer (a proxy put it there)
    expect(res.get('session-expires')).toBe('2;refresher=uas');
    expect(res.getAll('require')).not.toContain('timer');
    const first = await ctx.ua.take<SipRequest>(isRequest('st-uas', 'INVITE'), 4000);
    expect(first.get('session-expires')).toBe('2;refresher=uas');
    expect(first.bodyText).toContain('m=audio 6000'); // the same session, unchanged
    // glare: our refresh meets a re-INVITE of the caller's (491), and is tried again a moment later
    ctx.ua.send(answer(first, 491, false), ctx.port);
    const retried = await ctx.ua.take<SipRequest>(isRequest('st-uas', 'INVITE'), 4000);
    expect(retried.cseq.seq).toBeGreaterThan(first.cseq.seq);
    ctx.ua.send(answer(retried, 200, true), ctx.port);
    await ctx.ua.take<SipRequest>(isRequest('st-uas', 'ACK'));
    const second = await ctx.ua.take<SipRequest>(isRequest('st-uas', 'INVITE'), 4000);
    const closed = new Promise<string>((r) => ctx.calls[0]!.once('close', r));
    ctx.ua.send(answer(second, 481, false), ctx.port);
    expect(await closed).toBe('session-expired');
  });

  it('refuses an interval below its Min-SE with 422 and a malformed Session-Expires with 400; takes Require: timer', async () => {
    const ctx = await setup();
    const small = await establish(ctx, 'st-small', ['Supported: timer', 'Session-Expires: 1']);
    expect(small.res.status).toBe(422);
    expect(small.res.get('min-se')).toBe('2');
    const bad = await establish(ctx, 'st-bad', ['Session-Expires: soon']);
    expect(bad.res.status).toBe(400);
    expect(bad.res.reason).toMatch(/Session-Expires/);
    const required = await establish(ctx, 'st-require', ['Require: timer', 'Supported: timer', 'Session-Expires: 60']);
    expect(required.res.status).toBe(200);
    expect(required.res.get('session-expires')).toBe('60;refresher=uac');
    expect(ctx.calls).toHaveLength(1);
  });

  it('a call whose caller asked for no timer gets none', async () => {
    const ctx = await setup();
    const { res } = await establish(ctx, 'st-none', []);
    expect(res.status).toBe(200);
    expect(res.get('session-expires')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 2500));
    expect(ctx.calls[0]!.isClosed).toBe(false);
    expect(ctx.ua.inbox.some(isRequest('st-none', 'BYE'))).toBe(false);
  });
});
