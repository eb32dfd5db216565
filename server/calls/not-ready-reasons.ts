import type { Kysely } from 'kysely';
import { getSetting, putSetting } from '../../db/repositories/settings.ts';
import type { Database } from '../../db/schema.ts';

/**
 * A reason an agent gives for going not ready (an "aux code": break, lunch, training…), set by an admin: `code` is what
 * the ACD, the queue log and the reports keep, `label` what people read; `maxMinutes` flags an agent on the wall-board
 * once they have been away for it longer (null: no limit).
 */
export interface NotReadyReason {
  code: string;
  label: string;
  maxMinutes: number | null;
}

/** Until an admin sets the list. */
export const DEFAULT_REASONS: readonly NotReadyReason[] = [
  { code: 'break', label: 'Break', maxMinutes: 15 },
  { code: 'lunch', label: 'Lunch', maxMinutes: 60 },
  { code: 'training', label: 'Training', maxMinutes: null },
  { code: 'other', label: 'Other', maxMinutes: null },
];

/** The reasons the server itself gives (not an agent's choice): never refused, never in the list. */
export const SYSTEM_REASONS: Readonly<Record<string, string>> = {
  'not-ready': 'Not ready',
  login: 'Just logged in',
  'missed-offers': 'Missed offers',
  supervisor: 'Set by a supervisor',
  outbound: 'Calling a number',
};

export const MAX_REASONS = 30;
export const CODE_PATTERN = '^[a-z0-9][a-z0-9-]{0,39}$';
const KEY = 'not-ready-reasons';

/** The list's problem (codes unique and not a system reason's), or null when it is fine. */
export function reasonsProblem(list: readonly NotReadyReason[]): string | null {
  if (list.length === 0) return 'give at least one reason';
  const seen = new Set<string>();
  for (const [i, r] of list.entries()) {
    if (seen.has(r.code)) return `items[${i}].code: ${JSON.stringify(r.code)} appears twice`;
    if (r.code in SYSTEM_REASONS) return `items[${i}].code: ${JSON.stringify(r.code)} is the server's own (${SYSTEM_REASONS[r.code]}): choose another code`;
    seen.add(r.code);
  }
  return null;
}

/** The admin's list of not-ready reasons, kept in the settings table. */
export class NotReadyReasons {
  #list: readonly NotReadyReason[] = DEFAULT_REASONS;
  #stored = false;

  constructor(private readonly db: Kysely<Database>) {}

  get list(): readonly NotReadyReason[] {
    return this.#list;
  }

  /** Whether an admin set the list (false: the defaults). */
  get stored(): boolean {
    return this.#stored;
  }

  async load(): Promise<void> {
    const text = await getSetting(this.db, KEY);
    if (text === null) return;
    this.#list = JSON.parse(text) as NotReadyReason[];
    this.#stored = true;
  }

  /** Stores a list (check it with reasonsProblem first). */
  async save(list: readonly NotReadyReason[]): Promise<void> {
    await putSetting(this.db, KEY, JSON.stringify(list));
    this.#list = list.map((r) => ({ ...r }));
    this.#stored = true;
  }

  /** An agent's reason refused (not in the list), or null when it may be given; none given: the server's 'not-ready'. */
  refusal(code: string | undefined): string | null {
    if (code === undefined || code === '' || this.#list.some((r) => r.code === code)) return null;
    return `reason ${JSON.stringify(code)} is not one of the not-ready reasons: ${this.#list.map((r) => r.code).join(', ')}`;
  }

  /** What people read for a reason code (an admin's label, the server's own, or the code itself). */
  label(code: string): string {
    return this.#list.find((r) => r.code === code)?.label ?? SYSTEM_REASONS[code] ?? code;
  }

  /** How long (ms) an agent may be away for this reason before the wall-board flags it; null: no limit. */
  limitMs(code: string): number | null {
    const m = this.#list.find((r) => r.code === code)?.maxMinutes ?? null;
    return m === null ? null : m * 60_000;
  }
}
