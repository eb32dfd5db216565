/** The simulation a worker runs (see simulation.ts): the scenario, already checked, in; the simulator's report out. */
import { parseScenario } from '../../acd/sim/scenario.ts';
import { type SimReport, type SimWarnings, simulate } from '../../acd/sim/simulator.ts';

/** The report, and per queue the counted calls no agent could ever take (see SimWarnings): the page warns of them. */
export type PlanningReport = SimReport & SimWarnings;

export function runScenario(raw: unknown): PlanningReport {
  const warnings: SimWarnings = { unserved: {} };
  const report = simulate(parseScenario(raw), () => performance.now(), warnings);
  return { ...report, ...warnings };
}
