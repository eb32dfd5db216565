/**
 * The reasons an agent gives for going not ready ("aux codes": break, lunch…), as GET /api/not-ready-reasons answers:
 * the admin's list (in the order the agent page offers them, the first its default) and the server's own reasons.
 */

/** `code` is what the server keeps (and the agent page sends), `label` what people read; maxMinutes: null, no limit. */
export interface NotReadyReason {
  code: string;
  label: string;
  maxMinutes: number | null;
}

export interface NotReadyReasons {
  items: NotReadyReason[];
  /** the server's own reasons (not an agent's choice), by code: what people read for them */
  system: Record<string, string>;
  /** 'default': no admin set the list yet */
  source: 'database' | 'default';
}

/** The server's defaults, which the agent page keeps when the list cannot be read (its own static list). */
export const DEFAULT_NOT_READY_REASONS: readonly NotReadyReason[] = [
  { code: 'break', label: 'Break', maxMinutes: 15 },
  { code: 'lunch', label: 'Lunch', maxMinutes: 60 },
  { code: 'training', label: 'Training', maxMinutes: null },
  { code: 'other', label: 'Other', maxMinutes: null },
];

/** GET /api/not-ready-reasons's answer checked: items without a code are dropped, a missing label is the code. */
export function parseNotReadyReasons(v: unknown): NotReadyReasons {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const items = (Array.isArray(o.items) ? o.items : [])
    .filter((r): r is Record<string, unknown> => !!r && typeof r === 'object' && typeof (r as { code?: unknown }).code === 'string' && (r as { code: string }).code !== '')
    .map((r) => ({
      code: r.code as string,
      label: typeof r.label === 'string' && r.label !== '' ? r.label : (r.code as string),
      maxMinutes: typeof r.maxMinutes === 'number' && Number.isFinite(r.maxMinutes) ? r.maxMinutes : null,
    }));
  const system: Record<string, string> = {};
  if (o.system && typeof o.system === 'object') {
    for (const [code, label] of Object.entries(o.system as Record<string, unknown>)) if (typeof label === 'string') system[code] = label;
  }
  return { items, system, source: o.source === 'database' ? 'database' : 'default' };
}

/** What people read for a reason's code: the admin's label, the server's own reason's, else the code as it is. */
export function reasonLabel(code: string, reasons: Pick<NotReadyReasons, 'items' | 'system'>): string {
  return reasons.items.find((r) => r.code === code)?.label ?? reasons.system[code] ?? code;
}
