/** A WebSocket text frame parsed as a JSON object; undefined for binary data, bad JSON or a non-object. */
export function parseJsonObject(data: unknown): Record<string, unknown> | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const msg: unknown = JSON.parse(data);
    return msg && typeof msg === 'object' ? (msg as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
