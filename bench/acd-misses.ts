/**
 * Cold cache lines per input of the ACD engine, counted rather than timed: npm run bench:acd-misses
 *
 * bench:acd's figures move by ±30 % from run to run on a shared machine, and its speed is bound by memory
 * latency, so a change that saves a cache line or two per input does not show there. This runs the same stream
 * (bench/acd-driver.ts, full size) under valgrind's cachegrind with a last-level cache of ACD_MISSES_LL_MB
 * (default 4 MB, about what one core gets here) twice: with WARMUP inputs, and with WARMUP + INPUTS. The difference
 * of the two, divided by INPUTS, is what one input of the steady state costs: last-level data misses (the cold
 * lines), data references and instructions. Same code, same stream: the same figures every run (within the
 * JIT's variations, well under 1 %). Last line: one JSON object.
 * Environment: ACD_MISSES_INPUTS (default 200 000), ACD_MISSES_WARMUP (default 300 000), ACD_MISSES_LL_MB.
 * Needs valgrind (Debian package valgrind); takes a few minutes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AcdEngine } from '../acd/engine.ts';
import { Driver, FULL } from './acd-driver.ts';

const INPUTS = Number(process.env.ACD_MISSES_INPUTS ?? 200_000);
const WARMUP = Number(process.env.ACD_MISSES_WARMUP ?? 300_000);
const LL_MB = Number(process.env.ACD_MISSES_LL_MB ?? 4);

if (process.argv[2] === '--child') {
  // Under valgrind: set up, run the inputs, exit. Everything before the inputs is the same in both runs.
  const n = Number(process.argv[3]);
  const driver = new Driver(new AcdEngine({ ringTimeoutSeconds: 20, maxMissedOffers: 3 }), FULL, 42);
  driver.setup();
  for (let i = 0; i < n; i++) driver.step();
  process.stdout.write(`decisions ${driver.decisions}\n`);
  process.exit(0);
}

interface Counts {
  instructions: number;
  dataRefs: number;
  llDataMisses: number;
  decisions: number;
}

function counted(inputs: number, dir: string): Counts {
  const out = path.join(dir, `cg.${inputs}`);
  const r = spawnSync(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=yes',
      `--LL=${LL_MB * 1024 * 1024},16,64`,
      '--smc-check=all-non-file',
      `--cachegrind-out-file=${out}`,
      process.execPath,
      '--max-semi-space-size=16',
      // Tier-up by counts alone, compiled on the main thread: the JIT's timing under valgrind does not change the figures.
      '--no-concurrent-recompilation',
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'acd-misses.ts'),
      '--child',
      String(inputs),
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' } },
  );
  if (r.status !== 0) throw new Error(`valgrind run failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const num = (label: RegExp) => {
    const m = label.exec(r.stderr);
    if (m === null) throw new Error(`no ${label} in valgrind's summary:\n${r.stderr.slice(-2000)}`);
    return Number(m[1]!.replaceAll(',', ''));
  };
  return {
    instructions: num(/I\s+refs:\s+([\d,]+)/),
    dataRefs: num(/D\s+refs:\s+([\d,]+)/),
    llDataMisses: num(/LLd misses:\s+([\d,]+)/),
    decisions: Number(/decisions (\d+)/.exec(r.stdout)?.[1] ?? NaN),
  };
}

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  process.stderr.write('valgrind is not installed: apt-get install valgrind\n');
  process.exit(2);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'acd-misses-'));
try {
  const t0 = performance.now();
  const base = counted(WARMUP, dir);
  const more = counted(WARMUP + INPUTS, dir);
  const per = (k: keyof Counts) => (more[k] - base[k]) / INPUTS;
  const result = {
    llDataMissesPerInput: Number(per('llDataMisses').toFixed(2)),
    dataRefsPerInput: Math.round(per('dataRefs')),
    instructionsPerInput: Math.round(per('instructions')),
    decisionsPerInput: Number(per('decisions').toFixed(3)),
    llMegabytes: LL_MB,
  };
  process.stdout.write(
    `${INPUTS} inputs after ${WARMUP} (full size: ${FULL.agents} agents, ${FULL.queues} queues, ${FULL.waiting} waiting calls), ` +
      `last-level cache ${LL_MB} MB: ${result.llDataMissesPerInput} cold data lines, ${result.dataRefsPerInput} data references, ` +
      `${result.instructionsPerInput} instructions per input (${((performance.now() - t0) / 1000).toFixed(0)} s under valgrind)\n`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
