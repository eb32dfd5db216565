import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { erlangA, erlangB, erlangC } from '../../acd/queueing.ts';
import { parseScenario, ScenarioError } from '../../acd/sim/scenario.ts';
import { simulate, type SimWarnings } from '../../acd/sim/simulator.ts';

function singleQueue(seed: number, durationSeconds: number, agents: number, ratePerHour: number, handle: number, patience?: number) {
  return {
    seed,
    durationSeconds,
    warmupSeconds: 3600,
    serviceLevelSeconds: 20,
    queues: [{ id: 'q', skills: { s: 1 }, strategy: 'longest-idle' }],
    agentGroups: [{ id: 'g', count: agents, skills: { s: 2 } }],
    arrivals: [
      {
        queue: 'q',
        ratePerHour,
        handleSeconds: { dist: 'exponential', mean: handle },
        ...(patience === undefined ? {} : { patienceSeconds: { dist: 'exponential', mean: patience } }),
      },
    ],
  };
}

describe('simulator against queueing theory', () => {
  // Waits in M/M/c are strongly autocorrelated: ASA needs about 1.5 million calls to be within a few percent.
  it('an M/M/c queue matches Erlang C: service level within 1 point, ASA within 5 %', () => {
    const r = simulate(parseScenario(singleQueue(7, 30_000_000, 14, 200, 180)));
    const theory = erlangC({ ratePerHour: 200, handleSeconds: 180, agents: 14, serviceLevelSeconds: 20 });
    const q = r.queues.q!;
    expect(q.offered).toBeGreaterThan(1_500_000);
    expect(Math.abs(q.serviceLevel - theory.serviceLevel)).toBeLessThan(0.01);
    expect(Math.abs(q.asa / theory.asa - 1)).toBeLessThan(0.05);
    expect(Math.abs(q.probWait - theory.probWait)).toBeLessThan(0.01);
    expect(Math.abs(r.agentGroups.g!.occupancy - theory.occupancy)).toBeLessThan(0.01);
    expect(q.abandoned).toBe(0);
  });

  it('an M/M/c+M queue matches Erlang A: service level within 1 point, ASA within 5 %, abandonment close', () => {
    const r = simulate(parseScenario(singleQueue(8, 10_000_000, 12, 200, 180, 180)));
    const theory = erlangA({ ratePerHour: 200, handleSeconds: 180, agents: 12, serviceLevelSeconds: 20, patienceSeconds: 180 });
    const q = r.queues.q!;
    expect(Math.abs(q.serviceLevel - theory.serviceLevel)).toBeLessThan(0.01);
    expect(Math.abs(q.serviceLevelOffered - theory.serviceLevelOffered)).toBeLessThan(0.01);
    expect(Math.abs(q.asa / theory.asa - 1)).toBeLessThan(0.05);
    expect(Math.abs(q.abandonRate - theory.abandonRate)).toBeLessThan(0.005);
    expect(Math.abs(q.meanWaitAll / theory.meanWaitAll - 1)).toBeLessThan(0.05);
  });

  it('a small, impatient M/M/c+M queue matches Erlang A too', () => {
    const r = simulate(parseScenario(singleQueue(9, 5_000_000, 5, 60, 240, 120)));
    const theory = erlangA({ ratePerHour: 60, handleSeconds: 240, agents: 5, serviceLevelSeconds: 20, patienceSeconds: 120 });
    const q = r.queues.q!;
    expect(Math.abs(q.serviceLevel - theory.serviceLevel)).toBeLessThan(0.01);
    expect(Math.abs(q.asa / theory.asa - 1)).toBeLessThan(0.05);
    expect(Math.abs(q.abandonRate - theory.abandonRate)).toBeLessThan(0.01);
  });
});

describe('simulator behaviour', () => {
  it('a queue where no call may wait (maxLength 0) is a loss system: the share overflowed matches Erlang B', () => {
    const sc = singleQueue(11, 6_000_000, 7, 150, 120);
    sc.queues[0] = { ...sc.queues[0]!, maxLength: 0, overflow: { action: 'hangup' } } as (typeof sc.queues)[0];
    const q = simulate(parseScenario(sc)).queues.q!;
    expect(q.offered).toBeGreaterThan(200_000);
    expect(Math.abs(q.overflowed / q.offered - erlangB(7, 5))).toBeLessThan(0.005);
    // the calls taken were taken at once
    expect(q.answered + q.overflowed).toBe(q.offered);
    expect(q.maxWait).toBe(0);
  });

  it('reports a queue and a group named like an object property ("__proto__") under their names', () => {
    const sc = singleQueue(12, 20_000, 2, 30, 100) as unknown as { queues: Array<{ id: string }>; agentGroups: Array<{ id: string }>; arrivals: Array<{ queue: string }> };
    sc.queues[0]!.id = '__proto__';
    sc.arrivals[0]!.queue = '__proto__';
    sc.agentGroups[0]!.id = '__proto__';
    const r = simulate(parseScenario(sc));
    expect(Object.keys(r.queues)).toEqual(['__proto__']);
    expect(r.queues['__proto__']!.answered).toBeGreaterThan(0);
    expect(Object.keys(r.agentGroups)).toEqual(['__proto__']);
    expect(JSON.stringify(r)).toContain('"queues":{"__proto__":{"offered":');
  });

  it('the same scenario and seed give the same report, and another seed a different one', () => {
    const sc = singleQueue(3, 200_000, 6, 100, 180, 200);
    const strip = (r: ReturnType<typeof simulate>) => JSON.stringify({ ...r, wallSeconds: 0 });
    expect(strip(simulate(parseScenario(sc)))).toBe(strip(simulate(parseScenario(sc))));
    expect(strip(simulate(parseScenario({ ...sc, seed: 4 })))).not.toBe(strip(simulate(parseScenario(sc))));
  });

  it('overflow, steps, priorities and several groups run through the real engine', () => {
    const r = simulate(
      parseScenario({
        seed: 5,
        durationSeconds: 50_000,
        warmupSeconds: 1000,
        serviceLevelSeconds: 20,
        queues: [
          { id: 'vip', skills: { billing: 1 }, priority: 2, strategy: 'most-skilled', wrapUpSeconds: 10 },
          { id: 'de', skills: { billing: 3 }, language: 'de', maxWaitSeconds: 60, overflow: { queue: 'en' }, steps: [{ afterSeconds: 20, skills: { billing: 1 } }] },
          { id: 'en', skills: { billing: 1 }, language: 'en', strategy: 'round-robin', maxLength: 30, overflow: { action: 'hangup' } },
        ],
        agentGroups: [
          { id: 'de-experts', count: 2, skills: { billing: 4 }, languages: { de: 5, en: 3 } },
          { id: 'en-juniors', count: 6, skills: { billing: 1 }, languages: { en: 5 } },
        ],
        arrivals: [
          { queue: 'vip', ratePerHour: 20, handleSeconds: { dist: 'lognormal', mean: 200, sd: 100 } },
          { queue: 'de', ratePerHour: 40, handleSeconds: { dist: 'fixed', mean: 150 }, patienceSeconds: { dist: 'exponential', mean: 300 } },
          { queue: 'en', ratePerHour: 80, handleSeconds: { dist: 'exponential', mean: 180 }, patienceSeconds: { dist: 'exponential', mean: 120 } },
        ],
      }),
    );
    const { vip, de, en } = r.queues as Record<string, (typeof r.queues)[string]>;
    expect(de!.overflowed).toBeGreaterThan(0);
    expect(en!.offered).toBeGreaterThan(Math.round((80 * 49_000) / 3600) * 0.9);
    // the vip queue has the highest priority: its callers wait least
    expect(vip!.asa).toBeLessThan(en!.asa);
    for (const q of [vip!, de!, en!]) expect(q.answered + q.abandoned + q.overflowed).toBeLessThanOrEqual(q.offered);
    expect(r.agentGroups['de-experts']!.occupancy).toBeGreaterThan(0);
    expect(r.events).toBeGreaterThan(5_000);
  });
});

describe('scenario validation', () => {
  const good = singleQueue(1, 10_000, 2, 10, 100);
  const bad: Array<[string, (s: Record<string, unknown>) => void]> = [
    ['scenario.seed', (s) => delete s.seed],
    ['scenario.bogus', (s) => (s.bogus = 1)],
    ['scenario.durationSeconds', (s) => (s.durationSeconds = -5)],
    ['scenario.queues[0].strategy', (s) => ((s.queues as Array<Record<string, unknown>>)[0]!.strategy = 'random')],
    ['scenario.queues[0].skills.cooking', (s) => ((s.queues as Array<Record<string, unknown>>)[0]!.skills = { cooking: 1 })],
    ['scenario.queues[0].colour', (s) => ((s.queues as Array<Record<string, unknown>>)[0]!.colour = 'red')],
    ['scenario.arrivals[0].queue', (s) => ((s.arrivals as Array<Record<string, unknown>>)[0]!.queue = 'nowhere')],
    ['scenario.arrivals[0].ratePerHour', (s) => ((s.arrivals as Array<Record<string, unknown>>)[0]!.ratePerHour = -1)],
    ['scenario.arrivals[0].handleSeconds.dist', (s) => ((s.arrivals as Array<Record<string, unknown>>)[0]!.handleSeconds = { dist: 'gamma', mean: 3 })],
    ['scenario.agentGroups[0].count', (s) => delete (s.agentGroups as Array<Record<string, unknown>>)[0]!.count],
    ['scenario.agentGroups[0].skills', (s) => ((s.agentGroups as Array<Record<string, unknown>>)[0]!.skills = { s: 2, '': 1 })],
    ['scenario.agentGroups[0].languages', (s) => ((s.agentGroups as Array<Record<string, unknown>>)[0]!.languages = { '': 1 })],
  ];
  for (const [field, mutate] of bad) {
    it(`a scenario with a bad ${field} is rejected naming that field`, () => {
      const s = structuredClone(good) as unknown as Record<string, unknown>;
      mutate(s);
      expect(() => parseScenario(s)).toThrow(ScenarioError);
      try {
        parseScenario(s);
      } catch (e) {
        expect((e as ScenarioError).field).toBe(field);
      }
    });
  }

  const dir = mkdtempSync(join(tmpdir(), 'acd-sim-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (scenario: unknown, nodeFlags: string[] = []) => {
    const file = join(dir, `s${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, typeof scenario === 'string' ? scenario : JSON.stringify(scenario));
    return spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', 'bench/acd-sim.ts', file], { encoding: 'utf8', timeout: 60_000 });
  };

  it('keeps only the calls in progress: a run of 1.5 million calls fits in a 64 MB heap', () => {
    // (a run kept every call it made, some 260 bytes each: this one ran out of memory, and one of 2^24 calls stopped
    // with "Map maximum size exceeded")
    const long = {
      seed: 3, durationSeconds: 1_500_000, warmupSeconds: 100, serviceLevelSeconds: 20,
      queues: [{ id: 'q', skills: {}, strategy: 'longest-idle' }],
      agentGroups: [{ id: 'g', count: 2 }],
      arrivals: [{ queue: 'q', ratePerHour: 3600, handleSeconds: { dist: 'exponential', mean: 1 }, patienceSeconds: { dist: 'exponential', mean: 30 } }],
    };
    const r = cli(long, ['--max-old-space-size=64']);
    expect(r.status, r.stderr.slice(-500)).toBe(0);
    const q = JSON.parse(r.stdout).queues.q as { offered: number; answered: number; abandoned: number };
    expect(q.offered).toBeGreaterThan(1_400_000);
    expect(q.answered + q.abandoned).toBe(q.offered);
  });

  it('npm run sim prints one JSON report on stdout for a good scenario', () => {
    const r = cli(good);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { queues: Record<string, { offered: number }>; events: number };
    expect(report.queues.q!.offered).toBeGreaterThan(0);
    expect(report.events).toBeGreaterThan(0);
  });

  it('says on stderr, not in the report, when calls were never answered because no agent could take them', () => {
    // the queue asks for a language no agent speaks, and its callers never hang up
    const stuck = { ...good, queues: [{ id: 'q', skills: { s: 1 }, language: 'fi', strategy: 'longest-idle' }] };
    const warnings: SimWarnings = { unserved: {} };
    const report = simulate(parseScenario(stuck), undefined, warnings);
    expect(report.queues.q!.offered).toBeGreaterThan(0);
    expect(report.queues.q!.answered).toBe(0);
    expect(warnings.unserved).toEqual({ q: report.queues.q!.offered });
    const none: SimWarnings = { unserved: {} };
    simulate(parseScenario(good), undefined, none);
    expect(none.unserved).toEqual({});
    const r = cli(stuck);
    expect(r.status).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout).queues.q)).toEqual(Object.keys(report.queues.q!));
    expect(r.stderr).toMatch(new RegExp(`queue q: ${report.queues.q!.offered} counted call\\(s\\) were never answered`));
    expect(cli(good).stderr).not.toContain('warning');
  });

  it('npm run sim exits with code 2, names the field on stderr and prints nothing on stdout for a bad scenario', () => {
    const r = cli({ ...good, queues: [{ id: 'q', skills: { s: 1 }, strategy: 'fastest' }] });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('scenario.queues[0].strategy');
    const notJson = cli('{ seed: 1');
    expect(notJson.status).toBe(2);
    expect(notJson.stdout).toBe('');
  });
});
