import { WebError } from './errors.ts';

export interface JsonRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  token?: string;
  signal?: AbortSignal;
}

/**
 * fetch() with JSON in and out. An error status becomes a WebError carrying the server's `{ message }`
 * (or the status text when there is none), so the UI can show exactly what the server said.
 */
export async function fetchJson<T>(url: string, req: JsonRequest = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method ?? (req.body === undefined ? 'GET' : 'POST'),
      headers,
      body: req.body === undefined ? null : JSON.stringify(req.body),
      signal: req.signal ?? null,
      credentials: 'omit',
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new WebError('WEB_ERR_NETWORK', 'The server could not be reached. Please try again.');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const message =
      json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string'
        ? (json as { message: string }).message
        : `${res.status} ${res.statusText || 'error'}`;
    throw new WebError('WEB_ERR_HTTP', message, res.status);
  }
  if (json === undefined && res.status === 204) return undefined as T;
  if (json === undefined) throw new WebError('WEB_ERR_BAD_RESPONSE', `${url} answered without JSON`, res.status);
  return json as T;
}

/** Throws WEB_ERR_BAD_RESPONSE unless every named field of `obj` is a string. */
export function requireStrings<K extends string>(obj: unknown, keys: readonly K[], what: string): Record<K, string> {
  if (!obj || typeof obj !== 'object') throw new WebError('WEB_ERR_BAD_RESPONSE', `${what}: not an object`);
  for (const key of keys) {
    if (typeof (obj as Record<string, unknown>)[key] !== 'string') {
      throw new WebError('WEB_ERR_BAD_RESPONSE', `${what}: field "${key}" is missing or not a string`);
    }
  }
  return obj as Record<K, string>;
}
