import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../sip/message/parser.ts';
import { SipRequest, SipResponse } from '../../../sip/message/message.ts';
import { validateRequest, validateResponse } from '../../../sip/message/validate.ts';
import { checkRequestSemantics } from '../../../sip/core/request-checks.ts';
import { SipParseError } from '../../../sip/message/errors.ts';
import type { Flow } from '../../../sip/transport/flow.ts';

// RFC 4475 torture messages, shipped in the npm package "sip" (devDependency used only for these fixtures)
const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('sip/package.json')), 'test/messages');
const load = (name: string): Buffer => readFileSync(path.join(dir, `${name}.dat`));

/** The torture messages come over plain UDP. */
const UDP_FLOW: Flow = { protocol: 'udp', remoteAddress: '192.0.2.1', remotePort: 5060, localAddress: '192.0.2.2', localPort: 5060, connectionId: undefined };

/** What the stack does with a datagram before any application logic: the same functions, in the same order. */
function outcome(name: string): { kind: 'drop' } | { kind: 'accept'; msg: SipRequest | SipResponse } | { kind: 'reject'; status: number; reason: string } {
  let msg;
  try {
    msg = parseMessage(load(name), { datagram: true, maxMessageSize: 65535 });
  } catch (e) {
    expect(e).toBeInstanceOf(SipParseError);
    return { kind: 'drop' };
  }
  if (msg instanceof SipResponse) return validateResponse(msg) === undefined ? { kind: 'accept', msg } : { kind: 'drop' };
  const req = msg as SipRequest;
  const p = validateRequest(req) ?? checkRequestSemantics(req, UDP_FLOW);
  return p ? { kind: 'reject', status: p.status, reason: p.reason } : { kind: 'accept', msg: req };
}

// RFC 4475 section 3: the outcome each message must get
const ACCEPTED = ['wsinv', 'esc01', 'escnull', 'lwsdisp', 'longreq', 'dblreq', 'semiuri', 'transports', 'unreason', 'noreason', 'badbranch', 'unksm2', 'zeromf', 'cparam01', 'cparam02', 'regescrt', 'inv2543', 'regaut01', 'bcast'];
const REJECTED: Record<string, number> = {
  badinv01: 400, clerr: 400, ncl: 400, scalar02: 400, quotbal: 400, ltgtruri: 400, lwsruri: 400, lwsstart: 400, trws: 400,
  escruri: 400, baddate: 400, regbadct: 400, badaspec: 400, baddn: 400, badvers: 505, mismatch01: 400, mismatch02: 501,
  insuf: 400, unkscm: 416, novelsc: 416, bext01: 420, invut: 415, multi01: 400, mcl01: 400, sdp01: 406,
  intmeth: 501, esc02: 501, mpart01: 405,
};
const DROPPED = ['scalarlg', 'bigcode'];

describe('RFC 4475 torture messages', () => {
  for (const name of ACCEPTED) {
    it(`the valid message ${name} is accepted`, () => {
      expect(outcome(name).kind).toBe('accept');
    });
  }
  for (const [name, status] of Object.entries(REJECTED)) {
    it(`the message ${name} is answered with ${status}`, () => {
      const o = outcome(name);
      expect(o.kind).toBe('reject');
      if (o.kind === 'reject') {
        expect(o.status).toBe(status);
        expect(o.reason.length).toBeGreaterThan(3);
      }
    });
  }
  for (const name of DROPPED) {
    it(`the invalid response ${name} is dropped`, () => {
      expect(outcome(name).kind).toBe('drop');
    });
  }

  it('the tortuous INVITE is read field by field despite folding, compact names and odd spacing', () => {
    const m = parseMessage(load('wsinv'), { datagram: true }) as SipRequest;
    expect(m.getAll('via')).toHaveLength(3);
    expect(m.via.host).toBe('192.0.2.2');
    expect(m.toTag).toBe('1918181833n');
    expect(m.fromTag).toBe('98asjd8');
    expect(m.from.displayName).toBe('J Rosenberg \\"');
    expect(m.cseq).toEqual({ seq: 9, method: 'INVITE' });
    expect(m.get('max-forwards')).toBe('0068');
    expect(m.get('newfangledheader')).toBe('newfangled value continued newfangled value');
    expect(m.get('contact')).toContain('secondparam');
    expect(m.body.length).toBe(150);
  });

  it('trailing octets after Content-Length in a datagram are ignored', () => {
    const m = parseMessage(load('dblreq'), { datagram: true }) as SipRequest;
    expect(m.method).toBe('REGISTER');
    expect(m.body.length).toBe(0);
  });

  it('an escaped header name is not the header it spells', () => {
    const m = parseMessage(load('esc02'), { datagram: true }) as SipRequest;
    expect(m.getAll('contact')).toHaveLength(2);
    expect(m.get('c%6fntact')).toContain('alias2');
  });

  it('a UTF-8 reason phrase survives', () => {
    const m = parseMessage(load('unreason'), { datagram: true }) as SipResponse;
    expect(m.status).toBe(200);
    expect(m.reason).toMatch(/^= 2\*\*3 \* 5\*\*2 но сто девяносто девять/);
  });

  it('the bad-extension answer lists every unsupported option tag', () => {
    const o = parseMessage(load('bext01'), { datagram: true }) as SipRequest;
    const p = checkRequestSemantics(o, UDP_FLOW)!;
    expect(p.headers).toEqual([['Unsupported', 'nothingSupportsThis, nothingSupportsThisEither']]);
  });
});
