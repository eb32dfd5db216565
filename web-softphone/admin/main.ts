/** Entry of the admin console (/admin/): skills, agents (with their desk phones), queues, and admin/supervisor accounts over the REST API. */
import { fetchJson } from '../shared/http.ts';
import { sessionTokenStore } from '../shared/session-token.ts';
import { formatLevels, parseCount, parseLevels, parseList } from './forms.ts';

interface Skill { id: number; name: string; description: string }
interface Agent { id: number; login: string; name: string; skills: Record<string, number>; languages: Record<string, number>; sipUsername: string | null }
interface Queue {
  id: number;
  name: string;
  description: string;
  skills: Record<string, number>;
  language: string | null;
  strategy: string;
  priority: number;
  serviceLevel: { thresholdSeconds: number; target: number };
  wrapUpSeconds: number;
  ringTimeoutSeconds: number;
  maxWaitSeconds: number | null;
  overflow: { queue?: string; action?: string } | null;
  dispositions: string[];
  dispositionRequired: boolean;
}
interface Page<T> { items: T[] }
interface User { id: number; login: string; name: string; role: string }

const tokens = sessionTokenStore('callflow.admin.token');
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = (id: string) => $<HTMLFormElement>(id);
const field = (f: HTMLFormElement, name: string) => f.elements.namedItem(name) as HTMLInputElement;

function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<T> {
  return fetchJson<T>(url, { method, token: tokens.get() ?? '', ...(body === undefined ? {} : { body }) });
}

function say(message: string, kind: 'notice' | 'error'): void {
  const other = kind === 'notice' ? 'error' : 'notice';
  $(other).hidden = true;
  $(kind).textContent = message;
  $(kind).hidden = false;
}

/** Runs an action of the console: its error (a form's or the server's message) is shown, never thrown. */
async function act(what: () => Promise<string | void>): Promise<void> {
  try {
    const done = await what();
    if (done) say(done, 'notice');
  } catch (err) {
    say(err instanceof Error ? err.message : String(err), 'error');
  }
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function actions(name: string, onEdit: (() => void) | null, onDelete: () => void): HTMLTableCellElement {
  const td = document.createElement('td');
  td.className = 'actions';
  if (onEdit) {
    const edit = document.createElement('button');
    edit.type = 'button';
    edit.textContent = 'Edit';
    edit.dataset.testid = `edit-${name}`;
    edit.addEventListener('click', onEdit);
    td.append(edit, ' ');
  }
  const del = document.createElement('button');
  del.type = 'button';
  del.textContent = 'Delete';
  del.dataset.testid = `delete-${name}`;
  del.addEventListener('click', () => {
    if (confirm(`Delete ${name}?`)) onDelete();
  });
  td.append(del);
  return td;
}

function editing(f: HTMLFormElement, id: number | null, title: string): void {
  field(f, 'id').value = id === null ? '' : String(id);
  f.querySelector('[data-role="title"]')!.textContent = title;
}

// ── skills ──
async function loadSkills(): Promise<void> {
  const skills = (await api<Page<Skill>>('GET', '/api/skills?limit=500')).items;
  $('skills-rows').replaceChildren(
    ...skills.map((s) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = `skill-${s.name}`;
      tr.append(cell(s.name), cell(s.description), actions(s.name, () => {
        const f = form('skill-form');
        editing(f, s.id, `Edit skill ${s.name}`);
        field(f, 'name').value = s.name;
        field(f, 'description').value = s.description;
      }, () => void act(async () => {
        await api('DELETE', `/api/skills/${s.id}`);
        await loadSkills();
        return `Skill ${s.name} deleted.`;
      })));
      return tr;
    }),
  );
}

form('skill-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('skill-form');
  void act(async () => {
    const id = field(f, 'id').value;
    const body = { name: field(f, 'name').value.trim(), description: field(f, 'description').value.trim() };
    await (id ? api('PATCH', `/api/skills/${id}`, body) : api('POST', '/api/skills', body));
    f.reset();
    await loadSkills();
    return `Skill ${body.name} saved.`;
  });
});

// ── agents ──
async function loadAgents(): Promise<void> {
  const agents = (await api<Page<Agent>>('GET', '/api/agents?limit=500')).items;
  $('agents-rows').replaceChildren(
    ...agents.map((a) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = `agent-${a.login}`;
      tr.append(cell(a.login), cell(a.name), cell(formatLevels(a.skills)), cell(formatLevels(a.languages)), cell(a.sipUsername ?? ''), actions(a.login, () => {
        const f = form('agent-form');
        editing(f, a.id, `Edit agent ${a.login}`);
        field(f, 'login').value = a.login;
        field(f, 'name').value = a.name;
        field(f, 'password').value = '';
        field(f, 'skills').value = formatLevels(a.skills);
        field(f, 'languages').value = formatLevels(a.languages);
        field(f, 'sipUsername').value = a.sipUsername ?? '';
        field(f, 'sipPassword').value = '';
      }, () => void act(async () => {
        await api('DELETE', `/api/agents/${a.id}`);
        await loadAgents();
        return `Agent ${a.login} deleted.`;
      })));
      return tr;
    }),
  );
}

form('agent-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('agent-form');
  void act(async () => {
    const id = field(f, 'id').value;
    const password = field(f, 'password').value;
    const body = {
      login: field(f, 'login').value.trim(),
      name: field(f, 'name').value.trim(),
      skills: parseLevels(field(f, 'skills').value, 'skills'),
      languages: parseLevels(field(f, 'languages').value, 'languages'),
      ...(password ? { password } : {}),
    };
    const sipUsername = field(f, 'sipUsername').value.trim();
    const sipPassword = field(f, 'sipPassword').value;
    if (sipPassword && !sipUsername) throw new Error('Desk phone SIP user: give one with the SIP password');
    if (!id && !password) throw new Error('password: a new agent needs one');
    const agent = await (id ? api<Agent>('PATCH', `/api/agents/${id}`, body) : api<Agent>('POST', '/api/agents', body));
    if (sipUsername && (sipPassword || sipUsername !== agent.sipUsername)) {
      if (!sipPassword) throw new Error(`SIP password: agent ${agent.login} saved; give a SIP password to set the desk phone ${sipUsername}`);
      await api('PUT', `/api/agents/${agent.id}/sip-credentials`, { username: sipUsername, password: sipPassword });
    } else if (!sipUsername && agent.sipUsername) {
      await api('DELETE', `/api/agents/${agent.id}/sip-credentials`);
    }
    f.reset();
    editing(f, null, 'New agent');
    await loadAgents();
    return `Agent ${body.login} saved.`;
  });
});

// ── queues ──
let queueNames: string[] = [];

function overflowText(o: Queue['overflow']): string {
  if (o === null) return '';
  return o.queue !== undefined ? `queue ${o.queue}` : (o.action ?? '');
}

function fillOverflow(except: string | null): void {
  const select = field(form('queue-form'), 'overflow') as unknown as HTMLSelectElement;
  const choices: Array<[string, string]> = [['', '(none)'], ['action:hangup', 'hang up'], ['action:voicemail', 'voicemail'], ['action:callback', 'callback']];
  for (const n of queueNames) if (n !== except) choices.push([`queue:${n}`, `queue ${n}`]);
  select.replaceChildren(
    ...choices.map(([value, label]) => {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = label;
      return o;
    }),
  );
}

async function loadQueues(): Promise<void> {
  const queues = (await api<Page<Queue>>('GET', '/api/queues?limit=500')).items;
  queueNames = queues.map((q) => q.name);
  fillOverflow(null);
  $('queues-rows').replaceChildren(
    ...queues.map((q) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = `queue-${q.name}`;
      const requires = [formatLevels(q.skills), q.language ?? ''].filter((x) => x).join(' · ');
      tr.append(
        cell(q.name),
        cell(requires),
        cell(q.strategy),
        cell(`${Math.round(q.serviceLevel.target * 100)}% in ${q.serviceLevel.thresholdSeconds} s`),
        cell(`${q.wrapUpSeconds} s`),
        cell(overflowText(q.overflow) + (q.maxWaitSeconds === null ? '' : ` after ${q.maxWaitSeconds} s`)),
        actions(q.name, () => editQueue(q), () => void act(async () => {
          await api('DELETE', `/api/queues/${q.id}`);
          await loadQueues();
          return `Queue ${q.name} deleted.`;
        })),
      );
      return tr;
    }),
  );
}

function editQueue(q: Queue): void {
  const f = form('queue-form');
  editing(f, q.id, `Edit queue ${q.name}`);
  fillOverflow(q.name);
  const set = (name: string, v: string) => (field(f, name).value = v);
  set('name', q.name);
  set('description', q.description);
  set('skills', formatLevels(q.skills));
  set('language', q.language ?? '');
  set('strategy', q.strategy);
  set('priority', String(q.priority));
  set('slTarget', String(Math.round(q.serviceLevel.target * 100)));
  set('slThreshold', String(q.serviceLevel.thresholdSeconds));
  set('wrapUpSeconds', String(q.wrapUpSeconds));
  set('ringTimeoutSeconds', String(q.ringTimeoutSeconds));
  set('maxWaitSeconds', q.maxWaitSeconds === null ? '' : String(q.maxWaitSeconds));
  set('overflow', q.overflow === null ? '' : q.overflow.queue !== undefined ? `queue:${q.overflow.queue}` : `action:${q.overflow.action}`);
  set('dispositions', q.dispositions.join(', '));
  field(f, 'dispositionRequired').checked = q.dispositionRequired;
}

form('queue-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('queue-form');
  void act(async () => {
    const id = field(f, 'id').value;
    const v = (name: string) => field(f, name).value;
    const need = (name: string, label: string): number => {
      const n = parseCount(v(name), label);
      if (n === null) throw new Error(`${label}: required`);
      return n;
    };
    const overflow = v('overflow');
    const body = {
      name: v('name').trim(),
      description: v('description').trim(),
      skills: parseLevels(v('skills'), 'required skills'),
      language: v('language').trim() || null,
      strategy: v('strategy'),
      priority: need('priority', 'priority'),
      serviceLevel: { thresholdSeconds: need('slThreshold', 'service level seconds'), target: need('slTarget', 'service level %') / 100 },
      wrapUpSeconds: need('wrapUpSeconds', 'wrap-up'),
      ringTimeoutSeconds: need('ringTimeoutSeconds', 'ring timeout'),
      maxWaitSeconds: parseCount(v('maxWaitSeconds'), 'max wait'),
      overflow: overflow === '' ? null : overflow.startsWith('queue:') ? { queue: overflow.slice(6) } : { action: overflow.slice(7) },
      dispositions: parseList(v('dispositions')),
      dispositionRequired: field(f, 'dispositionRequired').checked,
    };
    await (id ? api('PATCH', `/api/queues/${id}`, body) : api('POST', '/api/queues', body));
    f.reset();
    editing(f, null, 'New queue');
    await loadQueues();
    return `Queue ${body.name} saved.`;
  });
});

for (const id of ['skill-form', 'agent-form', 'queue-form']) {
  form(id).addEventListener('reset', () => {
    const f = form(id);
    setTimeout(() => editing(f, null, `New ${id.replace('-form', '')}`));
    if (id === 'queue-form') fillOverflow(null);
  });
}

// ── accounts ──
async function loadUsers(): Promise<void> {
  const users = (await api<Page<User>>('GET', '/api/users')).items;
  $('users-rows').replaceChildren(
    ...users.map((u) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = `user-${u.login}`;
      tr.append(cell(u.login), cell(u.name), cell(u.role));
      return tr;
    }),
  );
}

form('user-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('user-form');
  void act(async () => {
    const body = { login: field(f, 'login').value.trim(), name: field(f, 'name').value.trim(), password: field(f, 'password').value, role: field(f, 'role').value };
    await api('POST', '/api/users', body);
    f.reset();
    await loadUsers();
    return `${body.role === 'admin' ? 'Admin' : 'Supervisor'} ${body.login} created.`;
  });
});

// ── sections, sign-in ──
function showTab(tab: string): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-tab]')) b.setAttribute('aria-pressed', String(b.dataset.tab === tab));
  for (const s of document.querySelectorAll<HTMLElement>('[data-section]')) s.hidden = s.dataset.section !== tab;
}
for (const b of document.querySelectorAll<HTMLButtonElement>('[data-tab]')) b.addEventListener('click', () => showTab(b.dataset.tab!));

function show(signedIn: boolean): void {
  $('login-view').hidden = signedIn;
  $('console').hidden = !signedIn;
  $('tabs').hidden = !signedIn;
  $('who').hidden = !signedIn;
}

async function enter(): Promise<void> {
  show(true);
  try {
    await Promise.all([loadSkills(), loadAgents(), loadQueues(), loadUsers()]);
  } catch (err) {
    // an expired or foreign token: back to the sign-in form
    tokens.clear();
    show(false);
    $('login-error').textContent = err instanceof Error ? err.message : String(err);
    $('login-error').hidden = false;
  }
}

form('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const err = $('login-error');
  err.hidden = true;
  const body = { username: $<HTMLInputElement>('login-username').value.trim(), password: $<HTMLInputElement>('login-password').value };
  fetchJson<{ token: string; role: string }>('/api/login', { method: 'POST', body }).then(
    (res) => {
      if (res.role !== 'admin') {
        err.textContent = 'The admin console is for admins.';
        err.hidden = false;
        return;
      }
      tokens.set(res.token);
      void enter();
    },
    (e2: unknown) => {
      err.textContent = e2 instanceof Error ? e2.message : String(e2);
      err.hidden = false;
    },
  );
});
$('logout').addEventListener('click', () => {
  tokens.clear();
  show(false);
});

if (tokens.get()) void enter();
else show(false);
