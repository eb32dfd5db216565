import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Binding, SipStack } from '../../../sip/index.ts';
import { SDP, startStack, waitFor } from '../helpers.ts';
import { freePort, requireNetns, stopAll } from './peers.ts';
import { BaresipPhone, PHONE_ADDRESS as PHONE_IP } from '../../support/baresip.ts';

// baresip 1.0 as a desk phone: registers with digest over UDP, then receives calls our UAC places.
let stack: SipStack;
let phone: BaresipPhone;

beforeAll(async () => {
  requireNetns();
  stack = await startStack({ host: PHONE_IP, udpPort: await freePort(PHONE_IP) });
});

afterAll(async () => {
  await phone?.stop();
  await stopAll();
  await stack?.close();
});

describe('interop: baresip', () => {
  it('baresip registers with digest authentication', async () => {
    const added = waitFor<Binding>(stack, 'bindingAdded', 10_000);
    phone = new BaresipPhone({
      sipPort: await freePort(PHONE_IP),
      ctrlPort: await freePort(),
      rtpMin: 21000,
      registrar: `${PHONE_IP}:${stack.ports.udp}`,
      username: '1001',
      password: 'secret',
      answer: 'auto',
      regint: 60,
    });
    await phone.start();
    const b = await added;
    expect(b.aor).toBe('sip:1001@test.local');
    expect(b.transport).toBe('udp');
    expect(b.username).toBe('1001');
  });

  it('baresip answers a call our UAC places and hangs up when we send BYE', async () => {
    const [binding] = stack.bindingsFor('1001');
    const out = stack.placeCall({ target: binding!, from: '"Queue" <sip:queue@test.local>', sdp: SDP(30000, PHONE_IP) });
    const answer = await waitFor<string>(out, 'answered', 10_000);
    expect(answer).toMatch(/m=audio \d+ RTP\/AVP/);
    await phone.waitEvent('CALL_ESTABLISHED');
    const closed = phone.waitEvent('CALL_CLOSED');
    await out.bye();
    await closed;
  });

  it('a BYE from baresip ends our outgoing leg', async () => {
    const [binding] = stack.bindingsFor('1001');
    const out = stack.placeCall({ target: binding!, from: 'sip:queue@test.local', sdp: SDP(30002, PHONE_IP) });
    await waitFor(out, 'answered', 10_000);
    await phone.waitEvent('CALL_ESTABLISHED');
    const bye = waitFor(out, 'bye');
    await phone.command('hangup');
    await bye;
    expect(out.isClosed).toBe(true);
  });
});
