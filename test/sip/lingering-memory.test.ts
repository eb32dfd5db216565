import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { bridge, type IncomingCall, type OutgoingCall, type SipStack } from '../../sip/index.ts';
import { SDP, startStack, waitFor } from './helpers.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
}

/**
 * caller -> b2bua -> callee, all on loopback UDP (the B2BUA keeps RFC 3261's 32 s linger timers, T1 = 500 ms): `calls`
 * bridged calls, each answered by the callee and ended by the caller's BYE. `onLegs` sees each call's two legs at the
 * B2BUA as they are bridged. Resolves with the B2BUA once both legs of every call ended there.
 */
async function bridgedCalls(calls: number, onLegs: (incoming: IncomingCall, outgoing: OutgoingCall) => void): Promise<SipStack> {
  const caller = await startStack({ trustedSources: ['127.0.0.1'], timers: { T1: 50 } });
  const b2bua = await startStack({ trustedSources: ['127.0.0.1'] });
  const callee = await startStack({ trustedSources: ['127.0.0.1'], timers: { T1: 50 } });
  cleanup.push(() => caller.close(), () => b2bua.close(), () => callee.close());
  b2bua.on('incomingCall', (call) => {
    const out = b2bua.placeCall({ target: `sip:agent@127.0.0.1:${callee.ports.udp}`, from: `<${call.fromUri}>`, sdp: call.remoteSdp ?? '' });
    bridge(call, out);
    onLegs(call, out);
  });
  callee.on('incomingCall', (call) => {
    call.progress(180);
    void call.answer(SDP(6000)).catch(() => {});
  });
  for (let i = 0; i < calls; i++) {
    const out = caller.placeCall({ target: `sip:queue@127.0.0.1:${b2bua.ports.udp}`, from: 'sip:customer@test.local', sdp: SDP(4000 + i) });
    await waitFor(out, 'answered');
    const closed = waitFor(out, 'close');
    await out.bye();
    await closed;
  }
  await expect.poll(() => b2bua.stats().activeDialogs).toBe(0);
  return b2bua;
}

describe('finished calls and lingering transactions', () => {
  it('a B2BUA call that ended can be garbage-collected while its transactions still absorb retransmissions', async () => {
    const legs: Array<WeakRef<IncomingCall | OutgoingCall>> = [];
    const b2bua = await bridgedCalls(10, (call, out) => legs.push(new WeakRef(call), new WeakRef(out)));
    expect(legs).toHaveLength(20);
    const lingering = (s: SipStack): number => s.stats().serverTransactions + s.stats().clientTransactions;
    expect(lingering(b2bua)).toBeGreaterThan(0);

    await collect();
    const alive = legs.filter((w) => w.deref() !== undefined).length;
    // the transactions are still there (timers J/L/M run 32 s), the calls are not
    expect(lingering(b2bua)).toBeGreaterThan(0);
    expect(alive).toBe(0);
  });

  it('a finished leg that is still referenced keeps neither the other leg, nor its dialog, nor the INVITE it sent', async () => {
    // V8's young-generation collector keeps whatever an old object points to, even an old object that is garbage
    // waiting for the next full collection: a finished leg can be reached that way, so it must hold little. Here the
    // test itself holds the legs, and what they held must be collectable.
    const held: Array<IncomingCall | OutgoingCall> = [];
    const inner: Array<WeakRef<object>> = [];
    await bridgedCalls(3, (call, out) => {
      held.push(call, out);
      inner.push(new WeakRef(out.invite));
      // (after the bridge's listener, which answered the caller: both legs have their dialog now)
      out.on('answered', () => inner.push(new WeakRef(out.dialog!), new WeakRef(call.dialog!)));
    });
    expect(held).toHaveLength(6);
    expect(inner).toHaveLength(9);
    for (const leg of held) {
      expect(leg.isClosed).toBe(true);
      // no listener left: the bridge's closures (which reach the other leg) are gone
      expect(leg.eventNames()).toEqual([]);
    }

    await collect();
    expect(inner.filter((w) => w.deref() !== undefined)).toHaveLength(0);
  });
});
