/**
 * A whole call center for end-to-end tests: the real server (startServer: PGlite or PostgreSQL, our rtpengine, SIP
 * on UDP/TCP/WebSocket, the ACD), configured through its own REST API. Runs only inside scripts/in-netns.sh.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Page, chromium } from 'playwright-core';
import { BaresipPhone, makeTone } from '../../support/baresip.ts';
import { RawUdp } from '../../sip/helpers.ts';
import { pino } from 'pino';
import { loadConfig } from '../../../server/config.ts';
import { type RunningServer, startServer } from '../../../server/server.ts';
import { sharedPrompts } from '../../media/helpers/env.ts';

export const ADMIN_PASSWORD = 'e2e-admin-password';

export interface Harness {
  server: RunningServer;
  /** DATA_DIR of the server (prompts-custom/<lang>/<name>.wav replaces a prompt). */
  dataDir: string;
  baseUrl: string;
  sipPort: number;
  realm: string;
  api<T = any>(method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  admin: string;
  login(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

export function requireNetns(): void {
  if (process.env.CALLFLOW_NETNS !== '1') throw new Error('end-to-end tests must run inside scripts/in-netns.sh (loopback-only namespace)');
}

export async function startCallCenter(opts: { rtpPortMin: number; rtpPortMax: number; env?: Record<string, string> }): Promise<Harness> {
  requireNetns();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'callflow-e2e-'));
  symlinkSync(await sharedPrompts(), path.join(dataDir, 'prompts'));
  const realm = 'e2e.callflow';
  const config = loadConfig({
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    SIP_HOST: '127.0.0.1',
    SIP_PORT: '0',
    SIP_REALM: realm,
    DATA_DIR: dataDir,
    ADMIN_PASSWORD,
    RTPENGINE_NG_PORT: '0',
    RTP_PORT_MIN: String(opts.rtpPortMin),
    RTP_PORT_MAX: String(opts.rtpPortMax),
    LOG_LEVEL: process.env.E2E_LOG ?? 'warn',
    ...opts.env,
  });
  const logger = pino({ level: config.logLevel });
  let server: RunningServer;
  try {
    server = await startServer(config, logger);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const baseUrl = server.httpUrl;
  const api = async (method: string, url: string, body?: unknown, token?: string) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const login = async (username: string, password: string) => {
    const r = await api('POST', '/api/login', { username, password });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token as string;
  };
  return {
    server,
    dataDir,
    baseUrl,
    sipPort: server.sip.ports.udp!,
    realm,
    api,
    admin: await login('admin', ADMIN_PASSWORD),
    login,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The supervisor most tests sign in as (`sue`): creates the account (the first time) and returns a session token. */
export const SUPERVISOR_PASSWORD = 'sue-password-1';
export async function supervisorToken(h: Harness): Promise<string> {
  const r = await h.api('POST', '/api/users', { login: 'sue', name: 'Sue', password: SUPERVISOR_PASSWORD, role: 'supervisor' }, h.admin);
  if (r.status !== 201 && r.body?.code !== 'ERR_DUPLICATE') throw new Error(`create supervisor sue: ${r.status} ${JSON.stringify(r.body)}`);
  return h.login('sue', SUPERVISOR_PASSWORD);
}

/** Creates through the REST API what most tests need: a skill, an agent with languages and SIP credentials. */
export async function createAgent(
  h: Harness,
  a: { login: string; name: string; languages: Record<string, number>; skills?: Record<string, number>; sipUser?: string },
): Promise<{ id: number; password: string; sipPassword: string }> {
  const password = `${a.login}-password`;
  const r = await h.api('POST', '/api/agents', { login: a.login, name: a.name, password, skills: a.skills ?? { support: 3 }, languages: a.languages }, h.admin);
  if (r.status !== 201) throw new Error(`create agent ${a.login}: ${r.status} ${JSON.stringify(r.body)}`);
  const sipPassword = `${a.login}-sip-secret`;
  if (a.sipUser) {
    const s = await h.api('PUT', `/api/agents/${r.body.id}/sip-credentials`, { username: a.sipUser, password: sipPassword }, h.admin);
    if (s.status !== 200) throw new Error(`sip credentials ${a.login}: ${s.status} ${JSON.stringify(s.body)}`);
  }
  return { id: r.body.id, password, sipPassword };
}

/** Polls until `check` returns a truthy value. */
export async function eventually<T>(check: () => T | Promise<T>, ms = 15000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Opens the supervisors' wall-board (/supervisor/) and signs in. */
export async function signInBoard(page: Page, h: Harness, login: string, password: string): Promise<void> {
  await page.goto(`${h.baseUrl}/supervisor/`);
  await page.getByTestId('login-username').fill(login);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/**
 * What tests of a queue's door start from: a queue `help` (no skills, no wrap-up), the agent Carl whose desk-phone
 * account (`sipUser`) a raw SIP phone uses to call in, the supervisor's token, and that phone's UDP socket.
 */
export async function helpQueue(h: Harness, sipUser: string): Promise<{
  queueId: number; caller: { user: string; password: string }; carl: { id: number; password: string }; sue: string; udp: RawUdp;
}> {
  const q = await h.api('POST', '/api/queues', { name: 'help', skills: {}, wrapUpSeconds: 0 }, h.admin);
  if (q.status !== 201) throw new Error(`create queue help: ${q.status} ${JSON.stringify(q.body)}`);
  const carl = await createAgent(h, { login: 'carl', name: 'Carl', languages: { en: 5 }, skills: {}, sipUser });
  return { queueId: q.body.id, caller: { user: sipUser, password: carl.sipPassword }, carl, sue: await supervisorToken(h), udp: await new RawUdp().open() };
}

/** Signs the admin in on the admin console and waits for it (the skills form). */
export async function signInConsole(page: Page, h: Harness): Promise<void> {
  await page.goto(`${h.baseUrl}/admin/`);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('skill-form').waitFor();
}

/** Signs an agent in on the agent page, waits for the softphone to register, and presses Ready. */
export async function agentPageReady(page: Page, h: Harness, login: string, password: string): Promise<void> {
  await page.goto(`${h.baseUrl}/agent/`);
  await page.getByTestId('login-username').fill(login);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await eventually(async () => /registered/i.test((await page.getByTestId('sip-status').textContent()) ?? ''), 15_000, 'the softphone to register');
  await eventually(async () => (await page.getByTestId('ready').isEnabled()) || undefined, 10_000, 'the Ready button');
  await page.getByTestId('ready').click();
  await eventually(async () => (await page.getByTestId('agent-state').textContent())?.includes('ready'), 10_000, 'state ready');
}

/**
 * A baresip desk phone registered to the call center as SIP user `user`: SIP on `port`, its control socket on
 * port + 100, RTP from port * 4 (keep the ports of test files that may run at the same time apart); its microphone
 * plays a `tone` Hz sine. Stop it with stop().
 */
export async function deskPhone(
  h: Harness,
  dir: string,
  p: { user: string; password: string; port: number; tone: number; answer: 'auto' | 'manual' },
): Promise<BaresipPhone> {
  const phone = new BaresipPhone({
    dir: path.join(dir, p.user), sipPort: p.port, ctrlPort: p.port + 100, rtpMin: p.port * 4, answer: p.answer,
    toneWav: makeTone(path.join(dir, `tone-${p.tone}.wav`), p.tone), registrar: `127.0.0.1:${h.sipPort}`, username: p.user, password: p.password,
  });
  try {
    await phone.start();
    await phone.waitRegistered();
  } catch (err) {
    await phone.stop(); // (no process left behind when it does not come up)
    throw err;
  }
  return phone;
}

/** Waits until a console page shows this notice or error (each action of the admin console hides what the last one said). */
export async function consoleShows(page: Page, testId: 'notice' | 'error', want: string | RegExp): Promise<void> {
  await eventually(async () => {
    const el = page.getByTestId(testId);
    const text = (await el.isVisible()) ? ((await el.textContent()) ?? '') : null;
    return text !== null && (typeof want === 'string' ? text === want : want.test(text));
  }, 10_000, `${testId} ${String(want)}`);
}

/** Chromium with one page for the admin and supervisor consoles (confirmations such as Delete's are accepted). */
export async function consoleBrowser(): Promise<{ page: Page; close(): Promise<void> }> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage();
  page.on('dialog', (d) => void d.accept());
  return { page, close: () => browser.close() };
}
