import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Registerer, RegistererState, SessionState, UserAgent, type Invitation } from 'sip.js';
import type { Binding, SipStack } from '../../../sip/index.ts';
import { SDP, startStack, waitFor } from '../helpers.ts';
import { StaticSdh } from '../support/static-sdh.ts';
import { requireNetns } from './peers.ts';

// sip.js 0.21 (the browser softphone's SIP library) running in Node over a WebSocket with the "sip" subprotocol.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

let stack: SipStack;
let ua: UserAgent;
const invitations: Invitation[] = [];

beforeAll(async () => {
  requireNetns();
  stack = await startStack({ ws: { port: 0 } });
});

afterAll(async () => {
  await ua?.stop().catch(() => {});
  await stack?.close();
});

describe('interop: sip.js over WebSocket', () => {
  it('sip.js registers over WebSocket with digest authentication', async () => {
    const added = waitFor<Binding>(stack, 'bindingAdded');
    ua = new UserAgent({
      uri: UserAgent.makeURI('sip:1001@test.local'),
      transportOptions: { server: `ws://127.0.0.1:${stack.ports.ws}/sip` },
      authorizationUsername: '1001',
      authorizationPassword: 'secret',
      logBuiltinEnabled: false,
      sessionDescriptionHandlerFactory: () => new StaticSdh(SDP(9000)),
      delegate: {
        onInvite: (inv) => {
          invitations.push(inv);
          void inv.accept();
        },
      },
    });
    await ua.start();
    const registerer = new Registerer(ua, { expires: 300 });
    const registered = new Promise<void>((resolve) =>
      registerer.stateChange.addListener((s) => {
        if (s === RegistererState.Registered) resolve();
      }),
    );
    await registerer.register();
    await registered;
    const b = await added;
    expect(b.transport).toBe('ws');
    expect(b.contact).toMatch(/\.invalid;transport=ws/);
    expect(stack.bindingsFor('1001')).toHaveLength(1);
  });

  it('a call placed to the browser binding goes down its WebSocket and is answered', async () => {
    const [binding] = stack.bindingsFor('1001');
    const out = stack.placeCall({ target: binding!, from: '"Sales" <sip:sales@test.local>', sdp: SDP(4000), headers: { 'X-Call-Token': 'ws-1' } });
    const answer = await waitFor<string>(out, 'answered');
    expect(answer).toContain('m=audio 9000');
    const inv = invitations.at(-1)!;
    expect(inv.request.getHeader('X-Call-Token')).toBe('ws-1');
    await new Promise((r) => setTimeout(r, 50));
    expect(inv.state).toBe(SessionState.Established);
    const ended = new Promise<void>((resolve) => inv.stateChange.addListener((s) => s === SessionState.Terminated && resolve()));
    await out.bye();
    await ended;
  });

  it('closing the WebSocket removes the binding and tells listeners', async () => {
    const removed = waitFor<[Binding, string]>(stack, 'bindingRemoved');
    await ua.transport.disconnect();
    const [b, reason] = await removed;
    expect(b.transport).toBe('ws');
    expect(reason).toBe('connection-closed');
    expect(stack.bindingsFor('1001')).toHaveLength(0);
  });
});

describe('interop: sip.js calling in over WebSocket', () => {
  it('sip.js places a call that is challenged with 407, answered by the call layer and hung up by us', async () => {
    const { Inviter } = await import('sip.js');
    const caller = new UserAgent({
      uri: UserAgent.makeURI('sip:1002@test.local'),
      transportOptions: { server: `ws://127.0.0.1:${stack.ports.ws}/sip` },
      authorizationUsername: '1002',
      authorizationPassword: 'secret',
      logBuiltinEnabled: false,
      sessionDescriptionHandlerFactory: () => new StaticSdh(SDP(9100)),
    });
    await caller.start();
    try {
      const incoming = waitFor<import('../../../sip/index.ts').IncomingCall>(stack, 'incomingCall');
      const inviter = new Inviter(caller, UserAgent.makeURI('sip:queue-sales@test.local')!, { extraHeaders: ['X-Call-Token: widget-7'] });
      const established = new Promise<void>((resolve) => inviter.stateChange.addListener((s) => s === SessionState.Established && resolve()));
      const ended = new Promise<void>((resolve) => inviter.stateChange.addListener((s) => s === SessionState.Terminated && resolve()));
      await inviter.invite();
      const call = await incoming;
      expect(call.identity.username).toBe('1002');
      expect(call.header('X-Call-Token')).toBe('widget-7');
      expect(call.remoteSdp).toContain('m=audio 9100');
      call.progress(180);
      await call.answer(SDP(4100));
      await established;
      await call.bye();
      await ended;
    } finally {
      await caller.stop();
    }
  });
});
