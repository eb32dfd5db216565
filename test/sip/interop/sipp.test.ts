import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingCall, SipStack } from '../../../sip/index.ts';
import { SDP, startStack } from '../helpers.ts';
import { freePort, requireNetns, run, sippCounts, stopAll } from './peers.ts';

// sipp (Debian sip-tester 3.6) against our stack, on loopback inside the test namespace.
let stack: SipStack;
let port: number;
const calls: IncomingCall[] = [];

beforeAll(async () => {
  requireNetns();
  port = await freePort();
  // 127.0.0.3 plays a trusted gateway; everything else must authenticate
  stack = await startStack({ udpPort: port, trustedSources: ['127.0.0.3'] });
  stack.on('incomingCall', (call) => {
    calls.push(call);
    call.progress(180);
    setTimeout(() => void call.answer(SDP(7000)).catch(() => {}), 20);
  });
});

afterAll(async () => {
  await stopAll();
  await stack?.close();
});

const S = (p: number, ip = '127.0.0.1'): string[] => ['-i', ip, '-p', String(p), '-nostdin', '-timeout', '20s', '-timeout_error'];

describe('interop: sipp', () => {
  it('sipp gets 200 for OPTIONS', async () => {
    const r = await run('sipp', [`127.0.0.1:${port}`, '-sf', 'options.xml', '-m', '1', ...S(await freePort())]);
    expect(r.code, r.out).toBe(0);
  });

  for (const [transport, flag] of [['UDP', 'u1'], ['TCP', 't1']] as const) {
    it(`sipp registers with digest over ${transport} after a 401 challenge`, async () => {
      const r = await run('sipp', [`127.0.0.1:${port}`, '-t', flag, '-sf', 'register-auth.xml', '-s', '1001', '-au', '1001', '-ap', 'secret', '-m', '1', ...S(await freePort())]);
      expect(r.code, r.out).toBe(0);
      expect(stack.bindingsFor('1001').some((b) => b.transport === transport.toLowerCase())).toBe(true);
    });
  }

  it('sipp with a wrong password is refused', async () => {
    const r = await run('sipp', [`127.0.0.1:${port}`, '-sf', 'register-auth.xml', '-s', '1002', '-au', '1002', '-ap', 'WRONG', '-m', '1', ...S(await freePort(), '127.0.0.2')]);
    expect(r.code).toBe(1);
    expect(sippCounts(r.out).failed).toBe(1);
    expect(stack.bindingsFor('1002')).toHaveLength(0);
  });

  it('sipp gets the right 4xx for malformed requests and the stack keeps answering', async () => {
    const r = await run('sipp', [`127.0.0.1:${port}`, '-sf', 'malformed.xml', '-m', '1', ...S(await freePort())]);
    expect(r.code, r.out).toBe(0);
  });

  it('sipp places a call that is challenged with 407, authenticates, is answered and hung up', async () => {
    const before = calls.length;
    const r = await run('sipp', [`127.0.0.1:${port}`, '-sf', 'uac-auth.xml', '-s', '2000', '-au', '1001', '-ap', 'secret', '-m', '1', ...S(await freePort())]);
    expect(r.code, r.out).toBe(0);
    expect(calls.length).toBe(before + 1);
    expect(calls.at(-1)!.identity.username).toBe('1001');
  });

  it('sipp places 20 calls from a trusted gateway without failures', async () => {
    const before = calls.length;
    const r = await run('sipp', [`127.0.0.1:${port}`, '-sn', 'uac', '-s', '2000', '-r', '20', '-m', '20', '-d', '100', ...S(await freePort('127.0.0.3'), '127.0.0.3')]);
    expect(r.code, r.out).toBe(0);
    expect(sippCounts(r.out)).toEqual({ ok: 20, failed: 0 });
    expect(calls.length).toBe(before + 20);
    await new Promise((res) => setTimeout(res, 100));
    expect(stack.stats().activeDialogs).toBe(0);
  });

  it('sipp asks for RFC 4028 session timers, never refreshes, and the stack ends the call when the session expires', async () => {
    // a stack of its own with a 2 s Min-SE (RFC 4028's floor of 90 s would make this test last a minute)
    const timed = await startStack({ udpPort: await freePort(), trustedSources: ['127.0.0.1'], sessionMinSeconds: 2 });
    const closed: string[] = [];
    timed.on('incomingCall', (call) => {
      call.once('close', (reason) => closed.push(reason));
      void call.answer(SDP(7002)).catch(() => {});
    });
    try {
      const t0 = Date.now();
      const r = await run('sipp', [`127.0.0.1:${timed.ports.udp}`, '-sf', 'uac-session-timer.xml', '-s', '2000', '-m', '1', ...S(await freePort())]);
      expect(r.code, r.out).toBe(0);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1900); // the BYE came at 3 s - min(32 s, 1 s)
      expect(closed).toEqual(['session-expired']);
    } finally {
      await timed.close();
    }
  });
});
