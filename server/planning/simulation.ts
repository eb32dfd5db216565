import { Worker } from 'node:worker_threads';
import { type Scenario, ScenarioError, parseScenario } from '../../acd/sim/scenario.ts';
import type { PlanningReport } from './sim-job.ts';

/** What a what-if simulation may ask of the server: a week of simulated time, this many agents, this many calls. */
export const SIM_LIMITS = { durationSeconds: 7 * 86_400, agents: 2_000, calls: 200_000, wallSeconds: 20 } as const;

export type SimulationOutcome =
  | { ok: true; report: PlanningReport }
  | { ok: false; status: 400 | 429 | 503; message: string };

/** Checks a scenario as the simulator does (the field named) and against SIM_LIMITS. */
export function checkScenario(raw: unknown): Scenario {
  const s = parseScenario(raw);
  if (s.durationSeconds > SIM_LIMITS.durationSeconds) {
    throw new ScenarioError('scenario.durationSeconds', `at most ${SIM_LIMITS.durationSeconds} (a week) here; run longer ones with npm run sim`);
  }
  const agents = s.agentGroups.reduce((n, g) => n + g.count, 0);
  if (agents > SIM_LIMITS.agents) throw new ScenarioError('scenario.agentGroups', `${agents} agents; at most ${SIM_LIMITS.agents} here`);
  const calls = s.arrivals.reduce((n, a) => n + (a.ratePerHour * s.durationSeconds) / 3600, 0);
  if (calls > SIM_LIMITS.calls) throw new ScenarioError('scenario.arrivals', `about ${Math.round(calls)} calls; at most ${SIM_LIMITS.calls} here`);
  return s;
}

/**
 * Runs what-if simulations off the server's event loop: each in a worker thread (the real routing engine on a virtual
 * clock), one at a time, stopped after SIM_LIMITS.wallSeconds.
 */
export class Simulations {
  #running: Worker | null = null;

  async run(raw: unknown): Promise<SimulationOutcome> {
    try {
      checkScenario(raw);
    } catch (err) {
      if (err instanceof ScenarioError) return { ok: false, status: 400, message: err.message };
      throw err;
    }
    if (this.#running !== null) return { ok: false, status: 429, message: 'a simulation is running; try again when it is done' };
    const worker = new Worker(new URL('./sim-worker.mjs', import.meta.url), { workerData: raw });
    this.#running = worker;
    try {
      return await new Promise<SimulationOutcome>((resolve) => {
        const timer = setTimeout(() => {
          resolve({ ok: false, status: 503, message: `the simulation took longer than ${SIM_LIMITS.wallSeconds} s: shorten durationSeconds or lower the rates` });
        }, SIM_LIMITS.wallSeconds * 1000);
        worker.once('message', (report: PlanningReport) => {
          clearTimeout(timer);
          resolve({ ok: true, report });
        });
        worker.once('error', (err) => {
          clearTimeout(timer);
          resolve({ ok: false, status: 503, message: `the simulation failed: ${err.message}` });
        });
      });
    } finally {
      this.#running = null;
      await worker.terminate();
    }
  }

  async close(): Promise<void> {
    await this.#running?.terminate();
  }
}
