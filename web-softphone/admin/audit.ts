/**
 * How the admin console shows the audit log (GET /api/audit): an entry's action in words ("created a queue",
 * "deleted skill 5"), its result, its request body in one short line, and the query of a page of it.
 */

/** One entry of GET /api/audit. */
export interface AuditEntry {
  id: number;
  at: string;
  userId: number | null;
  login: string | null;
  role: string | null;
  ip: string;
  method: string;
  /** the route pattern, e.g. "PATCH /api/queues/:id" */
  route: string;
  /** the path asked for, e.g. "/api/queues/3" */
  path: string;
  status: number;
  detail: unknown;
  error: string | null;
}

/** The filters of the audit log as the console's form has them (empty: not filtered). */
export interface AuditFilter {
  login: string;
  path: string;
  /** a day, "2026-12-07" (from its start, in local time) */
  from: string;
  /** a day, "2026-12-07" (to its end, in local time) */
  to: string;
}

export const AUDIT_PAGE = 50;

/** The things the API creates, changes and deletes by `/api/<collection>[/:id]`, by collection. */
const NOUNS: Record<string, string> = {
  skills: 'skill',
  agents: 'agent',
  queues: 'queue',
  'ivr-menus': 'IVR menu',
  users: 'account',
  recordings: 'call recording',
  voicemails: 'voicemail',
};

const article = (noun: string) => (/^[aeiouAEIOU]/.test(noun) ? 'an' : 'a');

/** The path's values of a route's parameters: ("/api/queues/:id", "/api/queues/3") -> { id: "3" }; "*" takes the rest. */
export function routeParams(pattern: string, path: string): Record<string, string> {
  const want = pattern.split('/');
  const got = path.split('/');
  const out: Record<string, string> = {};
  want.forEach((part, i) => {
    const value = part === '*' ? got.slice(i).join('/') : got[i];
    if (value === undefined) return;
    let text = value;
    try {
      text = decodeURIComponent(value);
    } catch {
      // (not encoded as a URI component: shown as it came)
    }
    if (part === '*') out['*'] = text;
    else if (part.startsWith(':')) out[part.slice(1)] = text;
  });
  return out;
}

type Wording = (p: Record<string, string>, e: AuditEntry) => string;

/** Routes other than plain create / change / delete of a collection, by route. */
const ACTIONS: Record<string, Wording> = {
  'POST /api/login': (_, e) => (e.status === 429 ? 'was locked out' : e.status < 400 ? 'signed in' : 'failed to sign in'),
  'PUT /api/agents/:id/sip-credentials': (p) => `set the desk phone of agent ${p.id}`,
  'DELETE /api/agents/:id/sip-credentials': (p) => `removed the desk phone of agent ${p.id}`,
  'PUT /api/agents/:id/state': (p, e) => {
    const state = (e.detail as { state?: unknown } | null)?.state;
    return typeof state === 'string' ? `set agent ${p.id} ${state}` : `set the state of agent ${p.id}`;
  },
  'PUT /api/settings/callbacks': () => 'changed the callback settings',
  'PUT /api/prompts/:language/*': (p) => `recorded prompt ${p['*']} (${p.language})`,
  'DELETE /api/prompts/:language/*': (p) => `deleted the recording of prompt ${p['*']} (${p.language})`,
  'POST /api/speech': () => 'listened to a prompt text',
  'PUT /api/voicemails/:id': (p, e) => {
    const done = (e.detail as { done?: unknown } | null)?.done;
    return done === true ? `marked voicemail ${p.id} done` : done === false ? `marked voicemail ${p.id} new` : `changed voicemail ${p.id}`;
  },
  'POST /api/voicemails/:id/callback': (p) => `arranged a callback for voicemail ${p.id}`,
  'DELETE /api/callbacks/:callId': (p) => `cancelled the callback of call ${p.callId}`,
  'POST /api/calls/:id/listen': (p) => `asked to listen in on call ${p.id}`,
  'PUT /api/calls/:id/listen/:listenId': (p) => `listened in on call ${p.id}`,
  'DELETE /api/calls/:id/listen/:listenId': (p) => `stopped listening to call ${p.id}`,
  'POST /api/calls/:id/coach': (p) => `coached the agent of call ${p.id}`,
  'PUT /api/calls/:id/coach/:coachId': (p) => `changed the coaching of call ${p.id}`,
  'DELETE /api/calls/:id/coach/:coachId': (p) => `stopped coaching call ${p.id}`,
  'POST /api/planning/staffing': () => 'worked out the staffing',
  'POST /api/planning/simulate': () => 'ran a simulation',
};

/** What an entry did, in words: "created a queue", "changed queue 3", "signed in"; an unknown route as "METHOD path". */
export function auditAction(e: AuditEntry): string {
  const space = e.route.indexOf(' ');
  const pattern = e.route.slice(space + 1);
  const special = ACTIONS[e.route];
  if (special) return special(routeParams(pattern, e.path), e);
  const m = /^(POST|PUT|PATCH|DELETE) \/api\/([a-z-]+)(\/:id)?$/.exec(e.route);
  const noun = m ? NOUNS[m[2]!] : undefined;
  if (m && noun !== undefined) {
    const id = routeParams(pattern, e.path).id;
    if (m[3] === undefined && m[1] === 'POST') return `created ${article(noun)} ${noun}`;
    if (m[3] !== undefined && (m[1] === 'PUT' || m[1] === 'PATCH')) return `changed ${noun} ${id}`;
    if (m[3] !== undefined && m[1] === 'DELETE') return `deleted ${noun} ${id}`;
  }
  return `${e.method} ${e.path}`;
}

/** "ok" for a 2xx answer, else the status and why: "409: a skill named billing exists". */
export function auditResult(e: Pick<AuditEntry, 'status' | 'error'>): string {
  if (e.status >= 200 && e.status < 300) return 'ok';
  return e.error ? `${e.status}: ${e.error}` : String(e.status);
}

/** Who: "admin (admin)"; a sign-in attempt has only the login tried (no role: nobody is signed in yet). */
export function auditWho(e: Pick<AuditEntry, 'login' | 'role'>): string {
  const login = e.login ?? '—';
  return e.role ? `${login} (${e.role})` : login;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The local time of an entry, "07.12 08:01:02" (with the year, "07.12.2025 08:01:02", when it is not this year's). */
export function auditTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const year = d.getFullYear() === now.getFullYear() ? '' : `.${d.getFullYear()}`;
  return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}${year} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function compact(v: unknown, top: boolean): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'string') return v === '' ? '""' : v;
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => compact(x, false)).join(', ')}]`;
  const fields = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${compact(x, false)}`).join(', ');
  return top ? fields : `{${fields}}`;
}

/**
 * A request body in one line: `name: support, wrapUpSeconds: 30` (secrets stay "***"), an upload by its size;
 * longer than `max` characters it is cut with "…" and `full` has all of it (else `full` is null).
 */
export function auditDetail(detail: unknown, max = 100): { text: string; full: string | null } {
  if (detail === null || detail === undefined) return { text: '', full: null };
  const d = detail as Record<string, unknown>;
  const keys = typeof detail === 'object' && !Array.isArray(detail) ? Object.keys(d).sort().join(',') : '';
  let text: string;
  if (keys === 'bytes' && typeof d.bytes === 'number') text = `a file of ${d.bytes} bytes`;
  else if (keys === 'chars,truncated' && d.truncated === true) text = `${String(d.chars)} characters, too long to keep`;
  else text = compact(detail, true);
  return text.length > max ? { text: `${text.slice(0, max - 1)}…`, full: text } : { text, full: null };
}

/** The local start of a day "2026-12-07" as an ISO instant (`after` days later); an unreadable day as it is (the server names it). */
function dayStart(day: string, after: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + after).toISOString() : day;
}

/** The query of a page of the audit log: `to` takes in the whole day (the API's is exclusive). */
export function auditQuery(f: AuditFilter, offset: number, limit = AUDIT_PAGE): string {
  const q = new URLSearchParams({ limit: String(limit), offset: String(offset) });
  if (f.login.trim()) q.set('login', f.login.trim());
  if (f.path.trim()) q.set('path', f.path.trim());
  if (f.from) q.set('from', dayStart(f.from, 0));
  if (f.to) q.set('to', dayStart(f.to, 1));
  return `/api/audit?${q.toString()}`;
}

/** "51–100 of 240"; "0 of 240" for a page past the end. */
export function auditRange(offset: number, shown: number, total: number): string {
  return shown === 0 ? `0 of ${total}` : `${offset + 1}–${offset + shown} of ${total}`;
}
