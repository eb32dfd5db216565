import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEERS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../peers');

/** Real peers only run inside the loopback-only namespace (scripts/in-netns.sh sets CALLFLOW_NETNS=1). */
export function requireNetns(): void {
  if (process.env.CALLFLOW_NETNS !== '1') {
    throw new Error('interop tests must run inside scripts/in-netns.sh (npm run test:interop / npm test)');
  }
}

/** A port free for both UDP and TCP on `host` right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, host, () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const ok = await new Promise<boolean>((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, host, () => u.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

export interface RunResult {
  code: number | null;
  out: string;
}

const children = new Set<ChildProcess>();

/** Runs a peer to completion (stdout+stderr captured); killed by PID on timeout. */
export function run(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? PEERS_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(t);
      children.delete(child);
      resolve({ code, out });
    });
  });
}

/** Starts a long-running peer; stop it with stop(child). */
export function startPeer(cmd: string, args: string[], opts: { cwd?: string } = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(cmd, args, { cwd: opts.cwd ?? PEERS_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  child.on('close', () => children.delete(child));
  return { child, output: () => out };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('close', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 2000);
  await done;
  clearTimeout(t);
}

/** Kills every peer this module started (by PID) — for afterAll. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stop(c)));
}

/** sipp's cumulative counters from its final screen. */
export function sippCounts(out: string): { ok: number; failed: number } {
  const num = (label: string): number => {
    const m = new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`).exec(out);
    return m ? Number(m[1]) : -1;
  };
  return { ok: num('Successful call'), failed: num('Failed call') };
}
