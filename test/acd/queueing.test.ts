import { describe, expect, it } from 'vitest';
import { erlangA, erlangB, erlangC, erlangCProbWait, staffing } from '../../acd/queueing.ts';

describe('queueing theory', () => {
  it('Erlang B and C match hand-computed values', () => {
    // B(2, 2) = (2^2/2!) / (1 + 2 + 2) = 0.4
    expect(erlangB(2, 2)).toBeCloseTo(0.4, 12);
    // C(3, 2) = 4/9: P0 = 1/9, C = (8/6)·3·P0
    expect(erlangCProbWait(3, 2)).toBeCloseTo(4 / 9, 12);
    const r = erlangC({ ratePerHour: 40, handleSeconds: 180, agents: 3, serviceLevelSeconds: 30 });
    expect(r.probWait).toBeCloseTo(4 / 9, 12);
    // ASA = C / (cμ − λ) = (4/9) / (1/180 s) = 80 s; SL = 1 − C·e^{−30/180}
    expect(r.asa).toBeCloseTo(80, 9);
    expect(r.serviceLevel).toBeCloseTo(1 - (4 / 9) * Math.exp(-30 / 180), 12);
    expect(r.occupancy).toBeCloseTo(2 / 3, 12);
  });

  it('Erlang C reports an overloaded queue as unstable', () => {
    expect(erlangC({ ratePerHour: 120, handleSeconds: 180, agents: 5, serviceLevelSeconds: 20 }).stable).toBe(false);
    expect(erlangC({ ratePerHour: 120, handleSeconds: 180, agents: 7, serviceLevelSeconds: 20 }).stable).toBe(true);
  });

  it('Erlang A tends to Erlang C as patience grows, and abandons more as patience shrinks', () => {
    const base = { ratePerHour: 200, handleSeconds: 180, agents: 12, serviceLevelSeconds: 20 };
    const c = erlangC(base);
    const a = erlangA({ ...base, patienceSeconds: 1e9 });
    expect(a.serviceLevel).toBeCloseTo(c.serviceLevel, 5);
    expect(a.asa).toBeCloseTo(c.asa, 3);
    expect(a.probWait).toBeCloseTo(c.probWait, 6);
    const impatient = erlangA({ ...base, patienceSeconds: 30 });
    const patient = erlangA({ ...base, patienceSeconds: 300 });
    expect(impatient.abandonRate).toBeGreaterThan(patient.abandonRate);
    expect(impatient.asa).toBeLessThan(patient.asa);
  });

  it('Erlang A stays finite when the offered load exceeds the agents', () => {
    const r = erlangA({ ratePerHour: 400, handleSeconds: 180, agents: 10, serviceLevelSeconds: 20, patienceSeconds: 60 });
    expect(r.stable).toBe(true);
    // carried load can never exceed the agents: λ(1 − P(ab))/μ <= c
    expect(r.occupancy).toBeLessThanOrEqual(1);
    expect(r.abandonRate).toBeGreaterThan(0.1);
  });

  it('staffing finds the fewest agents that meet the service level and the occupancy cap', () => {
    const s = staffing({ ratePerHour: 200, handleSeconds: 180, serviceLevelSeconds: 20, targetServiceLevel: 0.8 });
    expect(s.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(erlangC({ ratePerHour: 200, handleSeconds: 180, agents: s.agents - 1, serviceLevelSeconds: 20 }).serviceLevel).toBeLessThan(0.8);
    expect(s.agents).toBe(14);
    const capped = staffing({ ratePerHour: 200, handleSeconds: 180, serviceLevelSeconds: 20, targetServiceLevel: 0.8, maxOccupancy: 0.7 });
    expect(capped.agents).toBe(15);
    expect(capped.occupancy).toBeLessThanOrEqual(0.7);
    const withPatience = staffing({ ratePerHour: 200, handleSeconds: 180, serviceLevelSeconds: 20, targetServiceLevel: 0.8, patienceSeconds: 120 });
    expect(withPatience.agents).toBeLessThanOrEqual(s.agents);
  });
});
