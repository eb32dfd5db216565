import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staffing } from '../../acd/queueing.ts';
import { ADMIN_PASSWORD, type TestApp, testApp } from '../support/app.ts';

describe('planning: staffing calculator and what-if simulation', () => {
  let t: TestApp;
  let admin: { authorization: string };
  beforeEach(async () => {
    t = await testApp('pglite');
    admin = await t.auth('admin', ADMIN_PASSWORD);
  });
  afterEach(async () => {
    await t?.close();
  });
  const call = (method: 'GET' | 'POST', url: string, payload?: object, headers: object = admin) =>
    t.app.inject({ method, url, ...(payload ? { payload } : {}), headers: { ...headers } });

  it('gives the agents a service-level target needs, as Erlang C or A says, with the figures around that number', async () => {
    const input = { ratePerHour: 300, handleSeconds: 240, serviceLevelSeconds: 20, targetServiceLevel: 0.8, maxOccupancy: 0.9 };
    const res = await call('POST', '/api/planning/staffing', input);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const expected = staffing(input);
    expect(body.model).toBe('erlang-c');
    expect(body.needed).toMatchObject({ agents: expected.agents, serviceLevel: expected.serviceLevel, asa: expected.asa });
    expect(body.needed.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(body.around.map((m: { agents: number }) => m.agents)).toContain(expected.agents);
    const fewer = body.around.find((m: { agents: number }) => m.agents === expected.agents - 1);
    expect(fewer === undefined || fewer.serviceLevel < 0.8 || fewer.occupancy > 0.9).toBe(true);
    // with patience: Erlang A, and abandons
    const a = (await call('POST', '/api/planning/staffing', { ...input, patienceSeconds: 60 })).json();
    expect(a.model).toBe('erlang-a');
    expect(a.needed.abandonRate).toBeGreaterThan(0);
    // bad input names the field
    const bad = await call('POST', '/api/planning/staffing', { ...input, targetServiceLevel: 1.5 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/targetServiceLevel/);
    const agent = await call('POST', '/api/agents', { login: 'ann', name: 'Ann', password: 'ann-password-1' });
    expect(agent.statusCode).toBe(201);
    expect((await call('POST', '/api/planning/staffing', input, await t.auth('ann', 'ann-password-1'))).statusCode).toBe(403);
  });

  it('builds a scenario of the live configuration, runs it on the real engine, and refuses a bad or too large one', async () => {
    await call('POST', '/api/skills', { name: 'billing' });
    await call('POST', '/api/skills', { name: 'tech' });
    await call('POST', '/api/skills', { name: 'legal' });
    for (const [login, skills] of [['a1', { billing: 3 }], ['a2', { billing: 3 }], ['a3', { billing: 2, tech: 4 }]] as const) {
      expect((await call('POST', '/api/agents', { login, name: login, password: `${login}-password-1`, skills, languages: { en: 5 } })).statusCode).toBe(201);
    }
    expect((await call('POST', '/api/queues', { name: 'tech', skills: { tech: 1 } })).statusCode).toBe(201);
    expect((await call('POST', '/api/queues', {
      name: 'billing', skills: { billing: 2 }, language: 'en', strategy: 'most-skilled', wrapUpSeconds: 15, maxWaitSeconds: 300, overflow: { queue: 'tech' },
      serviceLevel: { thresholdSeconds: 30, target: 0.8 }, steps: [{ afterSeconds: 60, skills: { billing: 1 } }],
    })).statusCode).toBe(201);
    expect((await call('POST', '/api/queues', { name: 'lawyers', skills: { legal: 1 } })).statusCode).toBe(201);

    const res = await call('GET', '/api/planning/scenario?hours=2');
    expect(res.statusCode, res.body).toBe(200);
    const { scenario, notes } = res.json();
    expect(scenario).toMatchObject({ seed: 1, durationSeconds: 7200, warmupSeconds: 720, serviceLevelSeconds: 20 });
    expect(scenario.queues.map((q: { id: string }) => q.id).sort()).toEqual(['billing', 'tech']);
    expect(scenario.queues.find((q: { id: string }) => q.id === 'billing')).toMatchObject({
      skills: { billing: 2 }, language: 'en', strategy: 'most-skilled', wrapUpSeconds: 15, maxWaitSeconds: 300, overflow: { queue: 'tech' },
      steps: [{ afterSeconds: 60, skills: { billing: 1 } }],
    });
    expect(scenario.agentGroups).toEqual([
      { id: 'agents-1', count: 2, skills: { billing: 3 }, languages: { en: 5 } },
      { id: 'agents-2', count: 1, skills: { billing: 2, tech: 4 }, languages: { en: 5 } },
    ]);
    expect(notes).toEqual(expect.arrayContaining([
      'agents-1: a1, a2', 'queue lawyers left out: no agent has skill legal', 'queue billing: no calls in the last 7 days; 10 an hour assumed',
    ]));

    const run = await call('POST', '/api/planning/simulate', scenario);
    expect(run.statusCode, run.body).toBe(200);
    const report = run.json();
    expect(report.queues.billing.offered).toBeGreaterThan(0);
    expect(report.queues.billing.answered).toBeGreaterThan(0);
    expect(report.agentGroups['agents-1'].occupancy).toBeGreaterThan(0);
    expect(report.unserved).toEqual({});
    // nobody staffed: billing's callers overflow to tech after its max wait, and there no one ever takes them
    const empty = (await call('POST', '/api/planning/simulate', { ...scenario, agentGroups: scenario.agentGroups.map((g: object) => ({ ...g, count: 0 })) })).json();
    expect(empty.queues.billing.overflowed).toBeGreaterThan(0);
    expect(empty.queues.tech.answered).toBe(0);
    expect(empty.unserved).toEqual({ tech: empty.queues.tech.offered });
    // the same scenario gives the same report (the simulator is deterministic)
    const again = (await call('POST', '/api/planning/simulate', scenario)).json();
    expect(again.queues).toEqual(report.queues);

    const bad = await call('POST', '/api/planning/simulate', { ...scenario, queues: [{ ...scenario.queues[0], strategy: 'random' }, scenario.queues[1]] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^scenario\.queues\[0\]\.strategy: must be one of/);
    const long = await call('POST', '/api/planning/simulate', { ...scenario, durationSeconds: 30 * 86_400 });
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toMatch(/durationSeconds: at most 604800/);
    const busy = await call('POST', '/api/planning/simulate', { ...scenario, arrivals: scenario.arrivals.map((a: object) => ({ ...a, ratePerHour: 200_000 })) });
    expect(busy.statusCode).toBe(400);
    expect(busy.json().message).toMatch(/scenario\.arrivals: about \d+ calls; at most 200000/);
    // one simulation at a time: a second one while the first runs is told to come back
    const big = { ...scenario, durationSeconds: 86_400, arrivals: scenario.arrivals.map((a: object) => ({ ...a, ratePerHour: 500 })) };
    const [first, second] = await Promise.all([call('POST', '/api/planning/simulate', big), new Promise((r) => setTimeout(r, 100)).then(() => call('POST', '/api/planning/simulate', scenario))]);
    expect(first.statusCode, first.body).toBe(200);
    expect(second.statusCode).toBe(429);
    expect(second.json().message).toMatch(/a simulation is running/);
  }, 60_000);
});
