/** One page the visitor saw on this site, as it travels with the call. `at` is an ISO 8601 instant. */
export interface VisitedPage {
  url: string;
  title: string;
  at: string;
}

export const HISTORY_KEY = 'callflow.pageHistory';
export const HISTORY_LIMIT = 10;

/** The pages recorded so far, oldest first. Unreadable storage gives an empty list. */
export function readHistory(storage: Storage | undefined): VisitedPage[] {
  try {
    const raw = storage?.getItem(HISTORY_KEY);
    const list: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(list)) return [];
    return list.filter(
      (p): p is VisitedPage =>
        !!p && typeof p === 'object' && typeof p.url === 'string' && typeof p.title === 'string' && typeof p.at === 'string',
    );
  } catch {
    return [];
  }
}

/**
 * Records `page` as the latest visit and keeps the last HISTORY_LIMIT. A reload of the page that is already the
 * latest entry only refreshes its time and title. Storage that refuses (private mode, quota) is ignored: the
 * history then holds the current page only.
 */
export function recordVisit(storage: Storage | undefined, page: VisitedPage): VisitedPage[] {
  const list = readHistory(storage);
  const last = list[list.length - 1];
  if (last && last.url === page.url) list[list.length - 1] = page;
  else list.push(page);
  const kept = list.slice(-HISTORY_LIMIT);
  try {
    storage?.setItem(HISTORY_KEY, JSON.stringify(kept));
  } catch {
    // Storage full or forbidden: keep the in-memory list.
  }
  return kept;
}
