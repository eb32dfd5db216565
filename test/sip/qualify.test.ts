import { afterEach, describe, expect, it } from 'vitest';
import type { Binding, SipStack } from '../../sip/index.ts';
import type { SipMessage, SipRequest } from '../../sip/message/message.ts';
import { RawUdp, register, startStack } from './helpers.ts';

/** Qualify: the stack's OPTIONS to registered devices, and the reachability events the call layer routes by. */
describe('qualifying registered devices', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(): Promise<{ stack: SipStack; phone: RawUdp; events: Array<[string, boolean]> }> {
    const stack = await startStack({ trustedSources: ['127.0.0.1'], qualify: { intervalSeconds: 0.3, timeoutMs: 300 } });
    const phone = await new RawUdp().open();
    cleanup.push(() => stack.close(), () => phone.close());
    const events: Array<[string, boolean]> = [];
    stack.on('bindingReachability', (b: Binding, reachable: boolean) => events.push([b.contact, reachable]));
    phone.send(register({ port: stack.ports.udp!, user: '1001', clientPort: phone.port, expires: 3600 }), stack.ports.udp!);
    expect((await phone.take((m) => m.cseq.method === 'REGISTER')).status).toBe(200);
    return { stack, phone, events };
  }

  const isOptions = (m: SipMessage): boolean => (m as SipRequest).method === 'OPTIONS';
  function answer(phone: RawUdp, req: SipRequest, port: number): void {
    phone.send([
      'SIP/2.0 200 OK', ...req.getAll('via').map((v) => `Via: ${v}`), `From: ${req.get('from')}`, `To: ${req.get('to')};tag=phone`,
      `Call-ID: ${req.callId}`, `CSeq: ${req.get('cseq')}`, 'Content-Length: 0', '', '',
    ].join('\r\n'), port);
  }

  it('probes a registered UDP device with OPTIONS; one that answers stays reachable', async () => {
    const { stack, phone, events } = await setup();
    for (let i = 0; i < 3; i++) {
      const probe = await phone.take<SipRequest>(isOptions, 2000);
      expect(probe.uri).toBe(`sip:1001@127.0.0.1:${phone.port}`);
      expect(probe.get('to')).toContain('sip:1001@');
      answer(phone, probe, stack.ports.udp!);
    }
    expect(events).toEqual([]);
    expect(stack.isReachable(stack.bindingsFor('1001')[0]!)).toBe(true);
  });

  it('a device that stops answering is unreachable, and reachable again when it answers or registers', async () => {
    const { stack, phone, events } = await setup();
    const contact = `sip:1001@127.0.0.1:${phone.port}`;
    // each probe is a new OPTIONS (its own Call-ID); an unanswered one is also retransmitted (timer E)
    const seen = new Set<string>();
    const nextProbe = async (): Promise<SipRequest> => {
      const probe = await phone.take<SipRequest>((m) => isOptions(m) && !seen.has(m.callId), 3000);
      seen.add(probe.callId);
      return probe;
    };
    const until = async (n: number): Promise<void> => {
      const deadline = Date.now() + 3000;
      while (events.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    await nextProbe(); // not answered
    await until(1);
    expect(events).toEqual([[contact, false]]);
    expect(stack.isReachable(stack.bindingsFor('1001')[0]!)).toBe(false);
    // it answers the next probe
    answer(phone, await nextProbe(), stack.ports.udp!);
    await until(2);
    expect(events).toEqual([[contact, false], [contact, true]]);
    // silent again, then a REGISTER brings it back at once
    await nextProbe();
    await until(3);
    expect(events.at(-1)).toEqual([contact, false]);
    phone.send(register({ port: stack.ports.udp!, user: '1001', clientPort: phone.port, expires: 3600, cseq: 2, callId: 'again' }), stack.ports.udp!);
    await phone.take((m) => m.cseq.method === 'REGISTER' && (m as { status?: number }).status === 200);
    expect(events.at(-1)).toEqual([contact, true]);
  });
});
