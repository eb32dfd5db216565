import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { bridge, type IncomingCall, type SipStack } from '../../sip/index.ts';
import { RawUdp, SDP, startStack, waitFor } from './helpers.ts';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Browser {
  ws: WebSocket;
  invite(callId: string): void;
  next(pred: (m: string) => boolean): Promise<string>;
}

/** A stack with SIP over WebSocket on an HTTP server, calls from 127.0.0.1 trusted. */
async function wsStack(qualifySeconds?: number): Promise<{ stack: SipStack; url: string }> {
  const server = http.createServer((_q, s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => new Promise((r) => server.close(r)));
  const stack = await startStack({ ws: { server }, trustedSources: ['127.0.0.1'], ...(qualifySeconds !== undefined ? { qualify: { intervalSeconds: qualifySeconds } } : {}) });
  cleanup.push(() => stack.close());
  return { stack, url: `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/sip` };
}

/** A browser-like caller: SIP over its own WebSocket (RFC 7118), Contact on a .invalid host. */
async function browser(url: string, answersPings = true): Promise<Browser> {
  const ws = new WebSocket(url, 'sip', { autoPong: answersPings });
  cleanup.push(() => ws.terminate());
  await new Promise((r) => ws.once('open', r));
  const inbox: string[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (d) => {
    inbox.push(d.toString());
    for (const w of waiters.splice(0)) w();
  });
  return {
    ws,
    async next(pred) {
      for (;;) {
        const i = inbox.findIndex(pred);
        if (i >= 0) return inbox.splice(i, 1)[0]!;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    invite(callId) {
      const body = SDP(40000);
      ws.send(
        [
          'INVITE sip:queue@127.0.0.1 SIP/2.0',
          `Via: SIP/2.0/WS abc.invalid;branch=z9hG4bK${callId}`,
          'Max-Forwards: 70',
          `From: <sip:web@test.local>;tag=${callId}`,
          'To: <sip:queue@test.local>',
          `Call-ID: ${callId}`,
          'CSeq: 1 INVITE',
          'Contact: <sip:web@abc.invalid;transport=ws>',
          'Content-Type: application/sdp',
          `Content-Length: ${Buffer.byteLength(body)}`,
          '',
          body,
        ].join('\r\n'),
      );
    },
  };
}

/** A browser's WebSocket is its only path: when it closes, its calls end (a closed tab must not keep an agent busy). */
describe('a WebSocket caller whose connection closes', () => {
  it('ends an answered call, and the bridged callee gets a BYE', async () => {
    const { stack, url } = await wsStack();
    const b = await browser(url);
    const callee = await new RawUdp().open();
    cleanup.push(() => callee.close());
    const incoming = waitFor<IncomingCall>(stack, 'incomingCall');
    b.invite('wslost1');
    const call = await incoming;
    const out = stack.placeCall({ target: `sip:agent@127.0.0.1:${callee.port}`, from: 'sip:queue@test.local', sdp: SDP(5000) });
    bridge(call, out);
    // the callee answers; the browser gets the 200 and acknowledges it
    const inv = await callee.take((m) => 'method' in m && m.method === 'INVITE');
    callee.send(
      [
        'SIP/2.0 200 OK',
        `Via: ${inv.get('via')}`,
        `From: ${inv.get('from')}`,
        `To: ${inv.get('to')};tag=callee`,
        `Call-ID: ${inv.callId}`,
        `CSeq: ${inv.get('cseq')}`,
        `Contact: <sip:agent@127.0.0.1:${callee.port}>`,
        'Content-Type: application/sdp',
        `Content-Length: ${Buffer.byteLength(SDP(6000))}`,
        '',
        SDP(6000),
      ].join('\r\n'),
      stack.ports.udp!,
    );
    const ok = await b.next((m) => m.startsWith('SIP/2.0 200'));
    const toTag = /^To: .*tag=([^;\r\n]+)/m.exec(ok)![1];
    b.ws.send(`ACK sip:queue@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS abc.invalid;branch=z9hG4bKack1\r\nMax-Forwards: 70\r\nFrom: <sip:web@test.local>;tag=wslost1\r\nTo: <sip:queue@test.local>;tag=${toTag}\r\nCall-ID: wslost1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 100));
    expect(stack.stats().activeDialogs).toBe(2);
    expect(call.isClosed).toBe(false);

    const closed = waitFor<string>(call, 'close');
    b.ws.close();
    expect(await closed).toBe('connection-lost');
    const bye = await callee.take((m) => 'method' in m && m.method === 'BYE');
    expect(bye.callId).toBe(inv.callId);
  });

  it('ends a call that was still ringing, and leaves a call on another connection alone', async () => {
    const { stack, url } = await wsStack();
    const b = await browser(url);
    const other = await browser(url);
    const ringing = waitFor<IncomingCall>(stack, 'incomingCall');
    b.invite('wslost2');
    const call = await ringing;
    call.progress(180);
    await b.next((m) => m.startsWith('SIP/2.0 180'));
    const elsewhere = waitFor<IncomingCall>(stack, 'incomingCall');
    other.invite('wsstays');
    const stays = await elsewhere;

    const closed = waitFor<string>(call, 'close');
    b.ws.terminate();
    expect(await closed).toBe('connection-lost');
    expect(call.isClosed).toBe(true);
    expect(stays.isClosed).toBe(false);
  });

  it('fails a call still ringing a WebSocket callee with 480 at once, so the caller can be offered elsewhere', async () => {
    const { stack, url } = await wsStack();
    const agent = await browser(url);
    agent.ws.send(
      'REGISTER sip:test.local SIP/2.0\r\nVia: SIP/2.0/WS abc.invalid;branch=z9hG4bKreg1\r\nMax-Forwards: 70\r\n' +
        'From: <sip:agent@test.local>;tag=r1\r\nTo: <sip:agent@test.local>\r\nCall-ID: reg1\r\nCSeq: 1 REGISTER\r\n' +
        'Contact: <sip:agent@abc.invalid;transport=ws>\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n',
    );
    expect(await agent.next((m) => m.includes('CSeq: 1 REGISTER'))).toMatch(/^SIP\/2\.0 200/);
    const [binding] = stack.bindingsFor('sip:agent@test.local');
    const out = stack.placeCall({ target: binding!, from: 'sip:queue@test.local', sdp: SDP(5000) });
    const inv = await agent.next((m) => m.startsWith('INVITE '));
    const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(inv)![1]!.trim();
    agent.ws.send(
      `SIP/2.0 180 Ringing\r\nVia: ${header('Via')}\r\nFrom: ${header('From')}\r\nTo: ${header('To')};tag=ag\r\n` +
        `Call-ID: ${header('Call-ID')}\r\nCSeq: ${header('CSeq')}\r\nContact: <sip:agent@abc.invalid;transport=ws>\r\nContent-Length: 0\r\n\r\n`,
    );
    await waitFor(out, 'provisional');
    const failed = waitFor<[number, string]>(out, 'failed', 5000);
    agent.ws.close();
    expect((await failed)[0]).toBe(480);
    expect(out.isClosed).toBe(true);
  });

  it('closes a WebSocket that stops answering pings (a browser whose network vanished), which ends its calls', async () => {
    const { stack, url } = await wsStack(1);
    const gone = await browser(url, false);
    const alive = await browser(url);
    const incoming = waitFor<IncomingCall>(stack, 'incomingCall');
    gone.invite('wsping1');
    const call = await incoming;
    call.progress(180);
    const closedWs = new Promise((r) => gone.ws.once('close', r));
    expect(await waitFor<string>(call, 'close', 5000)).toBe('connection-lost');
    await closedWs;
    // one that answers its pings stays, however many intervals pass
    await new Promise((r) => setTimeout(r, 2500));
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
  });
});
