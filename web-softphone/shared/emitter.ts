import type { Logger } from './logger.ts';

type Listener = (...args: unknown[]) => void;

/**
 * A small typed event emitter for the browser code: `Emitter<{ stateChange: [CallState] }>`.
 * A listener that throws is logged and does not stop the others or unwind into the caller.
 */
export class Emitter<Events extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof Events, Set<Listener>>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as unknown as Listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): void {
    this.#listeners.get(event)?.delete(listener as unknown as Listener);
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...(args as unknown[]));
      } catch (err) {
        this.#log.error({ err: String(err), event: String(event) }, 'event listener threw');
      }
    }
  }

  removeAll(): void {
    this.#listeners.clear();
  }
}
