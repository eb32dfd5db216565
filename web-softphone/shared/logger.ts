/**
 * The browser apps' logger: the same shape as the pino methods the server code uses, so library code takes a
 * `Logger` and never calls `console.*` itself. Only an entry point (`main.ts`) decides where lines go.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export type LogSink = (level: Exclude<LogLevel, 'silent'>, msg: string, fields: Record<string, unknown>) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** A logger that passes lines at or above `level` to `sink`, with the bindings of its parents merged in. */
export function createLogger(sink: LogSink, level: LogLevel = 'info', bindings: Record<string, unknown> = {}): Logger {
  const emit = (lvl: Exclude<LogLevel, 'silent'>, obj: object | string, msg?: string): void => {
    if (RANK[lvl] < RANK[level]) return;
    if (typeof obj === 'string') sink(lvl, obj, { ...bindings });
    else sink(lvl, msg ?? '', { ...bindings, ...(obj as Record<string, unknown>) });
  };
  return {
    debug: (obj, msg) => emit('debug', obj, msg),
    info: (obj, msg) => emit('info', obj, msg),
    warn: (obj, msg) => emit('warn', obj, msg),
    error: (obj, msg) => emit('error', obj, msg),
    child: (more) => createLogger(sink, level, { ...bindings, ...more }),
  };
}

/** A logger that drops everything (tests, hosts that want silence). */
export const silentLogger: Logger = createLogger(() => {}, 'silent');

/** Maps sip.js's log callback onto a Logger, for `UserAgentOptions.logConnector`. */
export function sipLogConnector(log: Logger): (level: string, category: string, label: string | undefined, content: string) => void {
  return (level, category, _label, content) => {
    const fields = { category };
    if (level === 'error') log.error(fields, content);
    else if (level === 'warn') log.warn(fields, content);
    else log.debug(fields, content); // sip.js hands every line to the connector, 'log' included: keep them at debug
  };
}
