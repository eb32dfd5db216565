/** A link the agent sent during the call, for the customer to open if they choose to. */
export interface CustomerLink {
  /** an absolute http: or https: URL */
  url: string;
  /** null: none given (the widget shows the URL's host) */
  title: string | null;
}

/** At most this many links are kept (the server sends at most 20 in a call). */
export const MAX_LINKS = 20;
const MAX_TITLE = 200;

/**
 * The URL when it is an absolute http: or https: URL with a host, else undefined. The widget checks every link
 * itself before it renders one (never a javascript:, data: or relative URL, whatever arrives on the socket).
 */
export function httpUrl(raw: unknown): URL | undefined {
  if (typeof raw !== 'string' || raw.length > 2000 || !/^https?:\/\//i.test(raw)) return undefined;
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A link message's fields checked; undefined when its URL is not one the widget would offer. */
export function parseLink(url: unknown, title: unknown): CustomerLink | undefined {
  const checked = httpUrl(url);
  if (checked === undefined) return undefined;
  const t = typeof title === 'string' ? title.trim().slice(0, MAX_TITLE) : '';
  return { url: checked.href, title: t === '' ? null : t };
}

/** What the customer reads for a link: its title, else the host it leads to. */
export function linkLabel(link: CustomerLink): string {
  return link.title ?? new URL(link.url).host;
}
