import type { AgentCallState } from './agent-call-state.ts';

/** How long the agent sees who is calling before the page answers by itself. */
export const AUTO_ANSWER_DELAY_MS = 2000;

/** The agent's Auto-answer setting, kept in this browser for their login (off unless they turned it on). */
export const autoAnswerSetting = {
  key: (login: string): string => `callflow.agent.autoAnswer.${login}`,
  get(login: string): boolean {
    try {
      return localStorage.getItem(this.key(login)) === 'on';
    } catch {
      return false; // (storage blocked: off, as by default)
    }
  },
  set(login: string, on: boolean): void {
    try {
      if (on) localStorage.setItem(this.key(login), 'on');
      else localStorage.removeItem(this.key(login));
    } catch {
      // storage blocked: the setting holds for this page only
    }
  },
};

/**
 * Auto-answer of a call offered to this page's softphone: `delayMs` after the call came in (offer or INVITE, whichever
 * first), it is answered as the Answer button does, once it rings here. A call that stops being incoming (answered,
 * declined, withdrawn, taken on the desk phone) or the setting turned off disarms it. Follows the desk through update().
 */
export class AutoAnswer {
  readonly #answer: () => void;
  readonly #state: () => AgentCallState;
  readonly #note: (note: string | undefined) => void;
  readonly #delayMs: number;
  #enabled = false;
  #armed = false;
  #due = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `answer`: what the Answer button does; `state`: the desk's call state now; `note`: shows what the incoming panel
   * says meanwhile (undefined: nothing).
   */
  constructor(answer: () => void, state: () => AgentCallState, note: (note: string | undefined) => void, delayMs = AUTO_ANSWER_DELAY_MS) {
    this.#answer = answer;
    this.#state = state;
    this.#note = note;
    this.#delayMs = delayMs;
  }

  /** Call on every change of the desk and of the setting: arms, answers when it is time and the call rings here, or disarms. */
  update(enabled: boolean): void {
    this.#enabled = enabled;
    const state = this.#state();
    if (!enabled || (state !== 'offered' && state !== 'ringing')) {
      this.stop();
      return;
    }
    if (!this.#armed) {
      this.#armed = true;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#due = true;
        this.update(this.#enabled);
      }, this.#delayMs);
    } else if (this.#due && state === 'ringing') {
      this.#answer(); // (the desk leaves ringing: the next update disarms)
      return;
    }
    this.#note(this.#due ? 'Answering automatically as soon as it rings…' : `Answering automatically in ${Math.round(this.#delayMs / 1000)} s…`);
  }

  /** Disarms (the call is no longer incoming, the setting is off, the agent signed out). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armed = false;
    this.#due = false;
    this.#note(undefined);
  }
}
