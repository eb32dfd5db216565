/** Entry of the admin console (/admin/): skills, agents (with their desk phones), queues, IVR menus, prompt recordings, admin/supervisor accounts, the agents' not-ready reasons, the callback trunk (and agents' own calls through it), the webhook, erasing a customer and the audit log over the REST API. */
import { wireAccount } from '../shared/account.ts';
import { fetchBlob, fetchJson } from '../shared/http.ts';
import { type NotReadyReasons, parseNotReadyReasons } from '../shared/not-ready-reasons.ts';
import { sessionTokenStore } from '../shared/session-token.ts';
import { wireSignIn } from '../shared/sign-in.ts';
import { AUDIT_PAGE, type AuditEntry, type AuditFilter, auditAction, auditDetail, auditQuery, auditRange, auditResult, auditTime, auditWho } from './audit.ts';
import { formatPrefixes, parsePrefixes } from './callbacks.ts';
import { type Erased, eraseBody, erasedText } from './customers.ts';
import {
  type Hours,
  type IvrAction,
  type IvrOption,
  type IvrTargets,
  type PageRule,
  type Step,
  formatAction,
  formatHours,
  formatLevels,
  formatOptions,
  formatPageRules,
  formatPrompts,
  formatSteps,
  parseAction,
  parseCount,
  parseHours,
  parseLevels,
  parseList,
  parseOptions,
  parsePageRules,
  parsePrompts,
  parseSteps,
} from './forms.ts';
import { MAX_NOT_READY_REASONS, type ReasonRow, moveRow, reasonRows, reasonsBody, reasonsSourceText, systemReasonsText } from './not-ready.ts';
import { WEBHOOK_EVENTS, type WebhookTest, type WebhookView, webhookBody, webhookStatsText, webhookTestText } from './webhook.ts';

interface Skill { id: number; name: string; description: string }
interface Agent {
  id: number;
  login: string;
  name: string;
  skills: Record<string, number>;
  languages: Record<string, number>;
  sipUsername: string | null;
  /** cannot sign in; absent from an older server */
  disabled?: boolean;
}
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
  /** absent from an older server */
  recordCalls?: boolean;
  /** ask callers to rate the call (1–5) after the agent hangs up; absent from an older server */
  survey?: boolean;
  /** waiting phone callers may press 2 to leave a message; absent from an older server */
  voicemailKey?: boolean;
  steps: Step[];
  knownAgentSeconds: number;
  announcements: Announcements;
  openingHours: Hours | null;
  pageRules: PageRule[];
}
interface Announcements { position: boolean; estimatedWait: boolean; periodicSeconds: number; musicOnHold: string; greeting: string[] }
/** The announcements of the queue being edited (the console does not edit its greeting prompts: they are kept). */
let greeting = ['all-agents-busy'];
interface Page<T> { items: T[] }
interface User { id: number; login: string; name: string; role: string; /** cannot sign in; absent from an older server */ disabled?: boolean }
interface IvrMenu {
  id: number;
  name: string;
  language: string;
  prompt: Record<string, string>;
  options: IvrOption[];
  timeoutSeconds: number;
  maxAttempts: number;
  defaultAction: IvrAction | null;
  openingHours: Hours | null;
  closedPrompt: Record<string, string>;
  closedAction: IvrAction | null;
}

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
  // (what the last action said goes away: what shows next is this one's)
  $('notice').hidden = true;
  $('error').hidden = true;
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

function button(label: string, testId: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.dataset.testid = testId;
  b.addEventListener('click', onClick);
  return b;
}

/** Edit, the listing's own buttons and Delete of a row (Delete asks first). */
function actions(name: string, onEdit: (() => void) | undefined, onDelete: () => void, more: HTMLButtonElement[] = []): HTMLTableCellElement {
  const td = document.createElement('td');
  td.className = 'actions';
  if (onEdit) td.append(button('Edit', `edit-${name}`, onEdit), ' ');
  for (const b of more) td.append(b, ' ');
  td.append(button('Delete', `delete-${name}`, () => confirm(`Delete ${name}?`) && onDelete()));
  return td;
}

/** "active", or "disabled" for an account that cannot sign in. */
function status(item: { disabled?: boolean }): string {
  return item.disabled === true ? 'disabled' : 'active';
}

/** How a list shows its items: their name (row test id `<kind>-<name>`), cells, and what may be done to one. */
interface Listing<T> {
  kind: string;
  name(item: T): string;
  cells(item: T): string[];
  edit?(item: T): void;
  /** buttons of an item's row between Edit and Delete (Disable, say) */
  more?(item: T): HTMLButtonElement[];
  /** a disabled account, say: its row is dimmed */
  dimmed?(item: T): boolean;
  /** DELETE url of an item, and the list to load again after */
  remove?: { what: string; url(item: T): string; reload(): Promise<void> };
}

function showRows<T>(tbody: string, items: T[], l: Listing<T>): void {
  $(tbody).replaceChildren(
    ...items.map((item) => {
      const tr = document.createElement('tr');
      const name = l.name(item);
      tr.dataset.testid = `${l.kind}-${name}`;
      if (l.dimmed?.(item)) tr.className = 'dimmed';
      tr.append(...l.cells(item).map(cell));
      const remove = l.remove;
      if (remove) {
        tr.append(actions(name, l.edit && (() => l.edit!(item)), () => void act(async () => {
          await api('DELETE', remove.url(item));
          await remove.reload();
          return `${remove.what} ${name} deleted.`;
        }), l.more?.(item)));
      }
      return tr;
    }),
  );
}

/** A whole number a form must have: empty or not a number names the field. */
function needCount(f: HTMLFormElement, name: string, label: string): number {
  const n = parseCount(field(f, name).value, label);
  if (n === null) throw new Error(`${label}: required`);
  return n;
}

function editing(f: HTMLFormElement, id: number | null, title: string): void {
  field(f, 'id').value = id === null ? '' : String(id);
  f.querySelector('[data-role="title"]')!.textContent = title;
}

// ── skills ──
async function loadSkills(): Promise<void> {
  showRows('skills-rows', (await api<Page<Skill>>('GET', '/api/skills?limit=500')).items, {
    kind: 'skill',
    name: (s) => s.name,
    cells: (s) => [s.name, s.description],
    edit: (s) => {
      const f = form('skill-form');
      editing(f, s.id, `Edit skill ${s.name}`);
      field(f, 'name').value = s.name;
      field(f, 'description').value = s.description;
    },
    remove: { what: 'Skill', url: (s) => `/api/skills/${s.id}`, reload: loadSkills },
  });
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
  showRows('agents-rows', (await api<Page<Agent>>('GET', '/api/agents?limit=500')).items, {
    kind: 'agent',
    name: (a) => a.login,
    cells: (a) => [a.login, a.name, formatLevels(a.skills), formatLevels(a.languages), a.sipUsername ?? '', status(a)],
    dimmed: (a) => a.disabled === true,
    edit: (a) => {
      const f = form('agent-form');
      editing(f, a.id, `Edit agent ${a.login}`);
      field(f, 'login').value = a.login;
      field(f, 'name').value = a.name;
      field(f, 'password').value = '';
      field(f, 'skills').value = formatLevels(a.skills);
      field(f, 'languages').value = formatLevels(a.languages);
      field(f, 'sipUsername').value = a.sipUsername ?? '';
      field(f, 'sipPassword').value = '';
      field(f, 'disabled').checked = a.disabled === true;
    },
    remove: { what: 'Agent', url: (a) => `/api/agents/${a.id}`, reload: loadAgents },
  });
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
    // (disabled: the agent cannot sign in, and a signed-in one is signed out; a new agent is made, then disabled)
    const disabled = field(f, 'disabled').checked;
    if (sipPassword && !sipUsername) throw new Error('Desk phone SIP user: give one with the SIP password');
    if (!id && !password) throw new Error('password: a new agent needs one');
    let agent = await (id ? api<Agent>('PATCH', `/api/agents/${id}`, { ...body, disabled }) : api<Agent>('POST', '/api/agents', body));
    if (!id && disabled) agent = await api<Agent>('PATCH', `/api/agents/${agent.id}`, { disabled });
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
  showRows('queues-rows', queues, {
    kind: 'queue',
    name: (q) => q.name,
    cells: (q) => [
      q.name,
      [formatLevels(q.skills), q.language ?? ''].filter((x) => x).join(' · '),
      q.strategy,
      `${Math.round(q.serviceLevel.target * 100)}% in ${q.serviceLevel.thresholdSeconds} s`,
      `${q.wrapUpSeconds} s`,
      overflowText(q.overflow) + (q.maxWaitSeconds === null ? '' : ` after ${q.maxWaitSeconds} s`),
    ],
    edit: editQueue,
    remove: { what: 'Queue', url: (q) => `/api/queues/${q.id}`, reload: loadQueues },
  });
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
  field(f, 'recordCalls').checked = q.recordCalls === true;
  field(f, 'survey').checked = q.survey === true;
  field(f, 'voicemailKey').checked = q.voicemailKey === true;
  set('knownAgentSeconds', String(q.knownAgentSeconds));
  (f.elements.namedItem('steps') as HTMLTextAreaElement).value = formatSteps(q.steps);
  (f.elements.namedItem('pageRules') as HTMLTextAreaElement).value = formatPageRules(q.pageRules);
  field(f, 'announcePosition').checked = q.announcements.position;
  field(f, 'announceWait').checked = q.announcements.estimatedWait;
  set('announceEvery', String(q.announcements.periodicSeconds));
  set('musicOnHold', q.announcements.musicOnHold);
  greeting = q.announcements.greeting;
  (f.elements.namedItem('hours') as HTMLTextAreaElement).value = formatHours(q.openingHours);
  set('hoursTimeZone', q.openingHours?.timeZone ?? '');
}

form('queue-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('queue-form');
  void act(async () => {
    const id = field(f, 'id').value;
    const v = (name: string) => field(f, name).value;
    const need = (name: string, label: string) => needCount(f, name, label);
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
      recordCalls: field(f, 'recordCalls').checked,
      survey: field(f, 'survey').checked,
      voicemailKey: field(f, 'voicemailKey').checked,
      knownAgentSeconds: need('knownAgentSeconds', 'known agent first'),
      openingHours: parseHours((f.elements.namedItem('hours') as HTMLTextAreaElement).value, v('hoursTimeZone')),
      steps: parseSteps((f.elements.namedItem('steps') as HTMLTextAreaElement).value),
      pageRules: parsePageRules((f.elements.namedItem('pageRules') as HTMLTextAreaElement).value),
      announcements: {
        position: field(f, 'announcePosition').checked,
        estimatedWait: field(f, 'announceWait').checked,
        periodicSeconds: need('announceEvery', 'announce every'),
        musicOnHold: v('musicOnHold').trim() || 'default',
        greeting,
      },
    };
    await (id ? api('PATCH', `/api/queues/${id}`, body) : api('POST', '/api/queues', body));
    f.reset();
    editing(f, null, 'New queue');
    await loadQueues();
    return `Queue ${body.name} saved.`;
  });
});

// ── IVR menus ──
/** The queues and menus an IVR action may name, as loaded with the list of menus. */
let ivrTargets: IvrTargets = { queues: [], menus: [] };

function hoursText(h: Hours | null): string {
  return h === null ? 'always open' : `${formatHours(h).replaceAll('\n', '; ')} (${h.timeZone})`;
}

/** The menus, and the names of the queues (those may have been added elsewhere since the queues section loaded). */
async function loadIvrMenus(): Promise<void> {
  const [menus, queues] = await Promise.all([api<Page<IvrMenu>>('GET', '/api/ivr-menus?limit=500'), api<Page<Queue>>('GET', '/api/queues?limit=500')]);
  ivrTargets = { queues: queues.items, menus: menus.items };
  showRows('ivr-rows', menus.items, {
    kind: 'ivr',
    name: (m) => m.name,
    cells: (m) => [m.name, m.language, String(m.options.length), hoursText(m.openingHours)],
    edit: editIvrMenu,
    remove: { what: 'Menu', url: (m) => `/api/ivr-menus/${m.id}`, reload: loadIvrMenus },
  });
}

function editIvrMenu(m: IvrMenu): void {
  const f = form('ivr-form');
  editing(f, m.id, `Edit menu ${m.name}`);
  const set = (name: string, v: string) => (field(f, name).value = v);
  set('name', m.name);
  set('language', m.language);
  set('prompt', formatPrompts(m.prompt));
  set('options', formatOptions(m.options, ivrTargets));
  set('timeoutSeconds', String(m.timeoutSeconds));
  set('maxAttempts', String(m.maxAttempts));
  set('defaultAction', formatAction(m.defaultAction, ivrTargets));
  set('hours', formatHours(m.openingHours));
  set('hoursTimeZone', m.openingHours?.timeZone ?? '');
  set('closedPrompt', formatPrompts(m.closedPrompt));
  set('closedAction', formatAction(m.closedAction, ivrTargets));
}

/** Speaks the line of a prompt field the cursor is on (else its first) as the menus will, through POST /api/speech. */
async function listen(area: HTMLTextAreaElement, label: string): Promise<void> {
  const lines = area.value.split('\n');
  const at = area.value.slice(0, area.selectionStart).split('\n').length - 1;
  const line = lines[at]?.trim() ? lines[at]! : (lines.find((l) => l.trim() !== '') ?? '');
  const [entry] = Object.entries(parsePrompts(line, label));
  if (entry === undefined) throw new Error(`${label}: write a line to hear, e.g. "en: For sales press 1."`);
  // (the server plays it as callers hear it: speech, or for "@<name>" the recording of that name)
  const wav = await fetchBlob('/api/speech', { method: 'POST', token: tokens.get() ?? '', body: { language: entry[0], text: entry[1] } });
  const audio = document.querySelector<HTMLAudioElement>('[data-testid="ivr-listen-audio"]')!;
  if (audio.src) URL.revokeObjectURL(audio.src);
  audio.src = URL.createObjectURL(wav);
  await audio.play();
}

for (const b of document.querySelectorAll<HTMLButtonElement>('[data-listen]')) {
  const area = form('ivr-form').elements.namedItem(b.dataset.listen!) as HTMLTextAreaElement;
  b.addEventListener('click', () => void act(() => listen(area, b.dataset.listen === 'prompt' ? 'prompt' : 'closed prompt')));
}

form('ivr-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('ivr-form');
  void act(async () => {
    // names are read against the queues and menus as they are now
    await loadIvrMenus();
    const id = field(f, 'id').value;
    const v = (name: string) => field(f, name).value;
    const body = {
      name: v('name').trim(),
      language: v('language').trim() || 'en',
      prompt: parsePrompts(v('prompt'), 'prompt'),
      options: parseOptions(v('options'), ivrTargets),
      timeoutSeconds: needCount(f, 'timeoutSeconds', 'wait for a key'),
      maxAttempts: needCount(f, 'maxAttempts', 'attempts'),
      defaultAction: parseAction(v('defaultAction'), ivrTargets, 'after the last attempt'),
      openingHours: parseHours(v('hours'), v('hoursTimeZone')),
      closedPrompt: parsePrompts(v('closedPrompt'), 'closed prompt'),
      closedAction: parseAction(v('closedAction'), ivrTargets, 'when closed'),
    };
    await (id ? api('PATCH', `/api/ivr-menus/${id}`, body) : api('POST', '/api/ivr-menus', body));
    f.reset();
    editing(f, null, 'New menu');
    await loadIvrMenus();
    return `Menu ${body.name} saved.`;
  });
});

for (const [id, title] of [['skill-form', 'New skill'], ['agent-form', 'New agent'], ['queue-form', 'New queue'], ['ivr-form', 'New menu']] as const) {
  form(id).addEventListener('reset', () => {
    const f = form(id);
    setTimeout(() => editing(f, null, title));
    if (id === 'queue-form') {
      fillOverflow(null);
      greeting = ['all-agents-busy'];
    }
  });
}

// ── accounts ──
const roleName = (role: string) => (role === 'admin' ? 'Admin' : 'Supervisor');

async function loadUsers(): Promise<void> {
  showRows('users-rows', (await api<Page<User>>('GET', '/api/users')).items, {
    kind: 'user',
    name: (u) => u.login,
    cells: (u) => [u.login, u.name, u.role, status(u)],
    dimmed: (u) => u.disabled === true,
    edit: editUser,
    // (disabling signs the account out everywhere; your own account the server keeps enabled, and says so)
    more: (u) => [
      u.disabled === true
        ? button('Enable', `enable-${u.login}`, () => void setUserDisabled(u, false))
        : button('Disable', `disable-${u.login}`, () => void setUserDisabled(u, true)),
    ],
    remove: { what: 'Account', url: (u) => `/api/users/${u.id}`, reload: loadUsers },
  });
}

function setUserDisabled(u: User, disabled: boolean): Promise<void> {
  return act(async () => {
    await api('PATCH', `/api/users/${u.id}`, { disabled });
    await loadUsers();
    return `${roleName(u.role)} ${u.login} ${disabled ? 'disabled: signed out everywhere, and cannot sign in' : 'enabled'}.`;
  });
}

/** The form for a new account (login and password required), or to change one (name, role, a new password). */
function userEditing(u: User | null): void {
  const f = form('user-form');
  editing(f, u === null ? null : u.id, u === null ? 'New account' : `Edit account ${u.login}`);
  field(f, 'login').disabled = u !== null;
  field(f, 'password').placeholder = u === null ? '' : '(unchanged)';
  $('user-save').textContent = u === null ? 'Create' : 'Save';
}

function editUser(u: User): void {
  const f = form('user-form');
  userEditing(u);
  field(f, 'login').value = u.login;
  field(f, 'name').value = u.name;
  field(f, 'password').value = '';
  field(f, 'role').value = u.role;
}

form('user-form').addEventListener('reset', () => setTimeout(() => userEditing(null)));

form('user-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('user-form');
  void act(async () => {
    const id = field(f, 'id').value;
    const login = field(f, 'login').value.trim();
    const name = field(f, 'name').value.trim();
    const password = field(f, 'password').value;
    const role = field(f, 'role').value;
    if (id) {
      // (a new password or another role signs the account out everywhere)
      await api('PATCH', `/api/users/${id}`, { name, role, ...(password ? { password } : {}) });
      f.reset();
      await loadUsers();
      return `${roleName(role)} ${login} saved.`;
    }
    await api('POST', '/api/users', { login, name, password, role });
    f.reset();
    await loadUsers();
    return `${roleName(role)} ${login} created.`;
  });
});

// ── not-ready reasons: what agents choose from when they go not ready (break, lunch…), in the admin's order ──
/** The rows as typed now (the form is the list until Save). */
function typedReasons(): ReasonRow[] {
  return [...$('not-ready-rows').querySelectorAll('tr')].map((tr) => {
    const v = (name: string) => tr.querySelector<HTMLInputElement>(`input[name="${name}"]`)!.value;
    return { code: v('code'), label: v('label'), maxMinutes: v('maxMinutes') };
  });
}

/** Draws the rows, each with Up, Down and Remove; `focus`: the control to put the keyboard on after (a moved row's button, say). */
function drawReasons(rows: ReasonRow[], focus?: { row: number; testId: string }): void {
  $('not-ready-rows').replaceChildren(
    ...rows.map((r, i) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'not-ready-row';
      const which = `reason ${i + 1}`;
      const input = (name: keyof ReasonRow, testId: string, label: string, attrs: Record<string, string>) => {
        const td = document.createElement('td');
        const box = document.createElement('input');
        box.name = name;
        box.value = r[name];
        box.dataset.testid = testId;
        box.setAttribute('aria-label', `${label} of ${which}`);
        box.autocomplete = 'off';
        for (const [k, v] of Object.entries(attrs)) box.setAttribute(k, v);
        td.append(box);
        return td;
      };
      tr.append(
        input('code', 'not-ready-code', 'Code', { maxlength: '40', placeholder: 'coffee', spellcheck: 'false' }),
        input('label', 'not-ready-label', 'Label', { maxlength: '60', placeholder: 'Coffee break' }),
        input('maxMinutes', 'not-ready-max', 'Max minutes', { inputmode: 'numeric', placeholder: '(no limit)' }),
      );
      const td = document.createElement('td');
      td.className = 'actions';
      const move = (by: -1 | 1, testId: string) => () => drawReasons(moveRow(typedReasons(), i, by), { row: i + by, testId });
      const up = button('Up', 'not-ready-up', move(-1, 'not-ready-up'));
      const down = button('Down', 'not-ready-down', move(1, 'not-ready-down'));
      const remove = button('Remove', 'not-ready-remove', () => drawReasons(typedReasons().filter((_, j) => j !== i)));
      up.disabled = i === 0;
      down.disabled = i === rows.length - 1;
      up.setAttribute('aria-label', `Move ${which} up`);
      down.setAttribute('aria-label', `Move ${which} down`);
      remove.setAttribute('aria-label', `Remove ${which}`);
      td.append(up, ' ', down, ' ', remove);
      tr.append(td);
      return tr;
    }),
  );
  $<HTMLButtonElement>('not-ready-add').disabled = rows.length >= MAX_NOT_READY_REASONS;
  if (focus !== undefined) {
    const row = $('not-ready-rows').querySelectorAll('tr')[focus.row];
    const target = row?.querySelector<HTMLElement>(`[data-testid="${focus.testId}"]`);
    // (a button moved to an end is disabled: the keyboard goes to the row's other move button)
    (target && !(target as HTMLButtonElement).disabled ? target : row?.querySelector<HTMLElement>('button:not(:disabled)'))?.focus();
  }
}

/** Shows the list the server holds, where it comes from, and the server's own reasons (codes not to use). */
function showReasons(r: NotReadyReasons): void {
  drawReasons(reasonRows(r.items));
  $('not-ready-source').textContent = reasonsSourceText(r.source);
  $('not-ready-system').textContent = systemReasonsText(r.system);
}

/** Loaded when the section opens (what was typed and not saved goes), not with the console. */
async function loadReasons(): Promise<void> {
  showReasons(parseNotReadyReasons(await api<unknown>('GET', '/api/not-ready-reasons')));
}

$('not-ready-add').addEventListener('click', () => {
  const rows = typedReasons();
  drawReasons([...rows, { code: '', label: '', maxMinutes: '' }], { row: rows.length, testId: 'not-ready-code' });
});

form('not-ready-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void act(async () => {
    const saved = parseNotReadyReasons(await api<unknown>('PUT', '/api/not-ready-reasons', reasonsBody(typedReasons())));
    showReasons(saved);
    return `Not-ready reasons saved: ${saved.items.map((r) => r.label).join(', ')}.`;
  });
});

// ── callbacks: the trunk to customers' phones ──
interface CallbackSettings {
  trunk: string | null;
  callerId: string;
  dialSeconds: number;
  retrySeconds: number;
  attempts: number;
  username: string | null;
  passwordSet: boolean;
  /** agents may dial phone numbers through the trunk; absent from an older server */
  agentCalls?: boolean;
  /** the numbers agents may dial start with one of these (empty: any); absent from an older server */
  allowedPrefixes?: string[];
  source: 'database' | 'environment';
}

function showCallbacks(c: CallbackSettings): void {
  const f = form('callbacks-form');
  field(f, 'trunk').value = c.trunk ?? '';
  field(f, 'callerId').value = c.callerId;
  field(f, 'username').value = c.username ?? '';
  field(f, 'password').value = '';
  field(f, 'password').placeholder = c.passwordSet ? '(set: kept when left empty)' : '';
  field(f, 'dialSeconds').value = String(c.dialSeconds);
  field(f, 'retrySeconds').value = String(c.retrySeconds);
  field(f, 'attempts').value = String(c.attempts);
  field(f, 'agentCalls').checked = c.agentCalls === true;
  field(f, 'allowedPrefixes').value = formatPrefixes(c.allowedPrefixes ?? []);
  $('callbacks-source').textContent = c.source === 'database' ? 'Set here.' : 'From the server\'s start (CALLBACK_* settings) until saved here.';
}

async function loadCallbacks(): Promise<void> {
  showCallbacks(await api<CallbackSettings>('GET', '/api/settings/callbacks'));
}

form('callbacks-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('callbacks-form');
  void act(async () => {
    const username = field(f, 'username').value.trim();
    const password = field(f, 'password').value;
    const saved = await api<CallbackSettings>('PUT', '/api/settings/callbacks', {
      trunk: field(f, 'trunk').value.trim() || null,
      callerId: field(f, 'callerId').value.trim(),
      dialSeconds: parseCount(field(f, 'dialSeconds').value, 'Ring the customer for'),
      retrySeconds: parseCount(field(f, 'retrySeconds').value, 'Try again after'),
      attempts: parseCount(field(f, 'attempts').value, 'Attempts'),
      username: username || null,
      ...(password ? { password } : {}),
      agentCalls: field(f, 'agentCalls').checked,
      allowedPrefixes: parsePrefixes(field(f, 'allowedPrefixes').value),
    });
    showCallbacks(saved);
    return saved.trunk === null ? 'Callbacks are off (no trunk).' : `Callbacks go through ${saved.trunk}.`;
  });
});

// ── webhook: the queue log's events POSTed to a URL of the admin's ──
/** The events' checkboxes, one an event. */
$('webhook-events').append(
  ...WEBHOOK_EVENTS.map((name) => {
    const label = document.createElement('label');
    label.className = 'check';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = 'event';
    box.value = name;
    label.append(box, ` ${name}`);
    return label;
  }),
);
const eventBoxes = () => [...$('webhook-events').querySelectorAll<HTMLInputElement>('input[name="event"]')];

/** Shows what the server holds; a secret is never shown, only whether one is set. */
function showWebhook(w: WebhookView): void {
  const f = form('webhook-form');
  field(f, 'url').value = w.url ?? '';
  field(f, 'secret').value = '';
  field(f, 'secret').placeholder = w.secretSet ? '(unchanged)' : '';
  field(f, 'noSecret').checked = !w.secretSet;
  field(f, 'secret').disabled = !w.secretSet;
  field(f, 'allEvents').checked = w.events === null;
  // (all events: the list is out of the way, and unticked for choosing some)
  $('webhook-events').hidden = w.events === null;
  for (const box of eventBoxes()) box.checked = w.events?.includes(box.value) ?? false;
  $('webhook-stats').textContent = webhookStatsText(w.stats);
}

/** Loaded when the section opens (its figures move with every delivery), not with the console. */
async function loadWebhook(): Promise<void> {
  showWebhook(await api<WebhookView>('GET', '/api/settings/webhook'));
}

form('webhook-form').addEventListener('change', (e) => {
  const f = form('webhook-form');
  if (e.target === field(f, 'noSecret')) field(f, 'secret').disabled = field(f, 'noSecret').checked;
  if (e.target === field(f, 'allEvents')) $('webhook-events').hidden = field(f, 'allEvents').checked;
});

form('webhook-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('webhook-form');
  void act(async () => {
    const body = webhookBody({
      url: field(f, 'url').value,
      secret: field(f, 'secret').value,
      noSecret: field(f, 'noSecret').checked,
      allEvents: field(f, 'allEvents').checked,
      events: eventBoxes().filter((b) => b.checked).map((b) => b.value),
    });
    showWebhook(await api<WebhookView>('PUT', '/api/settings/webhook', body));
    return 'Webhook saved.';
  });
});

$('webhook-off').addEventListener('click', () => void act(async () => {
  // (the secret and the events stay, for when it is turned on again)
  showWebhook(await api<WebhookView>('PUT', '/api/settings/webhook', { url: null }));
  return 'Webhook turned off.';
}));

$('webhook-test').addEventListener('click', () => void act(async () => {
  const result = $('webhook-test-result');
  result.textContent = 'Sending…';
  result.className = '';
  try {
    const t = await api<WebhookTest>('POST', '/api/settings/webhook/test');
    result.textContent = webhookTestText(t);
    result.className = t.ok ? 'ok' : 'failed';
  } catch (err) {
    result.textContent = '';
    throw err;
  }
  // (the figures only: what is typed in the form and not saved yet stays)
  $('webhook-stats').textContent = webhookStatsText((await api<WebhookView>('GET', '/api/settings/webhook')).stats);
}));

// ── recordings: admins' prompts, which play instead of the shipped ones of their name (and for "@<name>" in menus) ──
interface Prompt { name: string; language: string; shipped: boolean; custom: boolean }

/** `/api/prompts/<language>/<name>` (a name's folder parts stay apart: `n/3`). */
function promptUrl(language: string, name: string): string {
  return `/api/prompts/${encodeURIComponent(language)}/${name.split('/').map(encodeURIComponent).join('/')}`;
}

function fillDatalist(list: string, values: string[]): void {
  $(list).replaceChildren(
    ...values.map((v) => {
      const o = document.createElement('option');
      o.value = v;
      return o;
    }),
  );
}

/** Plays what callers hear for a prompt (the recording, else the shipped one). */
async function playPrompt(p: Prompt): Promise<void> {
  const wav = await fetchBlob(promptUrl(p.language, p.name), { token: tokens.get() ?? '' });
  const audio = document.querySelector<HTMLAudioElement>('[data-testid="prompt-audio"]')!;
  if (audio.src) URL.revokeObjectURL(audio.src);
  audio.src = URL.createObjectURL(wav);
  await audio.play();
}

async function loadPrompts(): Promise<void> {
  const prompts = (await api<Page<Prompt>>('GET', '/api/prompts')).items;
  // (music on hold is one for all languages: not listed by language until recorded, but it may be)
  fillDatalist('prompt-names', [...new Set(['music-on-hold', ...prompts.map((p) => p.name)])].sort());
  fillDatalist('prompt-languages', [...new Set(prompts.map((p) => p.language))]);
  $('prompts-rows').replaceChildren(
    ...prompts.map((p) => {
      const key = `${p.language}/${p.name}`;
      const tr = document.createElement('tr');
      tr.dataset.testid = `prompt-${key}`;
      tr.append(cell(p.name), cell(p.language), cell(p.custom ? 'recorded' : 'shipped'));
      const td = document.createElement('td');
      td.className = 'actions';
      td.append(button('Play', `play-${key}`, () => void act(() => playPrompt(p))));
      if (p.custom) {
        const after = p.shipped ? 'The shipped prompt plays again.' : 'There is no shipped prompt of that name.';
        const remove = () => void act(async () => {
          await api('DELETE', promptUrl(p.language, p.name));
          await loadPrompts();
          return `Recording ${p.name} (${p.language}) deleted.`;
        });
        td.append(' ', button('Delete recording', `delete-${key}`, () => confirm(`Delete the recording of ${p.name} (${p.language})? ${after}`) && remove()));
      }
      tr.append(td);
      return tr;
    }),
  );
}

form('prompt-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('prompt-form');
  void act(async () => {
    const name = field(f, 'name').value.trim();
    const language = field(f, 'language').value.trim() || 'en';
    const file = field(f, 'file').files?.[0];
    if (!name) throw new Error('name: required, e.g. "welcome-sales"');
    if (!file) throw new Error('WAV file: choose the recording to upload');
    // (the server takes any WAV; the file's own type may say otherwise, e.g. audio/x-wav or nothing)
    await api('PUT', promptUrl(language, name), new Blob([file], { type: 'audio/wav' }));
    f.reset();
    await loadPrompts();
    return `Recording ${name} (${language}) saved.`;
  });
});

// ── customers: erasing what is kept about one (their right to erasure) ──
form('erase-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('erase-form');
  const result = $('erase-result');
  result.textContent = '';
  void act(async () => {
    const body = eraseBody({ kind: field(f, 'kind').value, value: field(f, 'value').value, confirmed: field(f, 'confirm').checked });
    result.textContent = erasedText(await api<Erased>('POST', '/api/customers/erase', body));
    // (the next customer is confirmed anew)
    f.reset();
  });
});

// ── audit log: who changed what through the API, and every sign-in attempt ──
/** The filters the shown page was asked with (Show reads the form; paging keeps them), and where the page starts. */
let auditFilter: AuditFilter = { login: '', path: '', from: '', to: '' };
let auditOffset = 0;

/** Shows a page of the log; the filters and offset are kept once the server took them (a refused filter is not). */
async function loadAudit(filter: AuditFilter, offset: number): Promise<void> {
  const page = await api<Page<AuditEntry> & { total: number }>('GET', auditQuery(filter, offset));
  auditFilter = filter;
  auditOffset = offset;
  $('audit-rows').replaceChildren(
    ...page.items.map((e) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'audit-row';
      if (e.status >= 400) tr.className = 'refused';
      const time = cell(auditTime(e.at));
      time.title = new Date(e.at).toLocaleString();
      const detail = auditDetail(e.detail);
      const details = cell(detail.text);
      if (detail.full !== null) details.title = detail.full;
      tr.append(time, cell(auditWho(e)), cell(e.ip), cell(auditAction(e)), cell(auditResult(e)), details);
      return tr;
    }),
  );
  $('audit-count').textContent = auditRange(auditOffset, page.items.length, page.total);
  $<HTMLButtonElement>('audit-prev').disabled = auditOffset === 0;
  $<HTMLButtonElement>('audit-next').disabled = auditOffset + page.items.length >= page.total;
}

form('audit-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = form('audit-form');
  const v = (name: string) => field(f, name).value;
  void act(() => loadAudit({ login: v('login'), path: v('path'), from: v('from'), to: v('to') }, 0));
});
$('audit-prev').addEventListener('click', () => void act(() => loadAudit(auditFilter, Math.max(0, auditOffset - AUDIT_PAGE))));
$('audit-next').addEventListener('click', () => void act(() => loadAudit(auditFilter, auditOffset + AUDIT_PAGE)));

// ── sections, sign-in ──
function showTab(tab: string): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-tab]')) b.setAttribute('aria-pressed', String(b.dataset.tab === tab));
  for (const s of document.querySelectorAll<HTMLElement>('[data-section]')) s.hidden = s.dataset.section !== tab;
}
for (const b of document.querySelectorAll<HTMLButtonElement>('[data-tab]')) {
  b.addEventListener('click', () => {
    showTab(b.dataset.tab!);
    // (the menus name queues, and recordings are made through the API too: either may have changed meanwhile;
    // the log grows: its newest page; the webhook's figures move with every delivery; the not-ready reasons: another
    // admin's list, or the one saved last when this one was left unsaved)
    const reloads: Record<string, () => Promise<void>> = {
      ivr: loadIvrMenus, prompts: loadPrompts, 'not-ready': loadReasons, webhook: loadWebhook, audit: () => loadAudit(auditFilter, 0),
    };
    const reload = reloads[b.dataset.tab!];
    reload?.().catch((err: unknown) => say(err instanceof Error ? err.message : String(err), 'error'));
  });
}

function show(signedIn: boolean): void {
  $('login-view').hidden = signedIn;
  $('console').hidden = !signedIn;
  $('tabs').hidden = !signedIn;
  $('who').hidden = !signedIn;
}

async function enter(): Promise<void> {
  show(true);
  try {
    await Promise.all([loadSkills(), loadAgents(), loadQueues(), loadIvrMenus(), loadPrompts(), loadUsers(), loadCallbacks()]);
  } catch (err) {
    // an expired or foreign token: back to the sign-in form
    signOut(err instanceof Error ? err.message : String(err));
  }
}

/** Back to the sign-in form (Log out, sign out everywhere, a session ended), saying `message`. */
function signOut(message?: string): void {
  tokens.clear();
  account.close();
  show(false);
  loginError(message ?? null);
}

// (no live socket here: every request reads the token, the new one after a password change too)
const account = wireAccount(document, { token: () => tokens.get(), renewed: (token) => tokens.set(token), signedOut: (message) => signOut(message) });

const loginError = wireSignIn(document, ['admin'], 'The admin console is for admins.', (token) => {
  tokens.set(token);
  void enter();
});
$('logout').addEventListener('click', () => signOut());

if (tokens.get()) void enter();
else show(false);
