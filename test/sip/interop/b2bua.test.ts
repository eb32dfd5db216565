import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipStack } from '../../../sip/index.ts';
import { parseSipUri } from '../../../sip/message/uri.ts';
import { startTestRouter } from '../../../bench/sip-router.ts';
import { startStack, waitFor } from '../helpers.ts';
import { freePort, requireNetns, run, stopAll } from './peers.ts';
import { BaresipPhone, PHONE_ADDRESS as PHONE_IP } from '../../support/baresip.ts';

// sipp caller -> our B2BUA (fixed test route: Request-URI user -> its registered device) -> baresip callee
let stack: SipStack;
const phones: BaresipPhone[] = [];
let auto: BaresipPhone;
let manual: BaresipPhone;

beforeAll(async () => {
  requireNetns();
  stack = await startStack({ host: PHONE_IP, udpPort: await freePort(PHONE_IP), trustedSources: ['10.250.0.1'] });
  startTestRouter(stack, (call) => stack.bindingsFor(parseSipUri(call.requestUri).user ?? '')[0]);
  const reg = async (user: string, mode: 'auto' | 'manual', rtpMin: number): Promise<BaresipPhone> => {
    const added = waitFor(stack, 'bindingAdded', 10_000);
    const p = new BaresipPhone({
      sipPort: await freePort(PHONE_IP),
      ctrlPort: await freePort(),
      rtpMin,
      registrar: `${PHONE_IP}:${stack.ports.udp}`,
      username: user,
      password: 'secret',
      answer: mode,
      regint: 60,
    });
    phones.push(p);
    await p.start();
    await added;
    return p;
  };
  auto = await reg('1001', 'auto', 22000);
  manual = await reg('1002', 'manual', 22200);
}, 30_000);

afterAll(async () => {
  for (const p of phones) await p.stop();
  await stopAll();
  await stack?.close();
});

const sipp = async (scenario: string[], user: string): Promise<{ code: number | null; out: string }> =>
  run('sipp', [`${PHONE_IP}:${stack.ports.udp}`, ...scenario, '-s', user, '-m', '1', '-i', PHONE_IP, '-p', String(await freePort(PHONE_IP)), '-nostdin', '-timeout', '20s', '-timeout_error']);

describe('interop: B2BUA bridging sipp to baresip', () => {
  it('bridges a sipp call to baresip, and the caller\'s BYE ends both legs', async () => {
    const established = auto.waitEvent('CALL_ESTABLISHED');
    const closed = auto.waitEvent('CALL_CLOSED', 15_000);
    const r = await sipp(['-sn', 'uac', '-d', '500'], '1001');
    expect(r.code, r.out).toBe(0);
    await established;
    await closed;
    expect(stack.stats().activeDialogs).toBe(0);
  });

  it('a BYE from the baresip callee ends the sipp caller\'s leg too', async () => {
    const established = auto.waitEvent('CALL_ESTABLISHED');
    const call = sipp(['-sf', 'uac-wait-bye.xml'], '1001');
    await established;
    await new Promise((r) => setTimeout(r, 300));
    await auto.command('hangup');
    const r = await call;
    expect(r.code, r.out).toBe(0);
    await new Promise((res) => setTimeout(res, 100));
    expect(stack.stats().activeDialogs).toBe(0);
  });

  it('a CANCEL from sipp before the answer stops baresip ringing', async () => {
    const ringing = manual.waitEvent('CALL_INCOMING');
    const closed = manual.waitEvent('CALL_CLOSED', 15_000);
    const r = await sipp(['-sf', 'uac-cancel.xml'], '1002');
    expect(r.code, r.out).toBe(0);
    await ringing;
    await closed;
  });
});
