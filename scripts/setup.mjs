#!/usr/bin/env node
// Set-up that the README's two commands do for themselves: npm dependencies, the Debian packages the code uses,
// generated prompts and the built web apps. Idempotent: each step checks first and does nothing when all is there.
// Plain JavaScript, so it runs before `npm install` has brought tsx.
//   node scripts/setup.mjs --run    what `npm start` needs
//   node scripts/setup.mjs --test   what `npm test` needs (also used by scripts/test.mjs)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages and the command that proves each is there. */
const RUN_PACKAGES = [
  ['rtpengine-daemon', '/usr/bin/rtpengine'],
  ['espeak-ng', '/usr/bin/espeak-ng'],
  ['sox', '/usr/bin/sox'],
];
const TEST_PACKAGES = [
  ...RUN_PACKAGES,
  ['sip-tester', '/usr/bin/sipp'],
  ['baresip-core', '/usr/bin/baresip'],
  ['chromium', '/usr/bin/chromium'],
  ['iproute2', '/usr/sbin/ip'],
  ['util-linux', '/usr/bin/unshare'],
  ['openssl', '/usr/bin/openssl'],
];

function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${res.status ?? res.signal}`);
}

/** npm dependencies: installed when node_modules is missing or older than the lock file. */
export function ensureNodeModules() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

let aptUpdated = false;
export function ensureDebianPackages(list) {
  const missing = list.filter(([, bin]) => !existsSync(bin)).map(([pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')} — install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    run('apt-get', ['update'], { env });
    aptUpdated = true;
  }
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
}

/** Default prompts (espeak-ng + sox) under DATA_DIR/prompts, made once. */
export function ensurePrompts(dataDir) {
  const script = path.join(ROOT, 'scripts', 'make-prompts.ts');
  if (!existsSync(script)) return;
  run(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [script, path.join(path.resolve(ROOT, dataDir), 'prompts')]);
}

/** The browser apps, built once (again when their sources are newer than the build). */
export function ensureWebBuild() {
  const config = path.join(ROOT, 'web-softphone', 'vite.config.ts');
  if (!existsSync(config)) return;
  const built = path.join(ROOT, 'web-softphone', 'dist', '.built');
  if (existsSync(built) && !newerThan(path.join(ROOT, 'web-softphone'), statSync(built).mtimeMs)) return;
  log('building the web apps');
  run('npm', ['run', '--silent', 'build:web']);
}

function newerThan(dir, time) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory() ? newerThan(p, time) : statSync(p).mtimeMs > time) return true;
  }
  return false;
}

export function setupForRun() {
  ensureNodeModules();
  ensureDebianPackages(RUN_PACKAGES);
  ensurePrompts(process.env.DATA_DIR || './var');
  ensureWebBuild();
}

export function setupForTest() {
  ensureNodeModules();
  ensureDebianPackages(TEST_PACKAGES);
  ensureWebBuild();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--test')) setupForTest();
    else setupForRun();
  } catch (err) {
    log(`set-up failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
