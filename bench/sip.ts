/**
 * npm run bench:sip — sipp UAC -> our B2BUA -> sipp UAS (INVITE/100/180/200/ACK/BYE, signalling only, fixed route),
 * stepping the call rate up (each step with a fresh sipp UAS). Prints the highest rate held for HOLD seconds with zero failed calls, the p99
 * INVITE->180 time at that rate, the sipp->sipp rate measured the same way in the same run, their ratio, and the
 * number of concurrent dialogs held (with heap samples). Last line: one JSON object.
 * Env: BENCH_HOLD_S (default 30), BENCH_CONCURRENT (calls to hold at once, default 5000), BENCH_B2BUA_RATE (one run at
 * this rate through the B2BUA, nothing else: a profiling aid), BENCH_SIP_MAX_LOAD (overload control's SIP_MAX_LOAD, percent;
 * default the server's 90, 0 = off), BENCH_WARMUP_RATE (with BENCH_B2BUA_RATE: a first, unmeasured run at this rate).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createSipServer, MemoryCredentialStore, type SipStack } from '../sip/index.ts';
import { startTestRouter } from './sip-router.ts';

const HOLD_S = Number(process.env.BENCH_HOLD_S ?? 30);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 5000);
const SCENARIO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sip/uac.xml');
const IP = '127.0.0.1';

if (process.env.CALLFLOW_NETNS !== '1') {
  console.error('run through npm run bench:sip (it enters the loopback-only namespace)');
  process.exit(2);
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** sipp's default socket buffer is 64 kB, which drops datagrams in bursts well below its own limits */
const SIPP_COMMON = ['-buff_size', '4194304', '-max_recv_loops', '10000', '-max_sched_loops', '10000'];

function spawnSipp(args: string[], cwd: string): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn('sipp', [...args, ...SIPP_COMMON], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20000)));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, out });
    }),
  );
  return { child, done };
}

function counts(out: string): { ok: number; failed: number } {
  const num = (label: string): number => Number(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`).exec(out)?.[1] ?? -1);
  return { ok: num('Successful call'), failed: num('Failed call') };
}

function p99FromRtt(dir: string): number | undefined {
  const f = readdirSync(dir).find((n) => n.endsWith('_rtt.csv'));
  if (!f) return undefined;
  const vals = readFileSync(path.join(dir, f), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(';')[1]))
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
  if (vals.length === 0) return undefined;
  return vals[Math.min(vals.length - 1, Math.floor(vals.length * 0.99))];
}

let nextPort = 16000;
const port = (): number => (nextPort += 2);

/** Where the sipp UAC sends, given the port of the step's sipp UAS. */
type TargetFor = (uasPort: number) => number;

/** Runs `fn` with a fresh sipp UAS: one that lived through a failed step stays slowed down by its dead calls. */
async function withUas<T>(fn: (uasPort: number) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-uas-'));
  const uasPort = port();
  const uas = spawnSipp(['-sn', 'uas', '-i', IP, '-p', String(uasPort), '-nostdin'], dir);
  await new Promise((r) => setTimeout(r, 300));
  try {
    return await fn(uasPort);
  } finally {
    uas.child.kill('SIGKILL');
    await uas.done;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One run at `rate` calls/s for HOLD_S seconds; passes when every call succeeded within the time. */
function runAt(targetFor: TargetFor, rate: number, label: string): Promise<{ pass: boolean; p99?: number; elapsed: number }> {
  return withUas((uasPort) => runStep(targetFor(uasPort), rate, label));
}

/** sipp UAC running the bench scenario: `total` calls at `rate`, at most `limit` at once, failing after `timeoutS`. */
function uacArgs(target: number, rate: number, total: number, limit: number, timeoutS: number, extra: string[]): string[] {
  return [`${IP}:${target}`, '-sf', SCENARIO, '-s', 'bench', '-i', IP, '-p', String(port()), '-r', String(rate), '-m', String(total),
    '-l', String(limit), '-nostdin', '-timeout', `${timeoutS}s`, '-timeout_error', '-max_socket', '100', ...extra];
}

async function runStep(target: number, rate: number, label: string): Promise<{ pass: boolean; p99?: number; elapsed: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-sip-'));
  const total = Math.round(rate * HOLD_S);
  const t0 = Date.now();
  const uac = spawnSipp(
    uacArgs(target, rate, total, Math.max(1000, rate * 4), HOLD_S * 3, ['-trace_rtt', '-rtt_freq', String(Math.max(1, total))]),
    dir,
  );
  // sipp's own -timeout should end the run; a sipp UAC was seen hanging in a futex wait at 32 000 calls/s
  // (no CPU, still there some 10 min after its 90 s timeout): past that time plus a margin it is killed and the step fails.
  let hung = false;
  const watchdog = setTimeout(() => {
    hung = true;
    uac.child.kill('SIGKILL');
  }, (HOLD_S * 3 + 30) * 1000);
  const r = await uac.done;
  clearTimeout(watchdog);
  const elapsed = (Date.now() - t0) / 1000;
  const c = counts(r.out);
  if (hung) console.log(`${label}: sipp UAC did not exit ${HOLD_S * 3 + 30} s after it started: killed`);
  // held: all calls succeeded and the run did not stretch beyond the hold time (sipp fell behind otherwise)
  const pass = !hung && r.code === 0 && c.failed === 0 && c.ok === total && elapsed <= HOLD_S * 1.15 + 3;
  const p99 = p99FromRtt(dir);
  console.log(`${label}: ${rate} calls/s x ${HOLD_S}s -> ok ${c.ok}/${total}, failed ${c.failed}, ${elapsed.toFixed(1)} s, p99 INVITE->180 ${p99 ?? '?'} ms ${pass ? 'PASS' : 'FAIL'}`);
  rmSync(dir, { recursive: true, force: true });
  return { pass, p99, elapsed };
}

/** The kernel's UDP counters of this network namespace (/proc/net/snmp): drops show as RcvbufErrors / SndbufErrors. */
function udpCounters(): Record<string, number> {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(names.map((n, i) => [n, values[i]!]).filter(([n]) => ['InDatagrams', 'OutDatagrams', 'RcvbufErrors', 'SndbufErrors', 'InErrors'].includes(n as string)));
}

/** Steps the rate up (doubling), then bisects between the last pass and the first failure. */
async function maxRate(target: TargetFor, label: string, start: number): Promise<{ rate: number; p99: number | undefined }> {
  let best = 0;
  let bestP99: number | undefined;
  let rate = start;
  let failedAt = 0;
  for (;;) {
    const r = await runAt(target, rate, label);
    await new Promise((res) => setTimeout(res, 2000)); // let retransmissions and timers drain
    if (!r.pass) {
      failedAt = rate;
      break;
    }
    best = rate;
    bestP99 = r.p99;
    if (rate >= 64000) break; // beyond what two cores can do; keeps a broken run from looping
    rate *= 2;
  }
  // three bisection steps between the last pass and the first failure (the result is within 1/8 of the gap)
  for (let step = 0; step < 3 && failedAt && best; step++) {
    const mid = Math.round((best + failedAt) / 2 / 25) * 25;
    if (mid <= best || mid >= failedAt) break;
    const r = await runAt(target, mid, label);
    await new Promise((res) => setTimeout(res, 2000));
    if (r.pass) {
      best = mid;
      bestP99 = r.p99;
    } else {
      failedAt = mid;
    }
  }
  return { rate: best, p99: bestP99 };
}

async function main(): Promise<void> {
  const logger = pino({ level: 'warn' });

  // sipp -> sipp baseline
  const fixed = process.env.BENCH_B2BUA_RATE ? Number(process.env.BENCH_B2BUA_RATE) : undefined;
  let base = { rate: 0, p99: undefined as number | undefined };
  if (fixed === undefined) {
    console.log('--- sipp UAC -> sipp UAS (baseline) ---');
    base = await maxRate((uasPort) => uasPort, 'sipp->sipp', 500);
  }

  // through the B2BUA
  const stack: SipStack = createSipServer({
    host: IP,
    udpPort: port(),
    realm: 'bench.local',
    trustedSources: ['127.0.0.1'],
    logger,
    credentials: new MemoryCredentialStore(),
    overload: { maxLoad: Number(process.env.BENCH_SIP_MAX_LOAD ?? 90) / 100 },
  });
  await stack.start();
  let uasPort = 0;
  startTestRouter(stack, () => `sip:bench@${IP}:${uasPort}`);
  const viaB2bua: TargetFor = (p) => {
    uasPort = p;
    return stack.ports.udp!;
  };
  console.log('--- sipp UAC -> B2BUA -> sipp UAS ---');
  if (fixed !== undefined) {
    // profiling aid: one run at a fixed rate, nothing else
    // BENCH_WARMUP_RATE: a first run at that rate (not measured) so the measured one starts with a warm JIT, as in the steps
    if (process.env.BENCH_WARMUP_RATE) {
      await runAt(viaB2bua, Number(process.env.BENCH_WARMUP_RATE), 'warm-up');
      await new Promise((res) => setTimeout(res, 2000));
    }
    const cpu0 = process.cpuUsage();
    const { monitorEventLoopDelay } = await import('node:perf_hooks');
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const watch = setInterval(() => {
      const o = stack.stats().overload;
      const x = stack.transactions.stats;
      console.log(`  load ${o.load.toFixed(2)}, received ${stack.stats().received}, retransmissions: theirs unanswered ${x.unansweredRetransmissions}, ours ${x.retransmissions}; refusing ${Math.round(o.rejectShare * 100)} %, refused ${o.rejected}`);
    }, 2000);
    const udp0 = udpCounters();
    await runAt(viaB2bua, fixed, 'b2bua');
    clearInterval(watch);
    const udp1 = udpCounters();
    console.log(`udp (this namespace): ${Object.keys(udp1).map((k) => `${k} +${udp1[k]! - (udp0[k] ?? 0)}`).join(', ')}`);
    h.disable();
    console.log(`event loop delay p50 ${(h.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms`);
    const cpu = process.cpuUsage(cpu0);
    console.log(`b2bua cpu: ${((cpu.user + cpu.system) / 1000 / (fixed * HOLD_S)).toFixed(3)} ms per call (user ${Math.round(cpu.user / 1000)} ms, system ${Math.round(cpu.system / 1000)} ms)`);
    console.log(JSON.stringify(stack.stats()));
    await stack.close();
    process.exit(0);
  }
  const b2b = await maxRate(viaB2bua, 'b2bua', 250);

  // concurrent dialogs: hold CONCURRENT calls at once, sample the heap while they are up
  console.log(`--- ${CONCURRENT} concurrent calls through the B2BUA ---`);
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = (): number => {
    gc?.();
    return Math.round(process.memoryUsage().heapUsed / 1048576);
  };
  // let the transactions of the rate runs expire (timers J/L/M are 64*T1 = 32 s) so the heap baseline is clean
  for (let i = 0; i < 45 && stack.stats().serverTransactions + stack.stats().clientTransactions > 0; i++) {
    await new Promise((r) => setTimeout(r, 1000));
  }
  const concurrent = await withUas(async (p) => {
    uasPort = p;
    // dialogs left by calls that sipp abandoned during failed steps (no BYE ever came) are not counted below
    const leftover = stack.stats().activeDialogs;
    const heapBefore = heap();
    const rampRate = 500;
    const holdMs = Math.round((CONCURRENT / rampRate) * 1000) + 15_000;
    const cdir = mkdtempSync(path.join(os.tmpdir(), 'bench-cc-'));
    const cc = spawnSipp(uacArgs(stack.ports.udp!, rampRate, CONCURRENT, CONCURRENT, Math.round(holdMs / 1000) * 3, ['-d', String(holdMs)]), cdir);
    let maxDialogs = 0;
    const samples: Array<{ t: number; dialogs: number; heapMb: number }> = [];
    const t0 = Date.now();
    const sampler = setInterval(() => {
      const d = stack.stats().activeDialogs - leftover;
      maxDialogs = Math.max(maxDialogs, d);
    }, 200);
    const heapSampler = setInterval(() => samples.push({ t: Math.round((Date.now() - t0) / 1000), dialogs: stack.stats().activeDialogs, heapMb: heap() }), 5000);
    const ccr = await cc.done;
    clearInterval(sampler);
    clearInterval(heapSampler);
    await new Promise((r) => setTimeout(r, 3000));
    const heapAfter = heap();
    const ccCounts = counts(ccr.out);
    for (const s of samples) console.log(`  t=${s.t}s dialogs=${s.dialogs} heap=${s.heapMb} MB`);
    console.log(`concurrent run: ok ${ccCounts.ok}, failed ${ccCounts.failed}; peak ${maxDialogs} dialogs (${maxDialogs / 2} bridged calls, two dialogs each; ${leftover} dialogs abandoned by sipp in failed steps not counted); heap before ${heapBefore} MB, after ${heapAfter} MB`);
    rmSync(cdir, { recursive: true, force: true });
    return { ok: ccCounts.failed === 0, maxDialogs };
  });
  await stack.close();

  const ratio = base.rate > 0 ? Math.round((b2b.rate / base.rate) * 1000) / 1000 : 0;
  console.log(`B2BUA: ${b2b.rate} calls/s held ${HOLD_S}s with zero failures (target >= 1000), p99 INVITE->180 ${b2b.p99 ?? '?'} ms`);
  console.log(`sipp->sipp: ${base.rate} calls/s; ratio ${ratio} (target >= 0.333)`);
  console.log(
    JSON.stringify({
      maxCps: b2b.rate,
      p99InviteTo180Ms: b2b.p99 ?? null,
      sippToSippCps: base.rate,
      ratio,
      concurrentDialogs: concurrent.ok ? concurrent.maxDialogs : 0,
    }),
  );
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
