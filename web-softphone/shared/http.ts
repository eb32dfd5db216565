import { WebError } from './errors.ts';

export interface JsonRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** sent as JSON, or as it is when a Blob (with the Blob's type) */
  body?: unknown;
  token?: string;
  signal?: AbortSignal;
}

/** The request of fetchJson / fetchBlob; a network failure becomes WEB_ERR_NETWORK. */
async function send(url: string, req: JsonRequest, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  // (a Blob, a recording say, goes as it is, with its own type; anything else as JSON)
  const raw = req.body instanceof Blob ? req.body : undefined;
  if (req.body !== undefined) headers['content-type'] = raw !== undefined ? raw.type || 'application/octet-stream' : 'application/json';
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  try {
    return await fetch(url, {
      method: req.method ?? (req.body === undefined ? 'GET' : 'POST'),
      headers,
      body: req.body === undefined ? null : (raw ?? JSON.stringify(req.body)),
      signal: req.signal ?? null,
      credentials: 'omit',
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new WebError('WEB_ERR_NETWORK', 'The server could not be reached. Please try again.');
  }
}

/** Told of a request that carried a token and was answered 401 (see onUnauthorized). */
export type UnauthorizedListener = (token: string, message: string) => void;
let unauthorized: UnauthorizedListener | undefined;

/**
 * Tells `listener` of every request made with a token that the server answered 401 (the token expired, or its session
 * ended: a new password, sign-out everywhere, the account disabled): the page signs out. One listener a page (the last
 * one set); undefined: none. The request still fails as ever.
 */
export function onUnauthorized(listener: UnauthorizedListener | undefined): void {
  unauthorized = listener;
}

/** An error status as a WebError carrying the server's `{ message }` (or the status text when there is none). */
function httpError(res: Response, json: unknown, req: JsonRequest): WebError {
  const message =
    json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string'
      ? (json as { message: string }).message
      : `${res.status} ${res.statusText || 'error'}`;
  if (res.status === 401 && req.token && unauthorized) {
    const listener = unauthorized;
    const token = req.token;
    // (not inside the request: a listener that throws does not change the request's error)
    queueMicrotask(() => listener(token, message));
  }
  return new WebError('WEB_ERR_HTTP', message, res.status);
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * fetch() with JSON in and out. An error status becomes a WebError carrying the server's `{ message }`
 * (or the status text when there is none), so the UI can show exactly what the server said.
 */
export async function fetchJson<T>(url: string, req: JsonRequest = {}): Promise<T> {
  const res = await send(url, req, 'application/json');
  const json = parseJson(await res.text());
  if (!res.ok) throw httpError(res, json, req);
  if (json === undefined && res.status === 204) return undefined as T;
  if (json === undefined) throw new WebError('WEB_ERR_BAD_RESPONSE', `${url} answered without JSON`, res.status);
  return json as T;
}

/** fetch() with JSON in and a file out (audio, say); errors as fetchJson's. */
export async function fetchBlob(url: string, req: JsonRequest = {}): Promise<Blob> {
  const res = await send(url, req, '*/*');
  if (!res.ok) throw httpError(res, parseJson(await res.text()), req);
  return res.blob();
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
