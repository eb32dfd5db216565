import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingCall, SipStack } from '../../sip/index.ts';
import { OverloadControl } from '../../sip/core/overload.ts';
import { RawUdp, startStack } from './helpers.ts';

describe('overload control (the controller)', () => {
  const make = (opts = {}) => new OverloadControl({ maxLoad: 0.9, sustainReadings: 2, ...opts }, () => ({ received: 0, retransmissions: 0 }), () => 0);
  const refusals = (c: OverloadControl, n: number): number => {
    let r = 0;
    for (let i = 0; i < n; i++) if (!c.admit()) r++;
    return r;
  };

  it('refuses nothing while only one signal says overload: a busy loop that keeps up, or retransmissions on an idle loop', () => {
    const c = make();
    for (let i = 0; i < 10; i++) c.update(1, 0, 1000);
    expect(c.state().rejectShare).toBe(0);
    // a phone that went away: our INVITE to it is retransmitted now and then
    for (let i = 0; i < 10; i++) c.update(1, 1, 10);
    expect(c.state().rejectShare).toBe(0);
    // a few retransmissions among many messages (under 5 %)
    for (let i = 0; i < 10; i++) c.update(1, 49, 1000);
    expect(c.state().rejectShare).toBe(0);
    for (let i = 0; i < 10; i++) c.update(0.5, 20, 100);
    expect(c.state().rejectShare).toBe(0);
    expect(refusals(c, 100)).toBe(0);
  });

  it('starts after the sustained readings, raises the share 10 points per overloaded reading, spreads refusals evenly', () => {
    const c = make();
    c.update(0.97, 50, 1000);
    expect(c.state().rejectShare).toBe(0);
    c.update(0.97, 50, 1000);
    expect(c.state().rejectShare).toBeCloseTo(0.1);
    c.update(1, 5, 100);
    c.update(1, 5, 100);
    expect(c.state().rejectShare).toBeCloseTo(0.3);
    // 3 in every 10, not in bursts
    for (let round = 0; round < 5; round++) expect(refusals(c, 10)).toBe(3);
    expect(c.state().rejected).toBe(15);
  });

  it('never refuses every call, and falls back to taking all of them once the overload is over', () => {
    const changes: boolean[] = [];
    const c = make();
    c.onChange = (shedding) => changes.push(shedding);
    for (let i = 0; i < 30; i++) c.update(1, 5, 100);
    expect(c.state().rejectShare).toBeCloseTo(0.95);
    expect(refusals(c, 100)).toBe(95);
    for (let i = 0; i < 9; i++) c.update(0.3, 0, 100);
    expect(c.state().rejectShare).toBeGreaterThan(0);
    c.update(0.3, 0, 100);
    expect(c.state().rejectShare).toBe(0);
    expect(refusals(c, 100)).toBe(0);
    expect(changes).toEqual([true, false]);
  });

  it('is off with maxLoad 0 and refuses a maxLoad outside [0, 1)', () => {
    expect(make({ maxLoad: 0 }).enabled).toBe(false);
    expect(() => make({ maxLoad: 1 })).toThrow(/maxLoad/);
    expect(() => make({ maxLoad: -0.1 })).toThrow(/maxLoad/);
  });
});

/**
 * The stack under real overload: its event loop is kept busy in chunks (as a flood of work would), and the caller
 * runs in a process of its own so that it retransmits on time, as a phone would.
 */
describe('overload control (the stack over UDP)', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  const CALLER = fileURLToPath(new URL('./support/udp-caller.mjs', import.meta.url));
  type CallerResult = { finals: Record<string, number>; unanswered: number; retransmissions: number };
  function runCaller(port: number, count: number, gapMs: number): Promise<CallerResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(process.execPath, [CALLER, String(port), String(count), String(gapMs)], { timeout: 30_000 }, (err, stdout) => {
        if (err) reject(err);
        else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as CallerResult);
      });
      cleanup.push(() => child.kill());
    });
  }

  /** Blocks this process's event loop in chunks of `chunkMs` until stopped, yielding to I/O between chunks. */
  function busyLoop(chunkMs: number): { stop: () => void; maxLoad: () => number; stack?: SipStack } {
    let running = true;
    let peak = 0;
    const loop = { stop: () => void (running = false), maxLoad: () => peak, stack: undefined as SipStack | undefined };
    const chunk = (): void => {
      if (!running) return;
      const end = Date.now() + chunkMs;
      while (Date.now() < end) {
        // busy
      }
      if (loop.stack) peak = Math.max(peak, loop.stack.stats().overload.load);
      setImmediate(chunk);
    };
    setImmediate(chunk);
    cleanup.push(loop.stop);
    return loop;
  }

  async function stackRejectingCalls(): Promise<SipStack> {
    const stack = await startStack({ trustedSources: ['127.0.0.1'], overload: { maxLoad: 0.9, intervalMs: 100, sustainReadings: 2 } });
    cleanup.push(() => stack.close());
    // answered a little later, as a real call is (after the database, the ACD, the callee): not inside the INVITE's own turn
    stack.on('incomingCall', (call: IncomingCall) => void setTimeout(() => call.reject(486, 'Busy Here'), 20));
    return stack;
  }

  it('while callers wait more than T1 on a saturated loop, refuses a share of new INVITEs with 503, and takes them all again afterwards', async () => {
    const stack = await stackRejectingCalls();
    const port = stack.ports.udp!;
    const busy = busyLoop(800);
    busy.stack = stack;
    const options = new RawUdp();
    await options.open();
    cleanup.push(() => options.close());
    // 8 s of calls: time enough for the readings to add up even when CI's other tests load both cores
    const flood = runCaller(port, 80, 100);
    // while calls are being refused, OPTIONS (like registrations and in-dialog requests) is still answered
    const deadline = Date.now() + 15_000;
    while (stack.stats().overload.rejected === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(stack.stats().overload.rejected).toBeGreaterThan(0);
    options.send(
      `OPTIONS sip:127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${options.port};branch=z9hG4bK-opt-1\r\nMax-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: opt-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
      port,
    );
    expect((await options.take((m) => m.callId === 'opt-1', 5000)).status).toBe(200);
    busy.stop();
    const during = await flood;
    expect(busy.maxLoad()).toBeGreaterThan(0.9);
    expect(during.retransmissions).toBeGreaterThan(0);
    expect(during.unanswered).toBe(0);
    expect(during.finals['503']).toBeGreaterThan(0);
    expect(during.finals['503']).toBe(stack.stats().overload.rejected);
    expect((during.finals['486'] ?? 0) + during.finals['503']!).toBe(80);

    // the loop is free again: the share falls back to 0 and every new call is taken
    const calm = Date.now() + 8000;
    while (stack.stats().overload.rejectShare > 0 && Date.now() < calm) await new Promise((r) => setTimeout(r, 50));
    expect(stack.stats().overload.rejectShare).toBe(0);
    const after = await runCaller(port, 10, 20);
    expect(after.finals).toEqual({ '486': 10 });
  });

  it('refuses nothing while the loop is saturated but answers within T1 (no caller retransmits)', async () => {
    const stack = await stackRejectingCalls();
    const busy = busyLoop(150);
    busy.stack = stack;
    const result = await runCaller(stack.ports.udp!, 20, 100);
    busy.stop();
    expect(busy.maxLoad()).toBeGreaterThan(0.9);
    expect(result.finals).toEqual({ '486': 20 });
    expect(stack.stats().overload.rejected).toBe(0);
  });
});
