import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Timestamps: written as Date, read back as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type Role = 'admin' | 'supervisor' | 'agent';
export type Strategy = 'longest-idle' | 'most-skilled' | 'fewest-calls' | 'round-robin' | 'ring-all';
export const STRATEGIES: readonly Strategy[] = ['longest-idle', 'most-skilled', 'fewest-calls', 'round-robin', 'ring-all'];

/** Where a call goes when it waits too long or the queue is full. */
export type OverflowTarget =
  | { queue: string }
  | { action: 'hangup' | 'callback' | 'voicemail' };

/** A relaxation step: after `afterSeconds` of waiting these requirements replace the queue's. */
export interface RoutingStep {
  afterSeconds: number;
  skills?: Record<string, number>;
  language?: string | null;
}

/**
 * Routing on the page a browser caller is on: when the call's page matches `when` (every condition given; text
 * compared without case), the call needs `skills` too (higher minimums win) for its first `forSeconds` of waiting
 * (null: as long as it waits), and `priority` is added to the queue's. A queue's first matching rule applies.
 */
export interface PageRule {
  when: {
    /** the page's category (the widget's data-category), equal */
    category?: string;
    /** a part of the page's URL */
    urlContains?: string;
  };
  skills?: Record<string, number>;
  forSeconds?: number | null;
  priority?: number;
}

export interface Announcements {
  /** Say "you are number N" on entry and every `periodicSeconds`. */
  position: boolean;
  /** Say the estimated wait. */
  estimatedWait: boolean;
  periodicSeconds: number;
  musicOnHold: string;
  /** Prompt names played on entry, before the position. */
  greeting: string[];
}

/** A queue's opening hours: a week of local time ranges ("09:00"-"17:00", to exclusive) in an IANA time zone. */
export interface OpeningHours {
  timeZone: string;
  /** the ranges of each day (mon … sun); a day not given is closed */
  days: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', Array<{ from: string; to: string }>>>;
  /** local dates (YYYY-MM-DD) the queue is closed all day: holidays */
  closedDates?: string[];
}

/** What an IVR menu does with a caller: go to a queue, go to another menu (or the same one: repeat), or hang up. */
export type IvrAction =
  | { type: 'queue'; queueId: number }
  | { type: 'menu'; menuId: number }
  /** the caller leaves a message for the queue (voicemail), whether it is open or not */
  | { type: 'voicemail'; queueId: number }
  | { type: 'hangup' };

/** One key of an IVR menu. */
export interface IvrOption {
  /** one key: 0-9, * or # */
  digit: string;
  /** what the option is, for the console (not spoken) */
  label: string;
  /** the caller's language from here on (null: unchanged) */
  language: string | null;
  action: IvrAction;
}

/** The webhook's events not delivered yet (server/calls/webhooks.ts), by the server that queued them. */
export interface WebhookOutboxTable {
  seq: Generated<string>;
  /** the server (host name and HTTP port): each delivers its own, and takes them back when it restarts */
  node: string;
  event_id: string;
  event: Json<Record<string, unknown>>;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface SkillsTable {
  id: Generated<number>;
  name: string;
  description: string;
  created_at: DefaultedTimestamp;
}

export interface UsersTable {
  id: Generated<number>;
  login: string;
  name: string;
  role: Role;
  /** scrypt$N$r$p$salt$hash (see server/auth/password.ts); never the plain password. */
  password_hash: string;
  disabled: Generated<boolean>;
  /** raised when the user's sessions must end (password or role changed, disabled): older tokens are refused */
  session_version: Generated<number>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface AgentSkillsTable {
  user_id: number;
  skill_id: number;
  level: number;
}

export interface AgentLanguagesTable {
  user_id: number;
  language: string;
  level: number;
}

/** Digest credentials of an agent's SIP device: HA1 for MD5 and SHA-256 with the realm; never the password. */
export interface SipCredentialsTable {
  id: Generated<number>;
  user_id: number;
  username: string;
  realm: string;
  ha1_md5: string;
  ha1_sha256: string;
  updated_at: DefaultedTimestamp;
}

/** Registrar bindings, so they survive a restart. `data` holds the SIP layer's binding as JSON. */
export interface SipBindingsTable {
  aor: string;
  contact: string;
  expires_at: Timestamp;
  data: Json<Record<string, unknown>>;
  updated_at: DefaultedTimestamp;
}

export interface QueuesTable {
  id: Generated<number>;
  name: string;
  description: string;
  language: string | null;
  strategy: Strategy;
  priority: number;
  sl_threshold_seconds: number;
  sl_target: number;
  wrap_up_seconds: number;
  ring_timeout_seconds: number;
  max_wait_seconds: number | null;
  max_length: number | null;
  overflow: Json<OverflowTarget | null>;
  steps: Json<RoutingStep[]>;
  announcements: Json<Announcements>;
  known_agent_seconds: number;
  /** the dispositions (wrap-up codes) an agent picks from for a call of this queue, in display order */
  dispositions: Json<string[]>;
  /** the agent cannot end wrap-up early (Done, Ready) before filing the call under one; the wrap-up time still ends it */
  disposition_required: boolean;
  /** its calls are recorded (both parties, from the agent's answer to the end) */
  record_calls: Generated<boolean>;
  /** after the agent hangs up, the caller is asked to rate the call (1–5): a phone by voice and key, a browser in the widget */
  survey: Generated<boolean>;
  /** a waiting phone caller may press 2 to leave a message instead of waiting (the announcements offer it) */
  voicemail_key: Generated<boolean>;
  /** outside these hours the queue takes no new calls; null: always open */
  opening_hours: Json<OpeningHours | null>;
  /** routing on a browser caller's page: the first matching rule applies */
  page_rules: Json<PageRule[]>;
  /** closed by a supervisor until then, whatever the opening hours say; null: not */
  closed_until: NullableTimestamp;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface QueueSkillsTable {
  queue_id: number;
  skill_id: number;
  min_level: number;
}

/** callback: the customer hung up and waits to be called back (callbacks row) */
export type CallState = 'ivr' | 'queued' | 'callback' | 'ringing' | 'connected' | 'wrap-up' | 'ended';

/** One row per call (customer leg), written as the call moves. */
export interface CallsTable {
  id: string;
  queue_id: number | null;
  agent_id: number | null;
  direction: 'inbound' | 'outbound' | 'callback';
  channel: 'webrtc' | 'sip';
  caller: string;
  customer_id: string | null;
  language: string | null;
  context: Json<Record<string, unknown>>;
  sip_call_id: string | null;
  state: CallState;
  end_reason: string | null;
  disposition: string | null;
  created_at: DefaultedTimestamp;
  queued_at: NullableTimestamp;
  answered_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  wait_seconds: number | null;
  talk_seconds: number | null;
  hold_seconds: number | null;
  wrap_up_seconds: number | null;
  /** the caller's rating of the call, 1–5 (post-call survey); null: not rated */
  survey_score: Generated<number | null>;
  /** who the customer is, across calls: `id:<customer id of the web page>` or `tel:<phone number>`; null: unknown */
  customer_key: Generated<string | null>;
}

/**
 * The audit log: an API request that changed (or tried to change) something, by an admin or a supervisor, and every
 * login attempt. `detail` is the request's JSON body with its secrets masked; `error` the refusal's message.
 */
export interface AuditLogTable {
  id: Generated<string>;
  at: DefaultedTimestamp;
  user_id: number | null;
  login: string | null;
  role: string | null;
  ip: string;
  method: string;
  /** the route's pattern, e.g. PUT /api/queues/:id */
  route: string;
  /** the request's path (with its ids; no query string) */
  path: string;
  status: number;
  detail: Json<unknown> | null;
  error: string | null;
}

/** A customer whose calls (and callback requests) are refused, until expires_at (null: until unblocked). */
export interface BlockedCallersTable {
  id: Generated<number>;
  /** as calls.customer_key: `tel:<number>` or `id:<web customer id>` */
  customer_key: string;
  reason: Generated<string>;
  blocked_by: number | null;
  created_at: DefaultedTimestamp;
  expires_at: NullableTimestamp;
}

/** What an agent wrote on a call (one note per agent per call, replaced when saved again). */
export interface CallNotesTable {
  call_id: string;
  agent_id: number;
  text: string;
  at: DefaultedTimestamp;
}

/** Queue event log in the spirit of Asterisk's queue_log. */
export const QUEUE_EVENT_TYPES = [
  'ENTERQUEUE', 'OFFER', 'CONNECT', 'ABANDON', 'COMPLETEAGENT', 'COMPLETECALLER', 'TRANSFER',
  'RINGNOANSWER', 'EXITWITHTIMEOUT', 'OVERFLOW', 'EXITWITHKEY', 'CALLBACKREQUESTED', 'CALLBACKATTEMPT', 'CALLBACKFAILED', 'CALLBACKCANCELLED', 'HOLD', 'UNHOLD',
  'AGENTLOGIN', 'AGENTLOGOFF', 'PAUSE', 'UNPAUSE', 'WRAPUPEND', 'DISPOSITION',
  /** the agent on the call sent the customer's browser a link: data {url, title (null: none), customerConnected} */
  'LINK',
  /** a supervisor or admin started listening to the call (silent monitoring): data {userId, login} */
  'LISTEN',
  /** a supervisor or admin started talking to the agent of the call, unheard by the caller (coaching): data {userId, login} */
  'COACH',
  /** the coach of the call joined it (barge-in): the caller hears them too; data {userId, login} */
  'BARGE',
  /** the caller left a voicemail (the queue overflowed to voicemail): data {voicemailId, seconds} */
  'VOICEMAIL',
  /** the caller rated the call (post-call survey) for the agent who had it last: data {score (1–5), channel} */
  'SURVEY',
  /** an agent left a state: data {from, to, reason (of from), seconds spent in from} */
  'AGENTSTATE',
  /** the agent on a recorded call paused its recording (what is said meanwhile is not kept); data {by: 'agent'} */
  'RECORDPAUSE',
  /** the call's recording goes on again: data {by: 'agent' | 'transfer' (the call left the agent who paused it)} */
  'RECORDRESUME',
  /** an open callback was moved to another time (by a supervisor, or the agent who arranged it): data {scheduledFor, by (login)} */
  'CALLBACKRESCHEDULED',
] as const;
export type QueueEventType = (typeof QUEUE_EVENT_TYPES)[number];

export interface QueueEventsTable {
  id: Generated<number>;
  at: DefaultedTimestamp;
  call_id: string | null;
  queue_id: number | null;
  agent_id: number | null;
  event: QueueEventType;
  data: Json<Record<string, unknown>>;
}

export type CallbackState = 'waiting' | 'scheduled' | 'dialing' | 'completed' | 'failed' | 'cancelled';

export interface CallbacksTable {
  id: Generated<number>;
  queue_id: number;
  call_id: string | null;
  /** Where to call back: a SIP URI or an E.164 number dialled through a trunk. */
  target: string;
  customer_id: string | null;
  language: string | null;
  context: Json<Record<string, unknown>>;
  /** The moment the customer joined the line: keeps their place (virtual hold). */
  requested_at: Timestamp;
  scheduled_for: NullableTimestamp;
  state: CallbackState;
  attempts: Generated<number>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** A message a caller left (a queue's overflow to voicemail); done_at: a supervisor dealt with it. */
export interface VoicemailsTable {
  id: Generated<number>;
  call_id: string;
  queue_id: number | null;
  /** who called: the SIP URI of a phone, or the browser caller's customer id or "browser" */
  caller: string;
  customer_id: string | null;
  language: string | null;
  seconds: number;
  /** the message as a WAV file (8 kHz 16-bit mono) */
  audio: Uint8Array;
  created_at: DefaultedTimestamp;
  done_at: NullableTimestamp;
  done_by: number | null;
}

/** A recording of a call (a queue that records its calls): stereo WAV, the customer left, the agent right. */
export interface CallRecordingsTable {
  id: Generated<number>;
  call_id: string;
  queue_id: number | null;
  agent_id: number | null;
  started_at: Timestamp;
  seconds: number;
  audio: Uint8Array;
  created_at: DefaultedTimestamp;
}

/** An IVR menu, dialled by name like a queue: speaks its prompt, collects one DTMF key, does that key's action. */
export interface IvrMenusTable {
  id: Generated<number>;
  /** unique, and not the name of a queue (queues and menus are dialled by name) */
  name: string;
  /** the prompt language when the caller chose none */
  language: string;
  /** text to speak, per language; holds `language` */
  prompt: Json<Record<string, string>>;
  /** at most one per digit */
  options: Json<IvrOption[]>;
  /** 1..60: how long to wait for a key after the prompt */
  timeout_seconds: number;
  /** 1..10: how many times the prompt plays in all before default_action */
  max_attempts: number;
  /** after max_attempts without a key of an option; null: hang up */
  default_action: Json<IvrAction | null>;
  /** the same type and checks as a queue's; null: always open */
  opening_hours: Json<OpeningHours | null>;
  /** spoken when closed, per language ({}: nothing) */
  closed_prompt: Json<Record<string, string>>;
  /** what a call gets when closed, after closed_prompt; null: hang up */
  closed_action: Json<IvrAction | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface Database {
  settings: SettingsTable;
  skills: SkillsTable;
  users: UsersTable;
  agent_skills: AgentSkillsTable;
  agent_languages: AgentLanguagesTable;
  sip_credentials: SipCredentialsTable;
  sip_bindings: SipBindingsTable;
  queues: QueuesTable;
  queue_skills: QueueSkillsTable;
  calls: CallsTable;
  queue_events: QueueEventsTable;
  callbacks: CallbacksTable;
  ivr_menus: IvrMenusTable;
  voicemails: VoicemailsTable;
  call_recordings: CallRecordingsTable;
  call_notes: CallNotesTable;
  audit_log: AuditLogTable;
  blocked_callers: BlockedCallersTable;
  webhook_outbox: WebhookOutboxTable;
}

export type Skill = Selectable<SkillsTable>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type QueueRow = Selectable<QueuesTable>;
export type NewQueueRow = Insertable<QueuesTable>;
export type QueueRowUpdate = Updateable<QueuesTable>;
export type CallRow = Selectable<CallsTable>;
export type NewCall = Insertable<CallsTable>;
export type QueueEvent = Selectable<QueueEventsTable>;
export type CallbackRow = Selectable<CallbacksTable>;
export type SipCredential = Selectable<SipCredentialsTable>;
export type IvrMenuRow = Selectable<IvrMenusTable>;
