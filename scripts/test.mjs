#!/usr/bin/env node
// The README's test command (`npm test`): set-up, type check, then the whole vitest suite inside a private network
// namespace (scripts/in-netns.sh), so no test traffic can leave loopback. Arguments are passed to vitest, e.g.
// `node scripts/test.mjs test/sip/interop` runs only those files (and skips the type check).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, ensureDebianPackages, setupForTest } from './setup.mjs';

const DEFAULT_PG = 'postgresql://postgres@%2Fvar%2Frun%2Fpostgresql:5432/test';
const PRIVATE_PG_DIR = '/tmp/callflow-test-pg';
const PRIVATE_PG_PORT = '54329';

function log(msg) {
  process.stderr.write(`[test] ${msg}\n`);
}

async function canConnect(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { stdio: 'inherit', ...opts }).status === 0;
}

/**
 * The PostgreSQL the repository tests run against: TEST_DATABASE_URL, else the machine's server on its unix socket
 * (started if its cluster is down), else a private throw-away cluster made here (fresh machines, where the
 * packaged cluster only allows peer authentication). Returns the URL and a clean-up function.
 */
async function ensurePostgres() {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, stop: () => {} };
  if (await canConnect(DEFAULT_PG)) return { url: DEFAULT_PG, stop: () => {} };
  if (existsSync('/etc/postgresql')) {
    for (const version of spawnSync('ls', ['/etc/postgresql'], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean)) {
      log(`starting PostgreSQL cluster ${version}/main`);
      sh('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
    }
    if (await canConnect(DEFAULT_PG)) return { url: DEFAULT_PG, stop: () => {} };
  }
  ensureDebianPackages([['postgresql', '/usr/bin/pg_lsclusters']]);
  const version = spawnSync('ls', ['/usr/lib/postgresql'], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean).sort().at(-1);
  const bin = `/usr/lib/postgresql/${version}/bin`;
  log(`starting a private PostgreSQL ${version} for the tests in ${PRIVATE_PG_DIR}`);
  rmSync(PRIVATE_PG_DIR, { recursive: true, force: true });
  mkdirSync(PRIVATE_PG_DIR, { recursive: true });
  const asPostgres = (args) => (process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0], args.slice(1)]);
  if (process.getuid?.() === 0) sh('chown', ['postgres', PRIVATE_PG_DIR]);
  const data = path.join(PRIVATE_PG_DIR, 'data');
  sh(...asPostgres([`${bin}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres']), { stdio: 'ignore' });
  const opts = `-k ${PRIVATE_PG_DIR} -p ${PRIVATE_PG_PORT} -c listen_addresses=`;
  if (!sh(...asPostgres([`${bin}/pg_ctl`, '-D', data, '-o', opts, '-l', path.join(PRIVATE_PG_DIR, 'log'), '-w', 'start']))) {
    throw new Error(`could not start a private PostgreSQL; see ${PRIVATE_PG_DIR}/log`);
  }
  const url = `postgresql://postgres@${encodeURIComponent(PRIVATE_PG_DIR)}:${PRIVATE_PG_PORT}/postgres`;
  return { url, stop: () => sh(...asPostgres([`${bin}/pg_ctl`, '-D', data, '-m', 'fast', 'stop']), { stdio: 'ignore' }) };
}

async function main() {
  const args = process.argv.slice(2);
  setupForTest();
  if (args.length === 0) {
    log('type check (tsc --noEmit)');
    if (!sh(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit'], { cwd: ROOT })) return 1;
  }
  const pg = await ensurePostgres();
  try {
    log(`PostgreSQL for the tests: ${pg.url}`);
    const report = path.join(ROOT, '.tmp', 'vitest-report.json');
    rmSync(report, { force: true });
    const vitest = [path.join(ROOT, 'node_modules', '.bin', 'vitest'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args];
    const res = spawnSync(path.join(ROOT, 'scripts', 'in-netns.sh'), vitest, {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, TEST_DATABASE_URL: pg.url },
    });
    // One plain closing line with the counts, for whoever reads the end of the log.
    if (existsSync(report)) {
      const r = JSON.parse(readFileSync(report, 'utf8'));
      // (vitest also fails the run on an unhandled error or rejection, with every test passed: say so here)
      const exit = res.status === 0 ? '' : `; vitest exited with ${res.status ?? res.signal}: look for "Unhandled Errors" above`;
      process.stdout.write(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${exit}\n`);
      if (r.numTotalTests === 0) return 1;
    }
    return res.status ?? 1;
  } finally {
    pg.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
