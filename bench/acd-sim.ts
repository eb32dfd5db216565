/**
 * npm run sim -- <scenario.json>   (the ACD simulator's command line; the simulator itself is acd/sim/)
 * Prints one JSON report on stdout; errors go to stderr with exit code 2 (bad scenario or usage).
 * It lives outside acd/ because it reads a file: everything in acd/ stays free of I/O.
 */
import { readFileSync } from 'node:fs';
import { parseScenario, ScenarioError } from '../acd/sim/scenario.ts';
import { simulate, type SimWarnings } from '../acd/sim/simulator.ts';

function die(message: string): never {
  process.stderr.write(`sim: ${message}\n`);
  process.exit(2);
}

const path = process.argv[2];
if (path === undefined || process.argv.length > 3) die('usage: npm run sim -- <scenario.json>');
let text: string;
try {
  text = readFileSync(path, 'utf8');
} catch (e) {
  die(`cannot read ${path}: ${(e as Error).message}`);
}
let raw: unknown;
try {
  raw = JSON.parse(text);
} catch (e) {
  die(`scenario: invalid JSON: ${(e as Error).message}`);
}
let scenario;
try {
  scenario = parseScenario(raw);
} catch (e) {
  if (e instanceof ScenarioError) die(e.message);
  throw e;
}
const warnings: SimWarnings = { unserved: Object.create(null) as Record<string, number> };
const report = simulate(scenario, () => performance.now(), warnings);
process.stderr.write(`sim: ${report.events} engine events in ${report.wallSeconds} s\n`);
for (const [queue, n] of Object.entries(warnings.unserved)) {
  process.stderr.write(
    `sim: warning: queue ${queue}: ${n} counted call(s) were never answered: no agent can take them (requirements no agent group meets, or no agents), ` +
      'and their callers never hang up (no patienceSeconds) nor overflow; they are in "offered" and in no other figure\n',
  );
}
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
