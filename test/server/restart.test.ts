import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import type { Binding } from '../../sip/index.ts';
import { createCallback, setCallbackState } from '../../db/repositories/callbacks.ts';
import { type RunningServer, startServer } from '../../server/server.ts';
import { DATABASE_KINDS, type ScratchDatabase, scratchDatabase } from '../support/databases.ts';

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** A bearer token of POST /api/login. */
async function login(base: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return ((await r.json()) as { token: string }).token;
}

describe.each(DATABASE_KINDS)('the server on %s', (kind) => {
  let scratch: ScratchDatabase | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    await scratch?.drop();
    server = undefined;
  });

  function start(logger = pino({ level: 'silent' }), env: Record<string, string> = {}) {
    const config = loadConfig({
      HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', SIP_PORT: '0', RTPENGINE_NG_PORT: '0', RTP_PORT_MIN: '44800', RTP_PORT_MAX: '44899',
      DATA_DIR: scratch!.dataDir, LOG_LEVEL: 'info',
      ...(scratch!.databaseUrl ? { DATABASE_URL: scratch!.databaseUrl } : {}), ...env,
    });
    return startServer(config, logger);
  }

  it('creates admin with a random password printed once in the log, and never again', async () => {
    scratch = await scratchDatabase(kind);
    const first = capturingLogger();
    server = await start(first.logger);
    const line = first.lines.find((l) => l.includes('generated password'));
    expect(line).toBeDefined();
    const password = /generated password (\S+)/.exec(JSON.parse(line!).msg)![1]!;
    const login = await fetch(`${server.httpUrl}/api/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    await server.close();
    const second = capturingLogger();
    server = await start(second.logger);
    expect(second.lines.some((l) => l.includes('generated password'))).toBe(false);
  });

  it('keeps skills, agents, queues and tokens across a restart', async () => {
    scratch = await scratchDatabase(kind);
    server = await start(undefined, { ADMIN_PASSWORD: 'restart-admin-pw' });
    const base = server.httpUrl;
    const token = await login(base, 'admin', 'restart-admin-pw');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const post = (url: string, body: object) => fetch(`${base}${url}`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect((await post('/api/skills', { name: 'billing' })).status).toBe(201);
    const agent = await (await post('/api/agents', { login: 'mari', name: 'Mari', password: 'mari-password', skills: { billing: 4 }, languages: { et: 5 } })).json();
    const queue = await (await post('/api/queues', { name: 'billing-et', skills: { billing: 2 }, language: 'et' })).json();
    await server.close();

    server = await start(undefined, { ADMIN_PASSWORD: 'ignored-now-123' });
    const again = server.httpUrl;
    const get = (url: string) => fetch(`${again}${url}`, { headers: { authorization: `Bearer ${token}` } });
    expect(await (await get(`/api/agents/${agent.id}`)).json()).toEqual(agent);
    expect(await (await get(`/api/queues/${queue.id}`)).json()).toEqual(queue);
    expect((await (await get('/api/skills')).json()).items.map((s: { name: string }) => s.name)).toEqual(['billing']);
  });

  it('puts open callbacks back into the ACD at their place after a restart; one due later joins at its time', async () => {
    scratch = await scratchDatabase(kind);
    const env = { ADMIN_PASSWORD: 'restart-admin-pw', CALLBACK_TRUNK: 'sip:127.0.0.1:9;transport=udp' };
    server = await start(undefined, env);
    const token = await login(server.httpUrl, 'admin', 'restart-admin-pw');
    const queue = await (await fetch(`${server.httpUrl}/api/queues`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'callbacks' }),
    })).json();
    const now = Date.now();
    const db = server.ctx.database.db;
    const row = (callId: string, requestedAt: number, scheduledFor: number | null = null) =>
      createCallback(db, { queueId: queue.id, target: '+3725550000', callId, requestedAt: new Date(requestedAt), scheduledFor: scheduledFor === null ? null : new Date(scheduledFor) });
    await row('cb-late', now - 60_000);
    await row('cb-early', now - 120_000);
    await row('cb-tomorrow', now - 300_000, now + 86_400_000);
    const dialing = await row('cb-dialing', now - 90_000);
    await setCallbackState(db, dialing.id, 'dialing', true);
    const done = await row('cb-done', now - 500_000);
    await setCallbackState(db, done.id, 'completed', true);
    await server.close();

    server = await start(undefined, env);
    const engine = server.center.acd.engine;
    expect(engine.queueStatus(String(queue.id)).waiting).toBe(3);
    // in line by the time each customer first joined it
    expect(['cb-early', 'cb-dialing', 'cb-late'].map((id) => engine.position(id)?.position)).toEqual([1, 2, 3]);
    expect(engine.position('cb-tomorrow')).toBeNull();
    expect(server.center.callbacks.has('cb-tomorrow')).toBe(true);
    expect(server.center.callbacks.has('cb-done')).toBe(false);
    await server.center.log.flush();
    const states = await server.ctx.database.db.selectFrom('callbacks').select(['call_id', 'state']).orderBy('call_id').execute();
    expect(states).toEqual([
      { call_id: 'cb-dialing', state: 'waiting' },
      { call_id: 'cb-done', state: 'completed' },
      { call_id: 'cb-early', state: 'waiting' },
      { call_id: 'cb-late', state: 'waiting' },
      { call_id: 'cb-tomorrow', state: 'scheduled' },
    ]);
  });

  it('keeps the callback settings an admin set over CALLBACK_*, never shows the trunk password, and refuses bad ones naming the field', async () => {
    scratch = await scratchDatabase(kind);
    const env = { ADMIN_PASSWORD: 'restart-admin-pw', CALLBACK_TRUNK: 'sip:gw-env.example.net' };
    server = await start(undefined, env);
    const token = await login(server.httpUrl, 'admin', 'restart-admin-pw');
    const call = async (method: string, body?: unknown) => {
      const r = await fetch(`${server!.httpUrl}/api/settings/callbacks`, {
        method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, body: await r.json() };
    };
    expect((await call('GET')).body).toEqual({
      trunk: 'sip:gw-env.example.net', callerId: 'sip:callcenter@callflow', dialSeconds: 30, retrySeconds: 300, attempts: 3, username: null, passwordSet: false, agentCalls: false, allowedPrefixes: [], source: 'environment',
    });
    expect((await call('PUT', { trunk: 'sip:gw.example.net', allowedPrefixes: ['+372', 'x1'] })).body.field).toBe('body.allowedPrefixes');
    expect((await call('PUT', { trunk: 'sip:1234@gw.example.net' })).body.field).toBe('body.trunk');
    expect((await call('PUT', { trunk: 'sip:gw.example.net', callerId: 'not a uri' })).body.field).toBe('body.callerId');
    expect((await call('PUT', { trunk: 'sip:gw.example.net', username: 'acme' })).body.field).toBe('body.password');
    const set = await call('PUT', { trunk: 'sip:gw.example.net:5070;transport=tcp', callerId: 'sip:+3726001234@example.com', attempts: 5, username: 'acme', password: 'trunk-secret', agentCalls: true, allowedPrefixes: ['+372', '+358'] });
    expect(set.status).toBe(200);
    expect(JSON.stringify(set.body)).not.toContain('trunk-secret');
    expect(server.center.callbacks.settings).toMatchObject({ trunk: 'sip:gw.example.net:5070;transport=tcp', attempts: 5, auth: { username: 'acme', password: 'trunk-secret' } });
    // in the database the password is sealed under the server's key (DATA_DIR/secret.key), not in clear
    const row = await server.ctx.database.db.selectFrom('settings').select('value').where('key', '=', 'callbacks').executeTakeFirstOrThrow();
    expect(row.value).not.toContain('trunk-secret');
    expect(JSON.parse(row.value).auth).toEqual({ username: 'acme', passwordSealed: expect.stringMatching(/^sealed:v1:/) });
    await server.close();

    server = await start(undefined, env);
    expect((await call('GET')).body).toEqual({
      trunk: 'sip:gw.example.net:5070;transport=tcp', callerId: 'sip:+3726001234@example.com', dialSeconds: 30, retrySeconds: 300, attempts: 5, username: 'acme', passwordSet: true, agentCalls: true, allowedPrefixes: ['+372', '+358'], source: 'database',
    });
    // the password stays when left out; no trunk: no callbacks
    expect((await call('PUT', { trunk: null })).body).toMatchObject({ trunk: null, username: 'acme', passwordSet: true });
    expect(server.center.callbacks.enabled).toBe(false);
    expect(server.center.callbacks.settings.auth).toEqual({ username: 'acme', password: 'trunk-secret' });
    const agentToken = await (async () => {
      await fetch(`${server!.httpUrl}/api/agents`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ login: 'ann', name: 'Ann', password: 'ann-password', skills: {}, languages: {} }),
      });
      return login(server!.httpUrl, 'ann', 'ann-password');
    })();
    expect((await fetch(`${server.httpUrl}/api/settings/callbacks`, { headers: { authorization: `Bearer ${agentToken}` } })).status).toBe(403);
  });

  it('seals a trunk password an earlier version stored in clear, and asks for it again when the key has changed', async () => {
    scratch = await scratchDatabase(kind);
    server = await start(undefined, { ADMIN_PASSWORD: 'restart-admin-pw' });
    const db = () => server!.ctx.database.db;
    const clear = { trunk: 'sip:gw.example.net', callerId: 'sip:cc@example.com', dialSeconds: 20, retrySeconds: 60, attempts: 2, auth: { username: 'acme', password: 'old-clear-secret' } };
    await db().insertInto('settings').values({ key: 'callbacks', value: JSON.stringify(clear) }).onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(clear) })).execute();
    await server.close();

    let log = capturingLogger();
    server = await start(log.logger, { ADMIN_PASSWORD: 'restart-admin-pw' });
    expect(server.center.callbacks.settings.auth).toEqual({ username: 'acme', password: 'old-clear-secret' });
    const value = (await db().selectFrom('settings').select('value').where('key', '=', 'callbacks').executeTakeFirstOrThrow()).value;
    expect(value).not.toContain('old-clear-secret');
    expect(log.lines.some((l) => l.includes('now stored encrypted'))).toBe(true);
    await server.close();

    // another key (SECRET_KEY set, or the key file lost): the password is dropped with a warning, the rest kept
    log = capturingLogger();
    server = await start(log.logger, { ADMIN_PASSWORD: 'restart-admin-pw', SECRET_KEY: 'd'.repeat(64) });
    expect(server.center.callbacks.settings).toMatchObject({ trunk: 'sip:gw.example.net', attempts: 2, auth: null });
    const warning = log.lines.find((l) => l.includes('callback trunk password stored in the database cannot be used'));
    expect(warning).toBeDefined();
    expect(log.lines.join('')).not.toContain('old-clear-secret');
    const token = await login(server.httpUrl, 'admin', 'restart-admin-pw');
    const got = await (await fetch(`${server.httpUrl}/api/settings/callbacks`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(got).toMatchObject({ trunk: 'sip:gw.example.net', username: null, passwordSet: false });
  });

  it("logs a device move whose agent lookup fails, and hears none once closed (never an unhandled rejection)", async () => {
    scratch = await scratchDatabase(kind);
    const log = capturingLogger();
    server = await start(log.logger);
    const device: Binding = {
      aor: 'sip:1001@localhost', contact: 'sip:1001@127.0.0.1:5999', expiresAt: Date.now() + 60_000, transport: 'udp',
      sourceAddress: '127.0.0.1', sourcePort: 5999, connectionId: null, instanceId: null, regId: null,
      callId: 'move-test', cseq: 1, path: [], q: 1, userAgent: null, username: '1001',
    };
    // the database goes away under a late qualify answer (as it can while the server shuts down)
    await server.ctx.database.close();
    server.sip.emit('bindingReachability', device, false);
    await expect.poll(() => log.lines.some((l) => l.includes('agent device update failed'))).toBe(true);
    await server.close();
    expect(server.sip.listenerCount('bindingAdded') + server.sip.listenerCount('bindingRemoved') + server.sip.listenerCount('bindingReachability')).toBe(0);
  });
});
