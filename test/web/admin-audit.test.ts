import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  auditAction,
  auditDetail,
  auditQuery,
  auditRange,
  auditResult,
  auditTime,
  auditWho,
  routeParams,
} from '../../web-softphone/admin/audit.ts';

/** An entry of GET /api/audit: a route and a path, the rest as an admin's successful change. */
function entry(route: string, path: string, more: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 1, at: '2026-12-07T06:01:02.000Z', userId: 1, login: 'admin', role: 'admin', ip: '127.0.0.1', method: route.split(' ')[0]!, route, path,
    status: 200, detail: null, error: null, ...more,
  };
}

describe('the audit log in the admin console: actions in words', () => {
  it('words creating, changing and deleting by what was changed and its id', () => {
    expect(auditAction(entry('POST /api/queues', '/api/queues', { status: 201 }))).toBe('created a queue');
    expect(auditAction(entry('PUT /api/queues/:id', '/api/queues/3'))).toBe('changed queue 3');
    expect(auditAction(entry('PATCH /api/queues/:id', '/api/queues/3'))).toBe('changed queue 3');
    expect(auditAction(entry('DELETE /api/skills/:id', '/api/skills/5', { status: 204 }))).toBe('deleted skill 5');
    expect(auditAction(entry('POST /api/agents', '/api/agents'))).toBe('created an agent');
    expect(auditAction(entry('POST /api/ivr-menus', '/api/ivr-menus'))).toBe('created an IVR menu');
    expect(auditAction(entry('POST /api/users', '/api/users'))).toBe('created an account');
    expect(auditAction(entry('DELETE /api/recordings/:id', '/api/recordings/9'))).toBe('deleted call recording 9');
  });

  it('tells a sign-in from a failed one and a locked-out address', () => {
    expect(auditAction(entry('POST /api/login', '/api/login'))).toBe('signed in');
    expect(auditAction(entry('POST /api/login', '/api/login', { status: 401, error: 'wrong username or password' }))).toBe('failed to sign in');
    expect(auditAction(entry('POST /api/login', '/api/login', { status: 429 }))).toBe('was locked out');
  });

  it('words the other changes with the ids and names from the path', () => {
    expect(auditAction(entry('PUT /api/agents/:id/sip-credentials', '/api/agents/4/sip-credentials'))).toBe('set the desk phone of agent 4');
    expect(auditAction(entry('DELETE /api/agents/:id/sip-credentials', '/api/agents/4/sip-credentials'))).toBe('removed the desk phone of agent 4');
    expect(auditAction(entry('PUT /api/agents/:id/state', '/api/agents/4/state', { detail: { state: 'logged-out' } }))).toBe('set agent 4 logged-out');
    expect(auditAction(entry('PUT /api/prompts/:language/*', '/api/prompts/et/n/3', { detail: { bytes: 16044 } }))).toBe('recorded prompt n/3 (et)');
    expect(auditAction(entry('DELETE /api/prompts/:language/*', '/api/prompts/en/welcome%20sales'))).toBe('deleted the recording of prompt welcome sales (en)');
    expect(auditAction(entry('PUT /api/voicemails/:id', '/api/voicemails/7', { detail: { done: true } }))).toBe('marked voicemail 7 done');
    expect(auditAction(entry('PUT /api/settings/callbacks', '/api/settings/callbacks'))).toBe('changed the callback settings');
    expect(auditAction(entry('DELETE /api/calls/:id/listen/:listenId', '/api/calls/c-1/listen/l-2'))).toBe('stopped listening to call c-1');
  });

  it('shows a route it has no words for as the method and the path', () => {
    expect(auditAction(entry('POST /api/agent/softphone', '/api/agent/softphone'))).toBe('POST /api/agent/softphone');
    expect(auditAction(entry('POST /api/widgets/:id', '/api/widgets/2'))).toBe('POST /api/widgets/2');
    expect(auditAction(entry('PATCH /api/widgets/:id', '/api/widgets/2'))).toBe('PATCH /api/widgets/2');
  });

  it('reads the parameters of a route from its path', () => {
    expect(routeParams('/api/calls/:id/coach/:coachId', '/api/calls/c-1/coach/k-9')).toEqual({ id: 'c-1', coachId: 'k-9' });
    expect(routeParams('/api/prompts/:language/*', '/api/prompts/en/n/3')).toEqual({ language: 'en', '*': 'n/3' });
  });
});

describe('the audit log in the admin console: who, when, the result and the details', () => {
  it('says ok for a 2xx answer, else the status and why it was refused', () => {
    expect(auditResult({ status: 200, error: null })).toBe('ok');
    expect(auditResult({ status: 204, error: null })).toBe('ok');
    expect(auditResult({ status: 409, error: 'a skill named billing exists' })).toBe('409: a skill named billing exists');
    expect(auditResult({ status: 500, error: null })).toBe('500');
  });

  it('names who with their role; a sign-in attempt (not yet anyone\'s) by the login tried alone', () => {
    expect(auditWho({ login: 'admin', role: 'admin' })).toBe('admin (admin)');
    expect(auditWho({ login: 'mallory', role: null })).toBe('mallory');
    expect(auditWho({ login: null, role: null })).toBe('—');
  });

  it('shows the local time, with the year only when it is not this one', () => {
    const at = new Date(2026, 11, 7, 8, 1, 2).toISOString();
    expect(auditTime(at, new Date(2026, 11, 20))).toBe('07.12 08:01:02');
    expect(auditTime(at, new Date(2027, 0, 2))).toBe('07.12.2026 08:01:02');
  });

  it('shows a request body in one line, secrets as the server masked them', () => {
    expect(auditDetail({ name: 'support', wrapUpSeconds: 30 })).toEqual({ text: 'name: support, wrapUpSeconds: 30', full: null });
    expect(auditDetail({ login: 'mari', password: '***', skills: { billing: 4 }, dispositions: ['Resolved', 'Sale'], description: '', language: null }, 200).text).toBe(
      'login: mari, password: ***, skills: {billing: 4}, dispositions: [Resolved, Sale], description: "", language: null',
    );
    expect(auditDetail(null)).toEqual({ text: '', full: null });
    expect(auditDetail({ bytes: 16044 }).text).toBe('a file of 16044 bytes');
    expect(auditDetail({ truncated: true, chars: 9000 }).text).toBe('9000 characters, too long to keep');
  });

  it('cuts a long body with an ellipsis and keeps all of it for the title', () => {
    const detail = { name: 'support', description: 'x'.repeat(200) };
    const shown = auditDetail(detail, 40);
    expect(shown.text).toHaveLength(40);
    expect(shown.text).toBe(`name: support, description: ${'x'.repeat(11)}…`);
    expect(shown.full).toBe(`name: support, description: ${'x'.repeat(200)}`);
  });
});

describe('the audit log in the admin console: pages and filters', () => {
  it('asks for a page of 50 with only the filters given, the last day taken in whole', () => {
    const q = (url: string) => Object.fromEntries(new URL(url, 'http://x').searchParams);
    expect(auditQuery({ login: '', path: '', from: '', to: '' }, 0)).toBe('/api/audit?limit=50&offset=0');
    expect(q(auditQuery({ login: ' admin ', path: '/api/queues', from: '2026-12-07', to: '2026-12-08' }, 100))).toEqual({
      limit: '50', offset: '100', login: 'admin', path: '/api/queues',
      from: new Date(2026, 11, 7).toISOString(), to: new Date(2026, 11, 9).toISOString(),
    });
    // (what the server refuses is sent as it is: its message names the field)
    expect(q(auditQuery({ login: '', path: 'queues', from: '', to: '' }, 0)).path).toBe('queues');
  });

  it('counts the rows shown as "first–last of total"', () => {
    expect(auditRange(0, 50, 120)).toBe('1–50 of 120');
    expect(auditRange(100, 20, 120)).toBe('101–120 of 120');
    expect(auditRange(0, 0, 0)).toBe('0 of 0');
  });
});
