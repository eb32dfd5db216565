import { Type, type Static, type TSchema } from 'typebox';
import { IVR_MENU_DEFAULTS } from '../../db/repositories/ivr-menus.ts';
import type { CallNote } from '../../db/repositories/call-notes.ts';

/** JSON schemas of the REST API: fastify validates every request and serialises every response with these. */

export const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
export const Login = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.@-]*$' });
export const Password = Type.String({ minLength: 8, maxLength: 256 });
export const Level = Type.Integer({ minimum: 1, maximum: 5 });
/** A BCP 47 primary language (optionally with region), e.g. "et", "en", "pt-BR". */
export const LanguageCode = Type.String({ pattern: '^[a-z]{2,3}(-[A-Z]{2})?$' });
export const Levels = Type.Record(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' }), Level);
export const LanguageLevels = Type.Record(Type.String({ pattern: '^[a-z]{2,3}(-[A-Z]{2})?$' }), Level);
export const Id = Type.Integer({ minimum: 1 });
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
export const PageQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);
export const Timestamp = Type.String({ format: 'date-time' });

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
}

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});

/** Standard error responses for a route; pass the codes it can answer with. */
/** A value or null. Null is tried first: with coerceTypes, a string branch tried first would turn a JSON null into ''. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([Type.Null(), t]);

export function errors(...codes: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries([400, 401, 403, ...codes].map((c) => [c, ErrorResponse]));
}

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('supervisor'), Type.Literal('agent')]);

// --- skills ---
export const Skill = Type.Object({ id: Id, name: Type.String(), description: Type.String(), createdAt: Timestamp });
export const SkillCreate = Type.Object(
  { name: Name, description: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
export const SkillUpdate = Type.Partial(SkillCreate, { additionalProperties: false, minProperties: 1 });

// --- agents ---
export const Agent = Type.Object({
  id: Id,
  login: Type.String(),
  name: Type.String(),
  skills: Type.Record(Type.String(), Type.Integer()),
  languages: Type.Record(Type.String(), Type.Integer()),
  sipUsername: Type.Union([Type.String(), Type.Null()]),
  disabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const AgentCreate = Type.Object(
  {
    login: Login,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    password: Password,
    skills: Type.Optional(Levels),
    languages: Type.Optional(LanguageLevels),
  },
  { additionalProperties: false },
);
export const AgentUpdate = Type.Object(
  {
    login: Type.Optional(Login),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(Password),
    skills: Type.Optional(Levels),
    languages: Type.Optional(LanguageLevels),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const SipCredentialsPut = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' }),
    password: Password,
  },
  { additionalProperties: false },
);
export const SipCredentials = Type.Object({ username: Type.String(), realm: Type.String(), updatedAt: Timestamp });

// --- users (admins and supervisors) ---
export const User = Type.Object({ id: Id, login: Type.String(), name: Type.String(), role: Role, disabled: Type.Boolean({ description: 'cannot sign in' }) });
export const UserCreate = Type.Object(
  {
    login: Login,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    password: Password,
    role: Type.Union([Type.Literal('admin'), Type.Literal('supervisor')]),
  },
  { additionalProperties: false },
);

// --- queues ---
export const Strategy = Type.Union([
  Type.Literal('longest-idle'),
  Type.Literal('most-skilled'),
  Type.Literal('fewest-calls'),
  Type.Literal('round-robin'),
  Type.Literal('ring-all'),
]);
export const Overflow = Type.Union([
  Type.Object({ queue: Name }, { additionalProperties: false }),
  Type.Object(
    { action: Type.Union([Type.Literal('hangup'), Type.Literal('callback'), Type.Literal('voicemail')]) },
    { additionalProperties: false },
  ),
]);
export const RoutingStep = Type.Object(
  {
    afterSeconds: Type.Integer({ minimum: 1, maximum: 86400 }),
    skills: Type.Optional(Levels),
    language: Type.Optional(Type.Union([LanguageCode, Type.Null()])),
  },
  { additionalProperties: false },
);
export const Announcements = Type.Object(
  {
    position: Type.Boolean(),
    estimatedWait: Type.Boolean(),
    periodicSeconds: Type.Integer({ minimum: 0, maximum: 3600 }),
    musicOnHold: Type.String({ maxLength: 100 }),
    greeting: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 }),
  },
  { additionalProperties: false },
);
export const ServiceLevel = Type.Object(
  { thresholdSeconds: Type.Integer({ minimum: 1, maximum: 3600 }), target: Type.Number({ minimum: 0, maximum: 1 }) },
  { additionalProperties: false },
);
const Time = Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$', description: 'HH:MM local time; 24:00 ends a day' });
const DayRanges = Type.Array(Type.Object({ from: Time, to: Time }, { additionalProperties: false }), { maxItems: 8 });
/** A week of opening hours in an IANA time zone; a day not given is closed. */
export const OpeningHours = Type.Object(
  {
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
    days: Type.Object(
      { mon: Type.Optional(DayRanges), tue: Type.Optional(DayRanges), wed: Type.Optional(DayRanges), thu: Type.Optional(DayRanges), fri: Type.Optional(DayRanges), sat: Type.Optional(DayRanges), sun: Type.Optional(DayRanges) },
      { additionalProperties: false },
    ),
    closedDates: Type.Optional(Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, local' }), { maxItems: 366, uniqueItems: true })),
  },
  { additionalProperties: false },
);
/** A disposition (wrap-up code) as agents see it: "Resolved", "Sale", "Call back"; no white space at its ends. */
export const Disposition = Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S(.*\\S)?$' });
/** Routing on a browser caller's page: db/schema.ts PageRule. */
export const PageRule = Type.Object(
  {
    when: Type.Object(
      {
        category: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the page's category (the widget's data-category), equal, case aside" })),
        urlContains: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: "a part of the page's URL, case aside" })),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
    skills: Type.Optional(Levels),
    forSeconds: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 86400 }), Type.Null()], { description: 'how long the skills apply, seconds of waiting; null: as long as the call waits' })),
    priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: "added to the queue's priority" })),
  },
  { additionalProperties: false },
);
const queueFields = {
  name: Name,
  description: Type.Optional(Type.String({ maxLength: 500 })),
  skills: Type.Optional(Levels),
  language: Type.Optional(Type.Union([LanguageCode, Type.Null()])),
  strategy: Type.Optional(Strategy),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  serviceLevel: Type.Optional(ServiceLevel),
  wrapUpSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
  ringTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 300 })),
  maxWaitSeconds: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 86400 }), Type.Null()])),
  maxLength: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100000 }), Type.Null()])),
  overflow: Type.Optional(Type.Union([Overflow, Type.Null()])),
  steps: Type.Optional(Type.Array(RoutingStep, { maxItems: 20 })),
  announcements: Type.Optional(Announcements),
  knownAgentSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86400 })),
  dispositions: Type.Optional(Type.Array(Disposition, { maxItems: 50, uniqueItems: true })),
  dispositionRequired: Type.Optional(Type.Boolean()),
  recordCalls: Type.Optional(Type.Boolean({ description: 'record its calls (both parties, from the answer to the end); callers are told in the greeting' })),
  voicemailKey: Type.Optional(Type.Boolean({ description: 'a waiting phone caller may press 2 to leave a message instead of waiting (the announcements offer it)' })),
  survey: Type.Optional(Type.Boolean({ description: 'after the agent hangs up, ask the caller to rate the call 1–5 (a phone by voice and key, a browser in the widget)' })),
  openingHours: Type.Optional(Type.Union([OpeningHours, Type.Null()])),
  pageRules: Type.Optional(Type.Array(PageRule, { maxItems: 50, description: "routing on a browser caller's page: the first matching rule applies" })),
};
export const QueueCreate = Type.Object(queueFields, { additionalProperties: false });
export const QueueUpdate = Type.Object(
  { ...queueFields, name: Type.Optional(Name) },
  { additionalProperties: false, minProperties: 1 },
);
export const Queue = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  skills: Type.Record(Type.String(), Type.Integer()),
  language: Type.Union([Type.String(), Type.Null()]),
  strategy: Strategy,
  priority: Type.Integer(),
  serviceLevel: Type.Object({ thresholdSeconds: Type.Integer(), target: Type.Number() }),
  wrapUpSeconds: Type.Integer(),
  ringTimeoutSeconds: Type.Integer(),
  maxWaitSeconds: Type.Union([Type.Integer(), Type.Null()]),
  maxLength: Type.Union([Type.Integer(), Type.Null()]),
  overflow: Type.Union([Type.Object({ queue: Type.Optional(Type.String()), action: Type.Optional(Type.String()) }), Type.Null()]),
  steps: Type.Array(
    Type.Object({
      afterSeconds: Type.Integer(),
      skills: Type.Optional(Type.Record(Type.String(), Type.Integer())),
      language: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    }),
  ),
  announcements: Announcements,
  knownAgentSeconds: Type.Integer(),
  dispositions: Type.Array(Type.String()),
  dispositionRequired: Type.Boolean(),
  recordCalls: Type.Boolean(),
  survey: Type.Boolean(),
  voicemailKey: Type.Boolean(),
  openingHours: Type.Union([OpeningHours, Type.Null()]),
  pageRules: Type.Array(PageRule),
  closedUntil: Type.Union([Type.String({ format: 'date-time', description: 'closed by a supervisor until then, whatever the hours say (PUT /api/queues/:id/closed)' }), Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export type QueueCreateBody = Static<typeof QueueCreate>;
export type QueueUpdateBody = Static<typeof QueueUpdate>;

// --- IVR menus ---
/** A database id a request refers to (an IVR action's queue or menu). */
const RefId = Type.Integer({ minimum: 1, maximum: 2147483647 });
export const IvrAction = Type.Union([
  Type.Object({ type: Type.Literal('queue'), queueId: RefId }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('menu'), menuId: RefId }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('voicemail'), queueId: RefId }, { additionalProperties: false, description: 'the caller leaves a message for the queue (open or not)' }),
  Type.Object({ type: Type.Literal('hangup') }, { additionalProperties: false }),
]);
/** Texts to speak, per language: {"en": "For billing press 1.", "et": "Arvete jaoks vajutage 1."}. */
const promptTexts = (options: { description?: string; default?: unknown } = {}) =>
  Type.Record(LanguageCode, Type.String({ minLength: 1, maxLength: 2000 }), { maxProperties: 50, additionalProperties: false, ...options });
export const PromptTexts = promptTexts();
export const IvrOption = Type.Object(
  {
    digit: Type.String({ pattern: '^[0-9*#]$', description: 'one key: 0-9, * or #' }),
    label: Type.String({ maxLength: 100, description: 'what the option is, for the console (not spoken)' }),
    language: Type.Union([Type.Null(), LanguageCode], { description: "the caller's language from here on (null: unchanged)" }),
    action: IvrAction,
  },
  { additionalProperties: false },
);
/** The fields of a menu a request sets; the create schema documents (and fills in) the defaults. */
function ivrMenuFields(withDefaults: boolean) {
  const d = IVR_MENU_DEFAULTS;
  const dflt = (value: unknown) => (withDefaults ? { default: value } : {});
  return {
    name: Name,
    language: Type.Optional(Type.String({ pattern: '^[a-z]{2,3}(-[A-Z]{2})?$', description: 'the prompt language when the caller chose none', ...dflt(d.language) })),
    prompt: PromptTexts,
    options: Type.Optional(Type.Array(IvrOption, { maxItems: 12, ...dflt(d.options) })),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, ...dflt(d.timeoutSeconds) })),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'how many times the prompt plays in all', ...dflt(d.maxAttempts) })),
    defaultAction: Type.Optional(Type.Union([Type.Null(), IvrAction], { description: 'after maxAttempts without a valid key; null: hang up', ...dflt(d.defaultAction) })),
    openingHours: Type.Optional(Type.Union([Type.Null(), OpeningHours], { description: 'null: always open', ...dflt(d.openingHours) })),
    closedPrompt: Type.Optional(promptTexts({ description: 'spoken when closed ({}: nothing)', ...dflt(d.closedPrompt) })),
    closedAction: Type.Optional(Type.Union([Type.Null(), IvrAction], { description: 'when closed, after closedPrompt; null: hang up', ...dflt(d.closedAction) })),
  };
}
export const IvrMenuCreate = Type.Object(ivrMenuFields(true), { additionalProperties: false });
export const IvrMenuUpdate = Type.Object(
  { ...ivrMenuFields(false), name: Type.Optional(Name), prompt: Type.Optional(PromptTexts) },
  { additionalProperties: false, minProperties: 1 },
);
export const IvrMenu = Type.Object({
  id: Id,
  name: Type.String(),
  language: Type.String(),
  prompt: Type.Record(Type.String(), Type.String()),
  options: Type.Array(IvrOption),
  timeoutSeconds: Type.Integer(),
  maxAttempts: Type.Integer(),
  defaultAction: Type.Union([Type.Null(), IvrAction]),
  openingHours: Type.Union([Type.Null(), OpeningHours]),
  closedPrompt: Type.Record(Type.String(), Type.String()),
  closedAction: Type.Union([Type.Null(), IvrAction]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** A note an agent wrote on a call, as agents and supervisors read it. */
export const CallNoteView = Type.Object({ agentId: Type.Integer(), agent: Type.String(), text: Type.String(), at: Type.String({ format: 'date-time' }) });
export const noteView = (n: CallNote) => ({ agentId: n.agentId, agent: n.agent, text: n.text, at: n.at.toISOString() });

// --- reports ---
const Count = Type.Integer({ minimum: 0 });
const Seconds = Type.Number({ minimum: 0 });

/** Callers' ratings (post-call survey) of a queue's calls, or of an agent's. */
export const surveyFields = {
  surveys: Type.Integer({ minimum: 0, description: 'ratings callers gave (post-call survey, 1–5)' }),
  surveyAverage: Nullable(Type.Number({ description: 'their mean, 1–5' })),
  csatPercent: Nullable(Type.Number({ description: 'ratings of 4 or 5 ÷ ratings, % (customer satisfaction, CSAT)' })),
};

/** An agent's figures over a period (the agents' report, and an agent's own day: GET /api/agent/stats). */
export const agentFigureFields = {
  handled: Count,
  ahtSeconds: Nullable(Type.Number({ description: '(talk + after-call work) ÷ conversations handled' })),
  missedOffers: Count,
  talkSeconds: Seconds,
  wrapUpSeconds: Seconds,
  readySeconds: Seconds,
  ringingSeconds: Seconds,
  handlingSeconds: Type.Number({ minimum: 0, description: 'time talking and in wrap-up (by state)' }),
  notReadySeconds: Seconds,
  loggedInSeconds: Seconds,
  occupancyPercent: Nullable(Type.Number({ description: 'ringing + talking + wrap-up time ÷ that + ready time, %' })),
  ...surveyFields,
};
