/** The simulation a worker runs (see simulation.ts): the scenario, already checked, in; the simulator's report out. */
import { parseScenario } from '../../acd/sim/scenario.ts';
import { type SimReport, simulate } from '../../acd/sim/simulator.ts';

export function runScenario(raw: unknown): SimReport {
  return simulate(parseScenario(raw), () => performance.now());
}
