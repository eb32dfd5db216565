import { describe, expect, it } from 'vitest';
import { AcdEngine, AcdStateError, AcdTypeError, ACD_ERROR_HTTP_STATUS, type AcdEngineOptions, type QueueConfig } from '../../acd/index.ts';

const S = 1000;

/** An engine with a decision log. */
function setup(options: AcdEngineOptions = {}) {
  const engine = new AcdEngine(options);
  const log: string[] = [];
  const positions = new Map<string, [number, number | null]>();
  engine.on('offer', (c, agents, kind) => log.push(`offer ${c} ${agents.join(',')}${kind === 'callback' ? ' callback' : ''}`));
  engine.on('cancelOffer', (c, a, r) => log.push(`cancel ${c} ${a} ${r}`));
  engine.on('assigned', (c, a) => log.push(`assigned ${c} ${a}`));
  engine.on('overflow', (c, t) => log.push(`overflow ${c} ${'queue' in t ? t.queue : t.action}`));
  engine.on('positionChanged', (c, p, e) => positions.set(c, [p, e]));
  const offers = () => log.filter((l) => l.startsWith('offer'));
  const agent = (id: string, skills: Record<string, number> = {}, languages: Record<string, number> = {}, at = 0) => {
    engine.defineAgent(at, id, { skills, languages });
    engine.agentLogin(at, id);
    engine.agentReady(at, id);
  };
  const queue = (id: string, cfg: QueueConfig = {}, at = 0) => engine.configureQueue(at, id, cfg);
  return { engine, log, offers, agent, queue, positions };
}

describe('agent states', () => {
  it('an agent in wrap-up is not offered a call', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { wrapUpSeconds: 30 });
    agent('a');
    engine.callArrived(0, 'c1', 'q');
    engine.offerAccepted(1 * S, 'c1', 'a');
    engine.callEnded(10 * S, 'c1');
    expect(engine.agentInfo('a').state).toBe('wrap-up');
    engine.callArrived(20 * S, 'c2', 'q');
    expect(offers()).toEqual(['offer c1 a']);
    engine.advance(40 * S);
    expect(offers()).toEqual(['offer c1 a', 'offer c2 a']);
  });

  it('an agent who logs out during a call stays on it and is logged out after its wrap-up; logging in again first cancels that', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { wrapUpSeconds: 30 });
    agent('a');
    engine.callArrived(0, 'c1', 'q');
    engine.offerAccepted(1 * S, 'c1', 'a');
    engine.agentLogout(2 * S, 'a');
    expect(engine.agentInfo('a')).toMatchObject({ state: 'busy', callId: 'c1' });
    engine.callArrived(3 * S, 'c2', 'q');
    engine.callEnded(10 * S, 'c1');
    expect(engine.agentInfo('a').state).toBe('wrap-up');
    engine.advance(40 * S);
    expect(engine.agentInfo('a')).toMatchObject({ state: 'logged-out', callId: null });
    expect(offers()).toEqual(['offer c1 a']);
    // changed their mind: logged in again while still on the call
    engine.agentLogin(41 * S, 'a');
    engine.agentReady(41 * S, 'a');
    engine.offerAccepted(41 * S, 'c2', 'a');
    engine.agentLogout(42 * S, 'a');
    engine.agentLogin(43 * S, 'a');
    engine.callEnded(50 * S, 'c2');
    engine.advance(80 * S);
    expect(engine.agentInfo('a').state).toBe('ready');
  });

  it('an agent who asks for not-ready during a call goes not-ready after wrap-up instead of ready', () => {
    const { engine, agent, queue } = setup();
    queue('q', { wrapUpSeconds: 5 });
    agent('a');
    engine.callArrived(0, 'c1', 'q');
    engine.offerAccepted(0, 'c1', 'a');
    engine.agentNotReady(1 * S, 'a', 'lunch');
    expect(engine.agentInfo('a').state).toBe('busy');
    engine.callEnded(2 * S, 'c1');
    engine.advance(10 * S);
    expect(engine.agentInfo('a')).toMatchObject({ state: 'not-ready', reason: 'lunch' });
  });

  it('an agent whose device went away is not offered calls until it is back', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q');
    agent('a');
    engine.deviceDown(0, 'a');
    engine.callArrived(1 * S, 'c1', 'q');
    expect(offers()).toEqual([]);
    engine.deviceUp(2 * S, 'a');
    expect(offers()).toEqual(['offer c1 a']);
  });

  it('a logged-out agent cannot go ready and the error has a stable code', () => {
    const { engine } = setup();
    engine.defineAgent(0, 'a', {});
    try {
      engine.agentReady(0, 'a');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AcdStateError);
      expect((e as AcdStateError).code).toBe('ACD_ERR_INVALID_STATE');
      expect(ACD_ERROR_HTTP_STATUS[(e as AcdStateError).code]).toBe(409);
    }
  });
});

describe('ring-no-answer', () => {
  it('a call that is not answered goes back to the head of its queue and the agent is paused after N misses', () => {
    const { engine, offers, agent, queue, log } = setup({ ringTimeoutSeconds: 10, maxMissedOffers: 2 });
    queue('q');
    agent('a');
    engine.callArrived(0, 'c1', 'q');
    engine.callArrived(1 * S, 'c2', 'q');
    engine.advance(10 * S);
    expect(log).toContain('cancel c1 a timeout');
    // c1 was first in line and still is: it is offered again before c2
    expect(offers()).toEqual(['offer c1 a', 'offer c1 a']);
    engine.advance(20 * S);
    expect(engine.agentInfo('a')).toMatchObject({ state: 'not-ready', reason: 'missed-offers' });
    agent('b', {}, {}, 21 * S);
    expect(offers().at(-1)).toBe('offer c1 b');
  });

  it('a rejected offer goes to the next agent', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q');
    agent('a');
    agent('b', {}, {}, 1);
    engine.callArrived(2, 'c1', 'q');
    engine.offerRejected(3, 'c1', 'a');
    expect(offers()).toEqual(['offer c1 a', 'offer c1 b']);
  });
});

describe('strategies', () => {
  it('longest-idle offers the call to the agent idle the longest', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { strategy: 'longest-idle' });
    agent('b', {}, {}, 1 * S);
    agent('c', {}, {}, 3 * S);
    agent('a', {}, {}, 5 * S);
    engine.callArrived(10 * S, 'c1', 'q');
    expect(offers()).toEqual(['offer c1 b']);
  });

  it('most-skilled offers the call to the agent with the highest level in the required skills', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { strategy: 'most-skilled', skills: { billing: 2 } });
    agent('a', { billing: 3 });
    agent('c', { billing: 1 });
    agent('b', { billing: 5 }, {}, 1);
    engine.callArrived(10, 'c1', 'q');
    expect(offers()).toEqual(['offer c1 b']);
  });

  it('fewest-calls offers the call to the agent who handled the fewest', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { strategy: 'fewest-calls' });
    agent('a');
    engine.callArrived(1, 'c1', 'q');
    engine.offerAccepted(1, 'c1', 'a');
    engine.callEnded(2, 'c1');
    agent('b', {}, {}, 3);
    engine.callArrived(4, 'c2', 'q');
    // a has been idle longer (since 2) but has handled a call; b has handled none
    expect(offers()).toEqual(['offer c1 a', 'offer c2 b']);
  });

  it('round-robin rotates through the agents', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { strategy: 'round-robin' });
    for (const id of ['a', 'b', 'c']) agent(id);
    for (let i = 1; i <= 4; i++) {
      engine.callArrived(i * S, `c${i}`, 'q');
      engine.offerAccepted(i * S, `c${i}`, offers().at(-1)!.split(' ')[2]!);
      engine.callEnded(i * S + 1, `c${i}`);
    }
    expect(offers().map((o) => o.split(' ')[2])).toEqual(['a', 'b', 'c', 'a']);
  });

  it('ring-all rings every eligible ready agent and cancels the others when one answers', () => {
    const { engine, log, agent, queue } = setup();
    queue('q', { strategy: 'ring-all', language: 'de' });
    agent('a', {}, { de: 3 });
    agent('b', {}, { en: 3 });
    agent('c', {}, { de: 1 });
    engine.callArrived(1, 'c1', 'q');
    engine.offerAccepted(2, 'c1', 'c');
    expect(log).toEqual(['offer c1 a,c', 'assigned c1 c', 'cancel c1 a answered-elsewhere']);
    expect(engine.agentInfo('a').state).toBe('ready');
  });
});

describe('ring-all after nobody answered', () => {
  it('rings everyone who let it ring again, together (not the first of them alone); agents it pauses are left out', () => {
    const { engine, offers, agent, queue } = setup({ ringTimeoutSeconds: 10, maxMissedOffers: 2 });
    queue('q', { strategy: 'ring-all' });
    for (const id of ['a', 'b', 'c', 'd']) agent(id);
    engine.callArrived(0, 'c0', 'q');
    engine.offerRejected(1 * S, 'c0', 'a'); // a and b decline once: one more miss pauses them
    engine.offerRejected(1 * S, 'c0', 'b');
    engine.offerAccepted(2 * S, 'c0', 'c');
    engine.callEnded(2.5 * S, 'c0');
    engine.callArrived(3 * S, 'c1', 'q');
    engine.advance(13 * S);
    expect(offers()).toEqual(['offer c0 a,b,c,d', 'offer c1 a,b,c,d', 'offer c1 c,d']);
    expect(engine.agentInfo('a')).toMatchObject({ state: 'not-ready', reason: 'missed-offers' });
    expect(engine.agentInfo('b')).toMatchObject({ state: 'not-ready', reason: 'missed-offers' });
  });
});

describe('skills, languages and steps', () => {
  it('a call is offered only to agents with the required skill levels and language', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { skills: { tech: 3 }, language: 'et' });
    agent('low', { tech: 2 }, { et: 5 });
    agent('nolang', { tech: 5 }, { en: 5 });
    agent('ok', { tech: 3 }, { et: 1 }, 5);
    engine.callArrived(10, 'c1', 'q');
    expect(offers()).toEqual(['offer c1 ok']);
  });

  it('a call that has waited past a step accepts the relaxed requirements', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { skills: { tech: 4 }, language: 'de', steps: [{ afterSeconds: 30, skills: { tech: 2 } }, { afterSeconds: 60, language: 'en' }] });
    agent('de2', { tech: 2 }, { de: 4 });
    engine.agentNotReady(0, 'de2', 'busy elsewhere');
    agent('en2', { tech: 2 }, { en: 4 });
    engine.callArrived(0, 'c1', 'q');
    engine.advance(59 * S);
    expect(offers()).toEqual([]);
    engine.advance(60 * S);
    expect(offers()).toEqual(['offer c1 en2']);
    expect(engine.callInfo('c1')!.level).toBe(2);
  });

  it("a call's own language overrides the queue's and picks the right agents", () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { skills: { billing: 1 } });
    agent('en', { billing: 1 }, { en: 5 });
    agent('hu', { billing: 1 }, { hu: 2 }, 1);
    engine.callArrived(5, 'c1', 'q', { language: 'hu' });
    expect(offers()).toEqual(['offer c1 hu']);
  });
});

describe('calls with skills of their own', () => {
  it('two calls asking for the same skills in different languages each go to an agent who speaks theirs, at every level', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { skills: { billing: 1 }, steps: [{ afterSeconds: 30, skills: {} }] });
    agent('de', { billing: 1, tax: 3 }, { de: 5 });
    agent('fr', { billing: 1, tax: 3 }, { fr: 5 });
    engine.agentNotReady(0, 'de', 'meeting');
    engine.agentNotReady(0, 'fr', 'meeting');
    engine.callArrived(1 * S, 'c-de', 'q', { language: 'de', skills: { tax: 2 } });
    engine.callArrived(2 * S, 'c-fr', 'q', { language: 'fr', skills: { tax: 2 } });
    engine.callArrived(3 * S, 'c-fr-later', 'q', { language: 'fr', skills: { tax: 2 } });
    engine.advance(40 * S); // past the step: the queue's own skill is relaxed, the calls' own skills and languages stay
    engine.agentReady(41 * S, 'fr');
    expect(offers()).toEqual(['offer c-fr fr']);
    engine.agentReady(42 * S, 'de');
    expect(offers()).toEqual(['offer c-fr fr', 'offer c-de de']);
  });
});

describe('priorities and fairness across queues', () => {
  it('an agent serving several queues gets the call with the highest priority, then the longest wait', () => {
    const { engine, offers, agent, queue } = setup();
    queue('low', { priority: 0 });
    queue('high', { priority: 5 });
    engine.callArrived(1 * S, 'old-low', 'low');
    engine.callArrived(2 * S, 'new-high', 'high');
    engine.callArrived(3 * S, 'newer-high', 'high');
    engine.callArrived(4 * S, 'vip-low', 'low', { priority: 5 });
    agent('a', {}, {}, 5 * S);
    expect(offers()).toEqual(['offer new-high a']);
    engine.offerAccepted(5 * S, 'new-high', 'a');
    engine.callEnded(6 * S, 'new-high');
    engine.offerAccepted(6 * S, 'newer-high', 'a');
    engine.callEnded(7 * S, 'newer-high');
    expect(offers()).toEqual(['offer new-high a', 'offer newer-high a', 'offer vip-low a']);
  });
});

describe('known agent', () => {
  it('a returning customer waits for the agent who served them before, then goes to anyone', () => {
    const { engine, offers, agent, queue } = setup({ knownAgentSeconds: 20 });
    queue('q');
    agent('other');
    engine.defineAgent(0, 'known', {});
    engine.agentLogin(0, 'known');
    engine.callArrived(1 * S, 'c1', 'q', { knownAgentId: 'known' });
    expect(offers()).toEqual([]);
    engine.agentReady(5 * S, 'known');
    expect(offers()).toEqual(['offer c1 known']);
    engine.offerAccepted(5 * S, 'c1', 'known');
    engine.callArrived(6 * S, 'c2', 'q', { knownAgentId: 'known' });
    engine.advance(25 * S);
    expect(offers()).toEqual(['offer c1 known']);
    engine.advance(26 * S);
    expect(offers()).toEqual(['offer c1 known', 'offer c2 other']);
  });

  it('a call waiting for its known agent goes to anyone at once when that agent logs out (at once, or after their call)', () => {
    const { engine, offers, agent, queue } = setup({ knownAgentSeconds: 60 });
    queue('q');
    agent('other');
    engine.agentNotReady(0, 'other', 'break');
    engine.defineAgent(0, 'known', {});
    engine.agentLogin(0, 'known');
    engine.callArrived(1 * S, 'c1', 'q', { knownAgentId: 'known' });
    engine.callArrived(2 * S, 'c2', 'q', { knownAgentId: 'known' });
    engine.agentReady(3 * S, 'other');
    expect(offers()).toEqual([]);
    engine.agentLogout(4 * S, 'known');
    expect(offers()).toEqual(['offer c1 other']);
    expect(engine.callInfo('c2')).toMatchObject({ state: 'waiting', level: 0 });
    // a known agent on a call who logs out: their callers stop waiting for them when that call is over
    engine.agentLogin(5 * S, 'known');
    engine.agentReady(5 * S, 'known');
    expect(offers().at(-1)).toBe('offer c2 known');
    engine.offerAccepted(6 * S, 'c2', 'known');
    engine.callArrived(7 * S, 'c3', 'q', { knownAgentId: 'known' });
    engine.agentLogout(8 * S, 'known');
    engine.offerAccepted(9 * S, 'c1', 'other');
    engine.callEnded(10 * S, 'c1');
    expect(offers().at(-1)).toBe('offer c2 known');
    engine.callEnded(11 * S, 'c2');
    expect(engine.agentInfo('known').state).toBe('logged-out');
    expect(offers().at(-1)).toBe('offer c3 other');
  });
});

describe("a call's own skills for a while (skillsSeconds)", () => {
  const LAPTOP = { skills: { laptops: 3 }, skillsSeconds: 30 };
  /** A queue with no skills of its own, a laptop expert busy with another call and a generalist ready. */
  const expertBusy = () => {
    const s = setup();
    s.queue('q', { positionUpdateSeconds: 3600 });
    s.agent('expert', { laptops: 3 });
    s.engine.callArrived(0, 'c0', 'q');
    s.engine.offerAccepted(0, 'c0', 'expert');
    s.agent('generalist', {}, {}, 1 * S);
    return s;
  };

  it('a call that asks for a laptop expert for 30 s waits for one, then at exactly 30 s is offered to the ready generalist', () => {
    const { engine, offers } = expertBusy();
    engine.callArrived(10 * S, 'c1', 'q', LAPTOP);
    expect(offers()).toEqual(['offer c0 expert']);
    expect(engine.callInfo('c1')!.requirements).toEqual({ skills: [['laptops', 3]], language: null });
    // the engine's next timer is the end of the window: the call moves then, not at the next input
    expect(engine.nextDeadline()).toBe(40 * S);
    engine.advance(40 * S - 1);
    expect(offers()).toEqual(['offer c0 expert']);
    engine.advance(40 * S);
    expect(offers()).toEqual(['offer c0 expert', 'offer c1 generalist']);
    // what it was offered under is what it needs now: the queue's requirements alone
    expect(engine.callInfo('c1')!.requirements).toEqual({ skills: [], language: null });
  });

  it('a laptop expert ready at its arrival gets the call, though the generalist has been idle longer', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q');
    agent('generalist');
    agent('expert', { laptops: 4 }, {}, 5 * S);
    engine.callArrived(10 * S, 'c1', 'q', LAPTOP);
    expect(offers()).toEqual(['offer c1 expert']);
  });

  it('a laptop expert who becomes ready within the window takes the waiting call at once', () => {
    const { engine, offers } = expertBusy();
    engine.callArrived(10 * S, 'c1', 'q', LAPTOP);
    engine.callEnded(25 * S, 'c0');
    expect(offers()).toEqual(['offer c0 expert', 'offer c1 expert']);
  });

  it('without skillsSeconds the skills apply as long as the call waits', () => {
    const { engine, offers } = expertBusy();
    engine.callArrived(10 * S, 'c1', 'q', { skills: { laptops: 3 } });
    expect(engine.nextDeadline()).toBe(3600 * S); // only the position batch: no window to end
    engine.advance(7200 * S);
    expect(offers()).toEqual(['offer c0 expert']);
    engine.callEnded(7201 * S, 'c0');
    expect(offers()).toEqual(['offer c0 expert', 'offer c1 expert']);
  });

  it('skillsSeconds 0 means the skills never apply', () => {
    const { engine, offers } = expertBusy();
    engine.callArrived(10 * S, 'c1', 'q', { skills: { laptops: 3 }, skillsSeconds: 0 });
    expect(offers()).toEqual(['offer c0 expert', 'offer c1 generalist']);
    expect(engine.callInfo('c1')!.requirements).toEqual({ skills: [], language: null });
  });

  it("after the window a call with a language of its own needs that language, as a call without skills would", () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { language: 'en' });
    agent('en', {}, { en: 5 });
    agent('de', {}, { de: 5 });
    engine.callArrived(1 * S, 'c1', 'q', { language: 'de', ...LAPTOP });
    engine.advance(30 * S);
    expect(offers()).toEqual([]);
    engine.advance(31 * S);
    expect(offers()).toEqual(['offer c1 de']);
    expect(engine.callInfo('c1')!.requirements).toEqual({ skills: [], language: 'de' });
  });

  it('the window counts from the entry into the queue: a scheduled callback from its time, a transfer and an overflow from their move', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { positionUpdateSeconds: 3600 });
    queue('nobody', { skills: { rare: 1 }, maxWaitSeconds: 20, overflow: { queue: 'q' } });
    agent('expert', { laptops: 3 });
    engine.agentNotReady(0, 'expert', 'meeting');
    engine.callbackScheduled(0, 'cb', 'q', 100 * S, LAPTOP);
    engine.callArrived(0, 'moved', 'nobody', LAPTOP);
    engine.callArrived(0, 'spilled', 'nobody', LAPTOP);
    engine.transferToQueue(10 * S, 'moved', 'q'); // keeps its options: the laptop skills, for 30 s in q
    engine.advance(20 * S);
    expect(engine.callInfo('spilled')).toMatchObject({ queueId: 'q', enteredAt: 20 * S });
    agent('generalist', {}, {}, 21 * S);
    engine.agentNotReady(21 * S, 'generalist', 'wait');
    // 30 s after each arrival, all three still ask for laptops
    engine.advance(35 * S);
    for (const c of ['moved', 'spilled']) expect(engine.callInfo(c)!.requirements).toEqual({ skills: [['laptops', 3]], language: null });
    expect(engine.callInfo('moved')!.enteredAt).toBe(10 * S);
    engine.advance(40 * S);
    expect(engine.callInfo('moved')!.requirements).toEqual({ skills: [], language: null });
    expect(engine.callInfo('spilled')!.requirements).toEqual({ skills: [['laptops', 3]], language: null });
    engine.advance(50 * S);
    expect(engine.callInfo('spilled')!.requirements).toEqual({ skills: [], language: null });
    expect(engine.callInfo('cb')!.state).toBe('scheduled');
    engine.advance(100 * S);
    expect(engine.callInfo('cb')!.requirements).toEqual({ skills: [['laptops', 3]], language: null });
    expect(engine.nextDeadline()).toBe(130 * S);
    // the generalist takes the two whose window is over, in their order (the overflow kept its place, the transfer did not)
    engine.agentReady(101 * S, 'generalist');
    expect(offers()).toEqual(['offer spilled generalist']);
    engine.offerAccepted(101 * S, 'spilled', 'generalist');
    engine.callEnded(102 * S, 'spilled');
    expect(offers()).toEqual(['offer spilled generalist', 'offer moved generalist']);
    engine.offerAccepted(102 * S, 'moved', 'generalist');
    engine.callEnded(103 * S, 'moved');
    engine.advance(130 * S - 1);
    expect(offers()).toHaveLength(2);
    engine.advance(130 * S);
    expect(offers()).toEqual(['offer spilled generalist', 'offer moved generalist', 'offer cb generalist callback']);
  });

  it('a transfer whose options carry skills for a while applies them anew from the transfer', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q');
    agent('first');
    engine.callArrived(0, 'c1', 'q');
    engine.offerAccepted(0, 'c1', 'first');
    engine.defineAgent(0, 'expert', { skills: { laptops: 3 } });
    engine.agentLogin(0, 'expert');
    engine.transferToQueue(50 * S, 'c1', 'q', { skills: { laptops: 3 }, skillsSeconds: 10 });
    expect(engine.agentInfo('first').state).toBe('ready'); // but no laptop expert
    expect(offers()).toEqual(['offer c1 first']);
    engine.advance(60 * S);
    expect(offers()).toEqual(['offer c1 first', 'offer c1 first']);
  });

  it('a call that rang unanswered comes back with its place and its window: it ends 30 s after the entry, not after the return', () => {
    const { engine, offers, agent, queue } = setup({ maxMissedOffers: 1 });
    queue('q', { positionUpdateSeconds: 3600 });
    agent('generalist');
    engine.defineAgent(0, 'expert', { skills: { laptops: 3 } });
    engine.agentLogin(0, 'expert');
    engine.callArrived(0, 'c1', 'q', LAPTOP);
    engine.agentReady(10 * S, 'expert');
    expect(offers()).toEqual(['offer c1 expert']);
    engine.offerRejected(25 * S, 'c1', 'expert');
    expect(engine.agentInfo('expert').state).toBe('not-ready');
    expect(engine.callInfo('c1')).toMatchObject({ state: 'waiting', enteredAt: 0, claimAt: 0, requirements: { skills: [['laptops', 3]], language: null } });
    expect(engine.nextDeadline()).toBe(30 * S);
    engine.advance(30 * S);
    expect(offers()).toEqual(['offer c1 expert', 'offer c1 generalist']);
  });

  it('a call whose window ended while it rang unanswered comes back to anyone at once', () => {
    const { engine, offers, agent, queue } = setup({ maxMissedOffers: 1, ringTimeoutSeconds: 40 });
    queue('q');
    agent('expert', { laptops: 3 });
    engine.callArrived(0, 'c1', 'q', LAPTOP);
    agent('generalist', {}, {}, 1 * S);
    expect(offers()).toEqual(['offer c1 expert']);
    engine.advance(40 * S - 1);
    expect(offers()).toEqual(['offer c1 expert']);
    engine.advance(40 * S); // the ring times out at 40 s, 10 s after its window
    expect(offers()).toEqual(['offer c1 expert', 'offer c1 generalist']);
  });

  it('changing the queue keeps the window of the waiting calls', () => {
    const { engine, offers } = expertBusy();
    engine.callArrived(10 * S, 'c1', 'q', LAPTOP);
    engine.configureQueue(20 * S, 'q', { positionUpdateSeconds: 60 });
    expect(engine.nextDeadline()).toBe(40 * S);
    engine.advance(40 * S);
    expect(offers()).toEqual(['offer c0 expert', 'offer c1 generalist']);
  });

  it('with a known agent the two times run side by side from the entry: the known agent only, then laptop experts, then anyone', () => {
    const { engine, offers } = expertBusy();
    engine.defineAgent(1 * S, 'known', {});
    engine.agentLogin(1 * S, 'known');
    engine.callArrived(10 * S, 'c1', 'q', { ...LAPTOP, knownAgentId: 'known', knownAgentSeconds: 10 });
    expect(engine.callInfo('c1')!.level).toBe(-1);
    engine.advance(20 * S);
    expect(engine.callInfo('c1')).toMatchObject({ level: 0, requirements: { skills: [['laptops', 3]], language: null } });
    expect(offers()).toEqual(['offer c0 expert']);
    engine.advance(40 * S);
    expect(offers()).toEqual(['offer c0 expert', 'offer c1 generalist']);
  });

  it('a window that ends while the call waits for its known agent is over when that wait is', () => {
    const { engine, offers } = expertBusy();
    engine.defineAgent(1 * S, 'known', {});
    engine.agentLogin(1 * S, 'known');
    engine.callArrived(10 * S, 'c1', 'q', { ...LAPTOP, knownAgentId: 'known', knownAgentSeconds: 40 });
    // no timer at the end of the window (it changes nothing then): the next one ends the known-agent wait
    expect(engine.nextDeadline()).toBe(50 * S);
    engine.advance(50 * S - 1);
    expect(offers()).toEqual(['offer c0 expert']);
    engine.advance(50 * S);
    expect(offers()).toEqual(['offer c0 expert', 'offer c1 generalist']);
  });

  it("the queue's steps and the call's window each apply at their time", () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { skills: { tech: 3 }, steps: [{ afterSeconds: 20, skills: { tech: 1 } }], positionUpdateSeconds: 3600 });
    agent('tech1', { tech: 1 });
    engine.agentNotReady(0, 'tech1', 'meeting');
    engine.callArrived(0, 'long', 'q', LAPTOP); // step at 20 s, window ends at 30 s
    engine.callArrived(0, 'short', 'q', { skills: { laptops: 3 }, skillsSeconds: 10 }); // window ends at 10 s, step at 20 s
    const req = (c: string) => engine.callInfo(c)!.requirements!.skills;
    expect(req('long')).toEqual([['laptops', 3], ['tech', 3]]);
    expect(engine.nextDeadline()).toBe(10 * S);
    engine.advance(10 * S);
    expect(req('short')).toEqual([['tech', 3]]);
    expect(req('long')).toEqual([['laptops', 3], ['tech', 3]]);
    engine.advance(20 * S);
    expect(req('short')).toEqual([['tech', 1]]);
    expect(req('long')).toEqual([['laptops', 3], ['tech', 1]]);
    expect(engine.callInfo('long')!.level).toBe(1);
    engine.agentReady(21 * S, 'tech1');
    expect(offers()).toEqual(['offer short tech1']);
    engine.offerAccepted(21 * S, 'short', 'tech1');
    engine.callEnded(22 * S, 'short');
    expect(offers()).toHaveLength(1);
    engine.advance(30 * S);
    expect(req('long')).toEqual([['tech', 1]]);
    expect(offers()).toEqual(['offer short tech1', 'offer long tech1']);
  });

  it('an agent with the laptop skill and the relaxed level takes the call at the step, inside the window', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { skills: { tech: 3 }, steps: [{ afterSeconds: 20, skills: { tech: 1 } }] });
    agent('tech1-laptops', { tech: 1, laptops: 3 });
    engine.callArrived(0, 'c1', 'q', LAPTOP);
    engine.advance(20 * S - 1);
    expect(offers()).toEqual([]);
    engine.advance(20 * S);
    expect(offers()).toEqual(['offer c1 tech1-laptops']);
  });

  it('a bad skillsSeconds is refused with an error that names it, and changes nothing', () => {
    const { engine, queue } = setup();
    queue('q');
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '30' as unknown as number]) {
      expect(() => engine.callArrived(0, 'c1', 'q', { skills: { laptops: 3 }, skillsSeconds: bad })).toThrow(
        expect.objectContaining({ code: 'ACD_ERR_INVALID_ARGUMENT', message: expect.stringMatching(/options\.skillsSeconds/) }),
      );
      expect(() => engine.callbackScheduled(0, 'c1', 'q', 10, { skillsSeconds: bad })).toThrow(AcdTypeError);
    }
    expect(engine.callInfo('c1')).toBeNull();
    engine.callArrived(0, 'c1', 'q');
    expect(() => engine.transferToQueue(1, 'c1', 'q', { skillsSeconds: -5 })).toThrow(/options\.skillsSeconds/);
    expect(engine.callInfo('c1')).toMatchObject({ state: 'waiting', enteredAt: 0 });
  });
});

describe('transfer to an agent', () => {
  it('a call transferred with its own known-agent time waits that long for that agent only, even where the queue has none', () => {
    const { engine, offers, agent, queue } = setup({ knownAgentSeconds: 0 });
    queue('q', { knownAgentSeconds: 0 });
    agent('first');
    agent('other');
    engine.defineAgent(0, 'target', {});
    engine.agentLogin(0, 'target');
    engine.callArrived(1 * S, 'c1', 'q');
    expect(offers()).toEqual(['offer c1 first']);
    engine.offerAccepted(1 * S, 'c1', 'first');
    engine.callConnected(1 * S, 'c1');
    // 'first' hands the caller to 'target' (busy with nobody, but not ready): 'other', though ready, is not offered it
    engine.transferToQueue(10 * S, 'c1', 'q', { knownAgentId: 'target', knownAgentSeconds: 15 });
    expect(engine.agentInfo('first').state).not.toBe('busy');
    expect(offers()).toEqual(['offer c1 first']);
    engine.advance(24 * S);
    expect(offers()).toEqual(['offer c1 first']);
    // after its 15 s the queue takes it: anyone who fits
    engine.advance(25 * S);
    expect(offers()).toEqual(['offer c1 first', 'offer c1 other']);
    expect(() => engine.callArrived(30 * S, 'c2', 'q', { knownAgentSeconds: -1 })).toThrow(/knownAgentSeconds/);
  });

  it('the agent named takes it at once when ready', () => {
    const { engine, offers, agent, queue } = setup({ knownAgentSeconds: 0 });
    queue('q');
    agent('first');
    agent('other');
    agent('target', {}, {}, 0);
    engine.callArrived(1 * S, 'c1', 'q');
    const first = offers()[0]!.split(' ')[2]!;
    engine.offerAccepted(1 * S, 'c1', first);
    engine.callConnected(1 * S, 'c1');
    const to = first === 'target' ? 'other' : 'target';
    engine.transferToQueue(5 * S, 'c1', 'q', { knownAgentId: to, knownAgentSeconds: 30 });
    expect(offers().at(-1)).toBe(`offer c1 ${to}`);
  });
});

describe('overflow', () => {
  it('a call that waits longer than max wait moves to the overflow queue and keeps its place', () => {
    const { engine, offers, agent, queue, log } = setup();
    queue('first', { language: 'fi', maxWaitSeconds: 60, overflow: { queue: 'backup' } });
    queue('backup');
    engine.callArrived(0, 'c1', 'first');
    engine.callArrived(30 * S, 'c2', 'backup');
    engine.advance(60 * S);
    expect(log).toContain('overflow c1 backup');
    agent('a', {}, {}, 61 * S);
    // c1 arrived before c2, so it is served first in the backup queue
    expect(offers()).toEqual(['offer c1 a']);
  });

  it('a queue at max length overflows new calls at once', () => {
    const { engine, log, queue } = setup();
    queue('q', { maxLength: 1, overflow: { action: 'voicemail' } });
    engine.callArrived(0, 'c1', 'q');
    engine.callArrived(1, 'c2', 'q');
    expect(log).toEqual(['overflow c2 voicemail']);
    expect(engine.callInfo('c2')).toBeNull();
    expect(engine.waitingCount('q')).toBe(1);
  });

  it('max length counts the calls that wait: at 0 a call an agent can take at once is offered, one that would wait overflows', () => {
    const { engine, log, offers, agent, queue } = setup();
    queue('q', { maxLength: 0, overflow: { action: 'hangup' } });
    agent('a');
    engine.callArrived(1 * S, 'c1', 'q');
    expect(offers()).toEqual(['offer c1 a']);
    engine.callArrived(2 * S, 'c2', 'q');
    expect(log).toContain('overflow c2 hangup');
    expect(engine.waitingCount('q')).toBe(0);
  });
});

describe('callbacks', () => {
  it('a caller who asks for a callback keeps their place in line and the offer says callback', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { maxWaitSeconds: 60 });
    engine.callArrived(0, 'c1', 'q');
    engine.callArrived(1 * S, 'c2', 'q');
    engine.callbackRequested(2 * S, 'c1');
    engine.advance(120 * S); // max wait does not apply to callbacks
    expect(engine.callInfo('c1')!.kind).toBe('callback');
    agent('a', {}, {}, 121 * S);
    expect(offers()).toEqual(['offer c1 a callback']);
  });

  it('a scheduled callback joins the queue at its time', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q');
    agent('a');
    engine.callbackScheduled(0, 'cb', 'q', 3600 * S);
    expect(engine.callInfo('cb')!.state).toBe('scheduled');
    engine.advance(3599 * S);
    expect(engine.callInfo('cb')!.state).toBe('scheduled');
    expect(engine.nextDeadline()).toBe(3600 * S);
    expect(offers()).toEqual([]);
    engine.advance(3600 * S);
    expect(offers()).toEqual(['offer cb a callback']);
  });
});

describe('position and estimated wait', () => {
  it('waiting calls are told their position and estimated wait, and again when the line moves', () => {
    const { engine, agent, queue, positions } = setup();
    queue('q', { positionUpdateSeconds: 1, expectedHandleSeconds: 120 });
    agent('a');
    engine.agentNotReady(0, 'a', 'meeting');
    engine.defineAgent(0, 'b', {});
    engine.agentLogin(0, 'b');
    for (let i = 1; i <= 3; i++) engine.callArrived(0, `c${i}`, 'q');
    engine.advance(1 * S);
    // 2 agents logged in, 120 s per call: position p waits about p * 60 s
    expect(positions.get('c1')).toEqual([1, 60]);
    expect(positions.get('c3')).toEqual([3, 180]);
    expect(engine.position('c2')).toEqual({ position: 2, ewtSeconds: 120 });
    engine.agentReady(2 * S, 'a');
    engine.advance(3 * S);
    expect(positions.get('c2')).toEqual([1, 60]);
    expect(positions.get('c3')).toEqual([2, 120]);
  });
});

describe('queue changes and transfers', () => {
  it('changing a queue re-routes its waiting calls under the new requirements', () => {
    const { engine, offers, agent, queue } = setup();
    queue('q', { skills: { tech: 5 } });
    agent('a', { tech: 3 });
    engine.callArrived(0, 'c1', 'q');
    expect(offers()).toEqual([]);
    queue('q', { skills: { tech: 3 } }, 5);
    expect(offers()).toEqual(['offer c1 a']);
  });

  it("a queue's new priority applies to the calls already waiting in it: a later call does not overtake them", () => {
    const { engine, offers, agent, queue } = setup();
    queue('a', { priority: 0 });
    queue('b', { priority: 5 });
    engine.callArrived(0, 'a1', 'a');
    engine.callArrived(1 * S, 'b1', 'b');
    queue('a', { priority: 10 }, 2 * S);
    engine.callArrived(3 * S, 'a2', 'a');
    expect(engine.callInfo('a1')!.priority).toBe(10);
    agent('x', {}, {}, 4 * S);
    agent('y', {}, {}, 5 * S);
    agent('z', {}, {}, 6 * S);
    expect(offers()).toEqual(['offer a1 x', 'offer a2 y', 'offer b1 z']);
  });

  it('a connected call transferred to a queue frees the agent and waits there as a new entry', () => {
    const { engine, offers, agent, queue } = setup();
    queue('sales');
    queue('tech', { skills: { tech: 1 } });
    agent('a');
    engine.callArrived(0, 'c1', 'sales');
    engine.offerAccepted(0, 'c1', 'a');
    engine.callConnected(0, 'c1');
    engine.transferToQueue(5 * S, 'c1', 'tech');
    expect(engine.agentInfo('a').state).toBe('ready');
    expect(engine.callInfo('c1')).toMatchObject({ state: 'waiting', queueId: 'tech', claimAt: 5 * S });
    agent('t', { tech: 2 }, {}, 6 * S);
    expect(offers()).toEqual(['offer c1 a', 'offer c1 t']);
  });
});

describe('consult (attended) transfer', () => {
  /** Anna (sales) takes c1, calls Bob about it (k1, known agent Bob) and hands c1 over to him. */
  function consulted() {
    const s = setup();
    s.queue('sales', { wrapUpSeconds: 30 });
    s.queue('tech', { wrapUpSeconds: 60 });
    s.agent('anna');
    s.agent('bob');
    s.agent('carl', {}, {}, 1);
    s.engine.callArrived(2 * S, 'c1', 'sales');
    s.engine.offerAccepted(3 * S, 'c1', 'anna');
    s.engine.callConnected(3 * S, 'c1');
    s.engine.callArrived(20 * S, 'k1', 'tech', { knownAgentId: 'bob', knownAgentSeconds: 60 });
    s.engine.offerAccepted(22 * S, 'k1', 'bob');
    s.engine.callConnected(22 * S, 'k1');
    return s;
  }

  it('the consulted agent takes the call; the first agent wraps up; the consult call is gone', () => {
    const { engine, offers } = consulted();
    expect(offers()).toEqual(['offer c1 anna', 'offer k1 bob']);
    engine.consultCompleted(40 * S, 'c1', 'k1');
    expect(engine.callInfo('k1')).toBeNull();
    expect(engine.callInfo('c1')).toMatchObject({ state: 'connected', agentId: 'bob', queueId: 'sales' });
    expect(engine.agentInfo('bob')).toMatchObject({ state: 'busy', callId: 'c1' });
    expect(engine.agentInfo('anna')).toMatchObject({ state: 'wrap-up', callId: null });
    // (the wrap-up is the call's queue's: 30 s)
    engine.advance(70 * S);
    expect(engine.agentInfo('anna').state).toBe('ready');
    // Bob ends the call: his wrap-up, of the call's queue, and nothing left behind
    engine.callEnded(80 * S, 'c1');
    expect(engine.agentInfo('bob').state).toBe('wrap-up');
    engine.advance(110 * S);
    expect(engine.agentInfo('bob').state).toBe('ready');
    expect(engine.callIds()).toEqual([]);
  });

  it('a call the second agent then transfers on moves as theirs', () => {
    const { engine, offers } = consulted();
    engine.consultCompleted(40 * S, 'c1', 'k1');
    engine.transferToQueue(50 * S, 'c1', 'tech');
    expect(engine.agentInfo('bob').state).toBe('wrap-up');
    expect(offers()).toEqual(['offer c1 anna', 'offer k1 bob', 'offer c1 carl']);
  });

  it('is refused, changing nothing, unless both calls talk with two agents', () => {
    const { engine } = consulted();
    engine.callArrived(30 * S, 'w', 'sales');
    expect(() => engine.consultCompleted(31 * S, 'c1', 'c1')).toThrow(expect.objectContaining({ code: 'ACD_ERR_INVALID_STATE' }));
    expect(() => engine.consultCompleted(31 * S, 'c1', 'nope')).toThrow(expect.objectContaining({ code: 'ACD_ERR_UNKNOWN_CALL' }));
    engine.offerAccepted(31 * S, 'w', 'carl');
    engine.callEnded(32 * S, 'w');
    engine.callArrived(33 * S, 'w2', 'sales');
    expect(engine.callInfo('w2')!.state).toBe('waiting');
    expect(() => engine.consultCompleted(34 * S, 'c1', 'w2')).toThrow(expect.objectContaining({ code: 'ACD_ERR_INVALID_STATE' }));
    expect(engine.agentInfo('anna')).toMatchObject({ state: 'busy', callId: 'c1' });
    expect(engine.agentInfo('bob')).toMatchObject({ state: 'busy', callId: 'k1' });
  });
});

describe('robustness', () => {
  it('bad input is refused with a code that names the problem, and changes nothing', () => {
    const { engine, queue } = setup();
    queue('q');
    expect(() => engine.callArrived(0, 'c', 'nope')).toThrow(expect.objectContaining({ code: 'ACD_ERR_UNKNOWN_QUEUE' }));
    expect(() => engine.configureQueue(0, 'x', { strategy: 'random' as never })).toThrow(AcdTypeError);
    expect(() => engine.configureQueue(0, 'x', { skills: { a: 9 } })).toThrow(/skills\.a/);
    engine.advance(10);
    expect(() => engine.advance(5)).toThrow(expect.objectContaining({ code: 'ACD_ERR_TIME_WENT_BACKWARDS' }));
    engine.callArrived(10, 'c', 'q');
    expect(() => engine.callArrived(10, 'c', 'q')).toThrow(expect.objectContaining({ code: 'ACD_ERR_DUPLICATE_CALL' }));
    expect(engine.hasQueue('x')).toBe(false);
  });

  it('refuses a time that is not a finite number (the engine stays usable), and options or configurations out of range', () => {
    const { engine, queue } = setup();
    queue('q');
    for (const at of [Infinity, Number.NaN, '5' as unknown as number]) {
      expect(() => engine.advance(at)).toThrow(expect.objectContaining({ code: 'ACD_ERR_INVALID_ARGUMENT' }));
    }
    engine.callArrived(1, 'c1', 'q');
    expect(engine.time()).toBe(1);
    expect(() => new AcdEngine({ ringTimeoutSeconds: 0 })).toThrow(/ringTimeoutSeconds/);
    expect(() => new AcdEngine({ ringTimeoutSeconds: Infinity })).toThrow(/ringTimeoutSeconds/);
    expect(() => new AcdEngine({ knownAgentSeconds: -5 })).toThrow(/knownAgentSeconds/);
    expect(() => new AcdEngine({ knownAgentSeconds: 'x' as unknown as number })).toThrow(/knownAgentSeconds/);
    expect(() => queue('r', { ringTimeoutSeconds: 0 })).toThrow(/ringTimeoutSeconds/);
    expect(() => queue('r', { serviceLevel: { thresholdSeconds: 20, target: 5 } })).toThrow(/serviceLevel\.target/);
  });

  it("a queue's new expected handle time is the waiting calls' EWT estimate from then on", () => {
    const { engine, agent, queue, positions } = setup();
    queue('q', { expectedHandleSeconds: 180, positionUpdateSeconds: 1 });
    agent('a');
    engine.agentNotReady(0, 'a', 'break');
    engine.callArrived(0, 'c1', 'q');
    engine.advance(2 * S);
    expect(positions.get('c1')).toEqual([1, 180]);
    queue('q', { expectedHandleSeconds: 60, positionUpdateSeconds: 1 }, 3 * S);
    engine.advance(5 * S);
    expect(positions.get('c1')).toEqual([1, 60]);
  });

  it('a listener that throws is logged and the engine goes on', () => {
    const errors: object[] = [];
    const engine = new AcdEngine({ logger: { warn: () => {}, error: (o) => errors.push(o) } });
    const seen: string[] = [];
    engine.on('offer', () => {
      throw new Error('boom');
    });
    engine.on('offer', (c) => seen.push(c));
    engine.configureQueue(0, 'q', {});
    engine.defineAgent(0, 'a', {});
    engine.agentLogin(0, 'a');
    engine.agentReady(0, 'a');
    engine.callArrived(0, 'c1', 'q');
    expect(seen).toEqual(['c1']);
    expect(errors).toHaveLength(1);
    expect(engine.agentInfo('a').state).toBe('reserved');
  });

  it('close is idempotent and a closed engine refuses input', () => {
    const engine = new AcdEngine();
    engine.close();
    engine.close();
    expect(() => engine.advance(1)).toThrow(expect.objectContaining({ name: 'InvalidStateError', code: 'ACD_ERR_CLOSED' }));
  });
});

describe('queueStatus (dashboards)', () => {
  it('counts the waiting calls, finds the one that entered the queue first whatever its priority, and lists the agents who serve the queue', () => {
    const { engine, agent, queue } = setup();
    queue('sales', { skills: { sales: 2 }, language: 'en' });
    queue('other', { skills: { billing: 1 } });
    agent('fits', { sales: 3 }, { en: 2 });
    agent('low', { sales: 1 }, { en: 5 });
    agent('no-lang', { sales: 5 }, { de: 5 });
    engine.defineAgent(0, 'out', { skills: { sales: 2 }, languages: { en: 1 } });
    expect(engine.queueStatus('sales')).toEqual({ waiting: 0, oldestEnteredAt: null, agentIds: ['fits', 'out'] });
    engine.agentNotReady(1 * S, 'fits', 'break');
    engine.callArrived(5 * S, 'c1', 'sales');
    engine.callArrived(7 * S, 'c2', 'sales', { priority: 5 });
    const s = engine.queueStatus('sales');
    expect(s.waiting).toBe(2);
    // c2 is first in line (priority), c1 has waited longest
    expect(engine.position('c2')?.position).toBe(1);
    expect(s.oldestEnteredAt).toBe(5 * S);
    engine.callerAbandoned(9 * S, 'c1');
    expect(engine.queueStatus('sales')).toMatchObject({ waiting: 1, oldestEnteredAt: 7 * S });
    expect(engine.queueStatus('other')).toEqual({ waiting: 0, oldestEnteredAt: null, agentIds: [] });
    expect(() => engine.queueStatus('nope')).toThrow(AcdTypeError);
  });

  it('counts only the calls whose context the caller accepts (a consult between agents is no customer waiting)', () => {
    const { engine, agent, queue } = setup();
    queue('sales', { skills: { sales: 1 } });
    agent('busy', { sales: 1 });
    engine.agentNotReady(1 * S, 'busy', 'break');
    engine.callArrived(2 * S, 'consult', 'sales', { priority: 100, context: { consultOf: 'c0' } });
    engine.callArrived(3 * S, 'c1', 'sales', { context: { page: null } });
    engine.callArrived(4 * S, 'c2', 'sales');
    const customers = (ctx: unknown): boolean => !(typeof ctx === 'object' && ctx !== null && 'consultOf' in ctx);
    expect(engine.queueStatus('sales', customers)).toMatchObject({ waiting: 2, oldestEnteredAt: 3 * S });
    expect(engine.queueStatus('sales')).toMatchObject({ waiting: 3, oldestEnteredAt: 2 * S });
    engine.callerAbandoned(5 * S, 'c1');
    engine.callerAbandoned(5 * S, 'c2');
    expect(engine.queueStatus('sales', customers)).toMatchObject({ waiting: 0, oldestEnteredAt: null, agentIds: ['busy'] });
  });
});
