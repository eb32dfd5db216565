import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../../server/config.ts';
import { seedDemo } from '../../server/demo.ts';
import { computeHa1 } from '../../sip/auth/ha1.ts';
import { DATABASE_KINDS } from '../support/databases.ts';
import { ADMIN_PASSWORD, type TestApp, testApp } from '../support/app.ts';

describe.each(DATABASE_KINDS)('admin REST API on %s', (kind) => {
  let t: TestApp;
  let admin: { authorization: string };
  beforeEach(async () => {
    t = await testApp(kind);
    admin = await t.auth('admin', ADMIN_PASSWORD);
  });
  afterEach(async () => {
    await t?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object, headers?: object) =>
    t.app.inject({ method, url, ...(payload ? { payload } : {}), headers: { ...admin, ...headers } });

  it('health needs no token and names the database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', db: kind });
  });

  it('a wrong password or an unknown user gets 401 without telling which', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'admin', password: 'nope' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'ghost', password: 'nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().message).toBe(unknown.json().message);
  });

  it('every other /api route needs a valid bearer token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/skills' })).statusCode).toBe(401);
    const forged = await t.app.inject({ method: 'GET', url: '/api/skills', headers: { authorization: 'Bearer abc.def' } });
    expect(forged.statusCode).toBe(401);
    const tampered = admin.authorization.replace(/\.(.)/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    expect((await t.app.inject({ method: 'GET', url: '/api/skills', headers: { authorization: tampered } })).statusCode).toBe(401);
    expect((await call('GET', '/api/skills')).statusCode).toBe(200);
  });

  it('creates, reads, pages, updates and deletes skills', async () => {
    const created = await call('POST', '/api/skills', { name: 'billing', description: 'Invoices' });
    expect(created.statusCode).toBe(201);
    const skill = created.json();
    expect(skill).toMatchObject({ id: expect.any(Number), name: 'billing', description: 'Invoices' });
    for (const name of ['tech', 'sales']) expect((await call('POST', '/api/skills', { name })).statusCode).toBe(201);
    expect((await call('GET', `/api/skills/${skill.id}`)).json()).toEqual(skill);
    const page = (await call('GET', '/api/skills?limit=2&offset=1')).json();
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 1 });
    expect(page.items.map((s: { name: string }) => s.name)).toEqual(['tech', 'sales']);
    expect((await call('PATCH', `/api/skills/${skill.id}`, { description: 'Bills' })).json().description).toBe('Bills');
    expect((await call('DELETE', `/api/skills/${skill.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/skills/${skill.id}`)).statusCode).toBe(404);
  });

  it('schema violations get 400 naming the field', async () => {
    const missing = await call('POST', '/api/skills', {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toMatch(/name/);
    const extra = await call('POST', '/api/skills', { name: 'x', colour: 'red' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().message).toMatch(/colour/);
    const level = await call('POST', '/api/agents', { login: 'a', name: 'A', password: 'password1', skills: { billing: 7 } });
    expect(level.statusCode).toBe(400);
    expect(level.json().field).toMatch(/skills/);
    const strategy = await call('POST', '/api/queues', { name: 'q', strategy: 'random' });
    expect(strategy.statusCode).toBe(400);
    expect(strategy.json().message).toMatch(/strategy/);
    const badId = await call('GET', '/api/queues/abc');
    expect(badId.statusCode).toBe(400);
    const notJson = await t.app.inject({ method: 'POST', url: '/api/skills', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"name":' });
    expect(notJson.statusCode).toBe(400);
  });

  it('duplicates get 409 and unknown references 422, and neither changes anything', async () => {
    await call('POST', '/api/skills', { name: 'billing' });
    const dup = await call('POST', '/api/skills', { name: 'billing' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('ERR_DUPLICATE');
    const unknownSkill = await call('POST', '/api/queues', { name: 'q', skills: { billing: 2, nosuch: 1 } });
    expect(unknownSkill.statusCode).toBe(422);
    expect(unknownSkill.json().message).toMatch(/nosuch/);
    const unknownOverflow = await call('POST', '/api/queues', { name: 'q', overflow: { queue: 'nowhere' } });
    expect(unknownOverflow.statusCode).toBe(422);
    const agentBadSkill = await call('POST', '/api/agents', { login: 'mari', name: 'Mari', password: 'password1', skills: { nosuch: 2 } });
    expect(agentBadSkill.statusCode).toBe(422);
    expect((await call('GET', '/api/queues')).json().total).toBe(0);
    expect((await call('GET', '/api/agents')).json().total).toBe(0);
    expect((await call('GET', '/api/skills')).json().total).toBe(1);
  });

  it('unknown ids get 404', async () => {
    for (const url of ['/api/skills/999', '/api/agents/999', '/api/queues/999']) {
      const res = await call('GET', url);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('ERR_NOT_FOUND');
    }
    expect((await call('PUT', '/api/agents/999/sip-credentials', { username: 'u1', password: 'password1' })).statusCode).toBe(404);
  });

  it('creates an agent with skills and languages and a queue that routes to them', async () => {
    await call('POST', '/api/skills', { name: 'billing' });
    const agent = await call('POST', '/api/agents', {
      login: 'mari', name: 'Mari Maasikas', password: 'mari-password', skills: { billing: 4 }, languages: { et: 5, en: 3 },
    });
    expect(agent.statusCode).toBe(201);
    expect(agent.json()).toMatchObject({ login: 'mari', skills: { billing: 4 }, languages: { et: 5, en: 3 } });
    expect(agent.json()).not.toHaveProperty('password');
    const queue = await call('POST', '/api/queues', {
      name: 'billing-et', skills: { billing: 2 }, language: 'et', strategy: 'longest-idle',
      serviceLevel: { thresholdSeconds: 20, target: 0.8 }, wrapUpSeconds: 10, maxWaitSeconds: 120, maxLength: 20,
      overflow: { action: 'callback' }, steps: [{ afterSeconds: 30, skills: { billing: 1 } }, { afterSeconds: 60, language: 'en' }],
    });
    expect(queue.statusCode).toBe(201);
    expect(queue.json()).toMatchObject({
      name: 'billing-et', skills: { billing: 2 }, language: 'et', strategy: 'longest-idle', priority: 0,
      serviceLevel: { thresholdSeconds: 20, target: 0.8 }, overflow: { action: 'callback' }, ringTimeoutSeconds: 20,
    });
    const patched = await call('PATCH', `/api/queues/${queue.json().id}`, { priority: 3, strategy: 'ring-all' });
    expect(patched.json()).toMatchObject({ priority: 3, strategy: 'ring-all', skills: { billing: 2 } });
  });

  it('keeps a queue\'s dispositions in order and whether one is required, and refuses duplicates, blanks and padded ones naming the field', async () => {
    const created = await call('POST', '/api/queues', { name: 'sales' });
    expect(created.json()).toMatchObject({ dispositions: [], dispositionRequired: false });
    const id = created.json().id;
    const set = await call('PATCH', `/api/queues/${id}`, { dispositions: ['Sale', 'No sale', 'Call back later'], dispositionRequired: true });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ dispositions: ['Sale', 'No sale', 'Call back later'], dispositionRequired: true });
    expect((await call('GET', `/api/queues/${id}`)).json().dispositions).toEqual(['Sale', 'No sale', 'Call back later']);
    for (const bad of [['Sale', 'Sale'], [''], [' Sale'], ['x'.repeat(101)]]) {
      const res = await call('PATCH', `/api/queues/${id}`, { dispositions: bad });
      expect(res.statusCode).toBe(400);
      expect(res.json().field).toMatch(/^body\.dispositions/);
    }
    expect((await call('GET', `/api/queues/${id}`)).json().dispositions).toEqual(['Sale', 'No sale', 'Call back later']);
  });

  it('SIP credentials are stored as digest HA1s for MD5 and SHA-256, never in plain text', async () => {
    const agent = (await call('POST', '/api/agents', { login: 'mari', name: 'Mari', password: 'mari-password' })).json();
    const res = await call('PUT', `/api/agents/${agent.id}/sip-credentials`, { username: '1001', password: 'sip-secret-1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: '1001', realm: 'test.realm' });
    const row = await t.database.db.selectFrom('sip_credentials').selectAll().executeTakeFirstOrThrow();
    expect(row.ha1_md5).toBe(computeHa1('MD5', '1001', 'test.realm', 'sip-secret-1'));
    expect(row.ha1_sha256).toBe(computeHa1('SHA-256', '1001', 'test.realm', 'sip-secret-1'));
    expect(JSON.stringify(row)).not.toContain('sip-secret-1');
    expect((await call('GET', `/api/agents/${agent.id}`)).json().sipUsername).toBe('1001');
    const user = await t.database.db.selectFrom('users').select('password_hash').where('login', '=', 'mari').executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^scrypt\$/);
    expect(user.password_hash).not.toContain('mari-password');
  });

  it('an agent may read only their own profile and may not change anything', async () => {
    const mari = (await call('POST', '/api/agents', { login: 'mari', name: 'Mari', password: 'mari-password' })).json();
    const juhan = (await call('POST', '/api/agents', { login: 'juhan', name: 'Juhan', password: 'juhan-password' })).json();
    const asMari = await t.auth('mari', 'mari-password');
    expect((await t.app.inject({ method: 'GET', url: `/api/agents/${mari.id}`, headers: asMari })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: asMari })).json()).toMatchObject({ login: 'mari', role: 'agent' });
    expect((await t.app.inject({ method: 'GET', url: `/api/agents/${juhan.id}`, headers: asMari })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/agents', headers: asMari })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/skills', headers: asMari, payload: { name: 'x' } })).statusCode).toBe(403);
  });

  it('a supervisor reads configuration but cannot change it', async () => {
    await call('POST', '/api/users', { login: 'sue', name: 'Sue', password: 'sue-password', role: 'supervisor' });
    const asSue = await t.auth('sue', 'sue-password');
    expect((await t.app.inject({ method: 'GET', url: '/api/queues', headers: asSue })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/queues', headers: asSue, payload: { name: 'q' } })).statusCode).toBe(403);
  });

  it('answers cross-origin preflights for the widget\'s public API only', async () => {
    const headers = { origin: 'https://shop.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' };
    const pub = await t.app.inject({ method: 'OPTIONS', url: '/api/public/calls', headers });
    expect(pub.statusCode).toBe(204);
    expect(pub.headers['access-control-allow-origin']).toBe('*');
    expect(String(pub.headers['access-control-allow-headers'])).toMatch(/content-type/);
    const admin = await t.app.inject({ method: 'OPTIONS', url: '/api/skills', headers });
    expect(admin.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a queue keeps its opening hours; a bad time zone, time or range is refused naming the field', async () => {
    const hours = { timeZone: 'Europe/Tallinn', days: { mon: [{ from: '09:00', to: '17:00' }], sat: [{ from: '10:00', to: '24:00' }] } };
    const created = await call('POST', '/api/queues', { name: 'open-q', openingHours: hours });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().openingHours).toEqual(hours);
    expect((await call('POST', '/api/queues', { name: 'always' })).json().openingHours).toBeNull();
    const tz = await call('POST', '/api/queues', { name: 'q-tz', openingHours: { ...hours, timeZone: 'Nowhere/Land' } });
    expect(tz.statusCode).toBe(400);
    expect(tz.json()).toMatchObject({ field: 'body.openingHours.timeZone', message: 'body.openingHours.timeZone: unknown time zone "Nowhere/Land"' });
    const backwards = await call('PATCH', `/api/queues/${created.json().id}`, { openingHours: { timeZone: 'UTC', days: { tue: [{ from: '17:00', to: '09:00' }] } } });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().message).toBe('body.openingHours.days.tue[0]: from must be before to');
    const badTime = await call('POST', '/api/queues', { name: 'q-time', openingHours: { timeZone: 'UTC', days: { mon: [{ from: '9am', to: '17:00' }] } } });
    expect(badTime.statusCode).toBe(400);
    expect(badTime.json().message).toMatch(/openingHours/);
    const badDay = await call('POST', '/api/queues', { name: 'q-day', openingHours: { timeZone: 'UTC', days: { funday: [] } } });
    expect(badDay.statusCode).toBe(400);
    const holiday = await call('PATCH', `/api/queues/${created.json().id}`, { openingHours: { ...hours, closedDates: ['2026-12-24'] } });
    expect(holiday.json().openingHours.closedDates).toEqual(['2026-12-24']);
    const noDate = await call('PATCH', `/api/queues/${created.json().id}`, { openingHours: { ...hours, closedDates: ['2026-02-30'] } });
    expect(noDate.statusCode).toBe(400);
    expect(noDate.json().message).toBe('body.openingHours.closedDates[0]: "2026-02-30" is not a date YYYY-MM-DD');
    const cleared = await call('PATCH', `/api/queues/${created.json().id}`, { openingHours: null });
    expect(cleared.json().openingHours).toBeNull();
  });

  it("a queue keeps its page rules in order; an unknown skill or a rule without a condition is refused naming the field", async () => {
    await call('POST', '/api/skills', { name: 'laptops' });
    const pageRules = [
      { when: { category: 'laptops' }, skills: { laptops: 3 }, forSeconds: 30 },
      { when: { urlContains: '/checkout' }, priority: 5 },
    ];
    const created = await call('POST', '/api/queues', { name: 'shop', pageRules });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().pageRules).toEqual(pageRules);
    expect((await call('GET', `/api/queues/${created.json().id}`)).json().pageRules).toEqual(pageRules);
    expect((await call('POST', '/api/queues', { name: 'plain' })).json().pageRules).toEqual([]);
    const unknown = await call('PATCH', `/api/queues/${created.json().id}`, { pageRules: [{ when: { category: 'tents' }, skills: { camping: 2 } }] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ field: 'pageRules[0].skills.camping' });
    const empty = await call('PATCH', `/api/queues/${created.json().id}`, { pageRules: [{ when: {}, priority: 1 }] });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ field: 'body.pageRules.0.when' });
    expect((await call('GET', `/api/queues/${created.json().id}`)).json().pageRules).toEqual(pageRules);
  });

  it('DEMO seeds the support queue, a language-choice IVR menu, three agents and a supervisor who can sign in; seeding again changes nothing', async () => {
    const config = loadConfig({ SIP_REALM: 'test.realm', LOG_LEVEL: 'silent' });
    await seedDemo(t.database.db, config, pino({ level: 'silent' }));
    await seedDemo(t.database.db, config, pino({ level: 'silent' }));
    const queues = (await call('GET', '/api/queues')).json().items;
    expect(queues.map((q: { name: string }) => q.name)).toEqual(['support']);
    expect(queues[0]).toMatchObject({ serviceLevel: { thresholdSeconds: 20, target: 0.8 }, dispositions: expect.arrayContaining(['Sale']) });
    const agents = (await call('GET', '/api/agents')).json().items;
    expect(agents.map((a: { login: string }) => a.login).sort()).toEqual(['john', 'mari', 'olga']);
    const menus = (await call('GET', '/api/ivr-menus')).json().items;
    expect(menus).toHaveLength(1);
    expect(menus[0]).toMatchObject({ name: 'welcome', defaultAction: { type: 'queue', queueId: queues[0].id } });
    expect(menus[0].options.map((o: { digit: string; language: string }) => `${o.digit}:${o.language}`)).toEqual(['1:en', '2:et', '3:ru']);
    const sue = await t.auth('sue', 'demo-sue');
    const me = (await t.app.inject({ method: 'GET', url: '/api/me', headers: sue })).json();
    expect(me).toMatchObject({ login: 'sue', role: 'supervisor' });
    expect((await t.app.inject({ method: 'POST', url: '/api/skills', payload: { name: 'x' }, headers: sue })).statusCode).toBe(403);
  });

  it("the audit log keeps admins' and supervisors' changes (refused ones too, with why) and every login attempt, never a secret", async () => {
    const skill = (await call('POST', '/api/skills', { name: 'billing' })).json();
    expect((await call('POST', '/api/skills', { name: 'billing' })).statusCode).toBe(409);
    const agent = (await call('POST', '/api/agents', { login: 'mari', name: 'Mari', password: 'mari-password' })).json();
    expect((await call('PUT', `/api/agents/${agent.id}/sip-credentials`, { username: '1001', password: 'sip-secret-1' })).statusCode).toBe(200);
    await call('POST', '/api/users', { login: 'sue', name: 'Sue', password: 'sue-password', role: 'supervisor' });
    expect((await t.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'sue', password: 'wrong-one' } })).statusCode).toBe(401);
    const asSue = await t.auth('sue', 'sue-password');
    const asMari = await t.auth('mari', 'mari-password');
    expect((await t.app.inject({ method: 'POST', url: '/api/queues', headers: asSue, payload: { name: 'q' } })).statusCode).toBe(403);
    await t.app.inject({ method: 'GET', url: '/api/queues', headers: asSue }); // (a read: not kept)
    await t.app.inject({ method: 'POST', url: '/api/skills', headers: asMari, payload: { name: 'x' } }); // (an agent: the queue log has theirs)
    await t.app.inject({ method: 'POST', url: '/api/login', payload: { username: 'ghost', password: 'boo' } });

    const audit = async (query = '') => {
      // (written after each answer, off the request's path)
      for (let i = 0; i < 50; i++) {
        const r = await call('GET', `/api/audit${query}`);
        if (r.json().total > 0 || query.includes('nobody')) return r.json();
        await new Promise((res) => setTimeout(res, 20));
      }
      throw new Error('no audit entries');
    };
    await new Promise((res) => setTimeout(res, 200));
    const all = await audit('?limit=100');
    const rows = (all.items as Array<Record<string, unknown>>).map((e) => [e.login, e.route, e.status]).reverse();
    expect(rows).toEqual([
      ['admin', 'POST /api/login', 200],
      ['admin', 'POST /api/skills', 201],
      ['admin', 'POST /api/skills', 409],
      ['admin', 'POST /api/agents', 201],
      ['admin', 'PUT /api/agents/:id/sip-credentials', 200],
      ['admin', 'POST /api/users', 201],
      ['sue', 'POST /api/login', 401],
      ['sue', 'POST /api/login', 200],
      ['mari', 'POST /api/login', 200],
      ['sue', 'POST /api/queues', 403],
      ['ghost', 'POST /api/login', 401],
    ]);
    const items = all.items as Array<Record<string, unknown>>;
    const refused = items.find((e) => e.status === 409)!;
    expect(refused).toMatchObject({ userId: expect.any(Number), role: 'admin', path: '/api/skills', detail: { name: 'billing' }, error: expect.stringContaining('billing') });
    expect(items.find((e) => e.route === 'PUT /api/agents/:id/sip-credentials')).toMatchObject({ path: `/api/agents/${agent.id}/sip-credentials`, detail: { username: '1001', password: '***' } });
    const text = JSON.stringify(all);
    for (const secret of ['sip-secret-1', 'mari-password', 'sue-password', 'wrong-one', ADMIN_PASSWORD, 'boo']) expect(text).not.toContain(secret);
    expect(skill.id).toBeGreaterThan(0);

    // filters, paging; admins only
    expect((await audit('?login=sue')).items.map((e: { status: number }) => e.status)).toEqual([403, 200, 401]);
    expect((await audit('?path=/api/agents')).total).toBe(2);
    expect((await audit('?login=nobody')).total).toBe(0);
    expect((await call('GET', '/api/audit?limit=2&offset=1')).json()).toMatchObject({ total: 11, limit: 2, offset: 1, items: [{ login: 'sue' }, { login: 'mari' }] });
    expect((await t.app.inject({ method: 'GET', url: '/api/audit', headers: asSue })).statusCode).toBe(403);
    expect((await call('GET', '/api/audit?from=yesterday')).statusCode).toBe(400);
  });

  it('serves OpenAPI documentation at /docs', async () => {
    const ui = await t.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
    const spec = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/skills', '/api/agents/{id}/sip-credentials', '/api/queues/{id}']));
  });
});
