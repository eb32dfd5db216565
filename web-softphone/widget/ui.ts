import { nativeLanguageName } from '../shared/languages.ts';
import { isLive } from './call-state.ts';
import type { CallSnapshot } from './call-controller.ts';
import type { MenuChoice, VisualMenu } from './api-client.ts';
import type { MenuView } from './visual-menu.ts';
import { type CustomerLink, httpUrl } from './customer-links.ts';
import { messagesFor, type Messages } from './i18n.ts';
import { WIDGET_CSS } from './styles.ts';

export interface WidgetUiHandlers {
  start(language: string): void;
  hangup(): void;
  setMuted(muted: boolean): void;
  setLanguage(language: string): void;
  /** call me back on `number`, at my turn or at `at` (ISO time) */
  requestCallback(number: string, at?: string): void;
  /** the panel was closed after the call: the call's links and its rating may go */
  dismissAfterCall(): void;
  /** the customer's rating of the call that ended, 1 (very bad) to 5 (very good) */
  rate(score: number): void;
  /** a choice of the visual IVR (null: Start call in a closed menu that sends callers on) */
  choose(choice: MenuChoice | null, language: string): void;
  /** Back in the visual IVR */
  menuBack(): void;
}

const PHONE_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"/></svg>';

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/**
 * The floating button and its panel, in an open shadow root on a host element appended to <body>.
 * It only renders snapshots and forwards clicks; the controller owns the call.
 */
export class WidgetUi {
  readonly host: HTMLElement;
  readonly audio: HTMLAudioElement;
  readonly #root: ShadowRoot;
  readonly #launcher: HTMLButtonElement;
  readonly #launcherText: HTMLSpanElement;
  readonly #panel: HTMLElement;
  readonly #title: HTMLHeadingElement;
  readonly #close: HTMLButtonElement;
  readonly #languageLabel: HTMLSpanElement;
  readonly #language: HTMLSelectElement;
  readonly #status: HTMLParagraphElement;
  readonly #queue: HTMLParagraphElement;
  readonly #position: HTMLSpanElement;
  readonly #ewt: HTMLSpanElement;
  readonly #separator: HTMLSpanElement;
  readonly #error: HTMLParagraphElement;
  readonly #hint: HTMLParagraphElement;
  readonly #links: HTMLUListElement;
  readonly #recorded: HTMLParagraphElement;
  readonly #survey: HTMLDivElement;
  readonly #surveyQuestion: HTMLParagraphElement;
  readonly #surveyScores: HTMLButtonElement[];
  readonly #surveyScale: HTMLParagraphElement;
  readonly #surveyThanks: HTMLParagraphElement;
  readonly #start: HTMLButtonElement;
  readonly #mute: HTMLButtonElement;
  readonly #hangup: HTMLButtonElement;
  readonly #callbackOffer: HTMLButtonElement;
  readonly #callbackForm: HTMLFormElement;
  readonly #callbackNumberLabel: HTMLSpanElement;
  readonly #callbackNumber: HTMLInputElement;
  readonly #callbackWhen: HTMLSelectElement;
  readonly #callbackAt: HTMLInputElement;
  readonly #callbackSubmit: HTMLButtonElement;
  readonly #callbackCancel: HTMLButtonElement;
  readonly #handlers: WidgetUiHandlers;
  readonly #holdMusic: HTMLAudioElement;
  readonly #menu: HTMLDivElement;
  readonly #menuTitle: HTMLParagraphElement;
  readonly #choices: HTMLDivElement;
  readonly #menuBack: HTMLButtonElement;
  /** the visual IVR (undefined: the widget calls its queue at once) */
  #menuView: MenuView | undefined;
  /** the menu whose choices the buttons are */
  #choicesOf: VisualMenu | null = null;
  #snapshot: CallSnapshot | undefined;
  #callbackFormOpen = false;
  /** the links the list shows, and in which language */
  #linksShown: readonly CustomerLink[] = [];
  #linksLanguage = '';
  /** the rating of the call that ended is shown (it opened the panel once) */
  #surveyShown = false;

  constructor(doc: Document, languages: readonly string[], handlers: WidgetUiHandlers, holdMusicUrl: string) {
    this.#handlers = handlers;
    this.host = doc.createElement('callflow-widget');
    this.#root = this.host.attachShadow({ mode: 'open' });
    const style = el('style');
    style.textContent = WIDGET_CSS;

    this.#launcherText = el('span');
    this.#launcher = el('button', { type: 'button', class: 'launcher', 'data-testid': 'cf-call-button', 'aria-expanded': 'false', 'aria-controls': 'cf-panel' });
    this.#launcher.innerHTML = PHONE_ICON;
    this.#launcher.append(this.#launcherText);

    this.#title = el('h2', { id: 'cf-title' });
    this.#close = el('button', { type: 'button', class: 'close' }, '×');
    this.#languageLabel = el('span');
    this.#language = el('select', { 'data-testid': 'cf-language' });
    for (const code of languages) this.#language.append(el('option', { value: code, lang: code }, nativeLanguageName(code)));
    this.#status = el('p', { class: 'status', 'data-testid': 'cf-status', role: 'status', 'aria-live': 'polite' });
    this.#position = el('span', { 'data-testid': 'cf-position' });
    this.#ewt = el('span', { 'data-testid': 'cf-ewt' });
    this.#separator = el('span', { 'aria-hidden': 'true' }, ' · ');
    this.#queue = el('p', { class: 'queue', 'aria-live': 'polite' }, this.#position, this.#separator, this.#ewt);
    this.#error = el('p', { class: 'error', 'data-testid': 'cf-error', role: 'alert' });
    this.#hint = el('p', { class: 'hint' });
    // (a queue that records its calls: the customer is told on the page too, not only by the spoken notice)
    this.#recorded = el('p', { class: 'hint', 'data-testid': 'cf-recorded', hidden: '' });
    // links the agent sent, newest first: each opens in a new tab only when the customer presses its Open
    this.#links = el('ul', { class: 'links', 'data-testid': 'cf-links', 'aria-live': 'polite', hidden: '' });
    // after a call an agent answered, in a queue that asks: "How was your call?", five stars from 1 (very bad) to 5
    this.#surveyQuestion = el('p', { class: 'survey-question', id: 'cf-survey-question', 'data-testid': 'cf-survey-question' });
    this.#surveyScores = [1, 2, 3, 4, 5].map((n) => {
      const b = el('button', { type: 'button', class: 'score', 'data-testid': 'cf-survey-score', 'aria-pressed': 'false' }, el('span', {}, '★'), el('span', { class: 'n' }, String(n)));
      b.addEventListener('click', () => handlers.rate(n));
      return b;
    });
    this.#surveyScale = el('p', { class: 'hint', 'data-testid': 'cf-survey-scale' });
    this.#surveyThanks = el('p', { class: 'survey-thanks', 'data-testid': 'cf-survey-thanks', role: 'status' });
    this.#survey = el(
      'div',
      { class: 'survey', 'data-testid': 'cf-survey', hidden: '' },
      this.#surveyQuestion,
      el('div', { class: 'scores', role: 'group', 'aria-labelledby': 'cf-survey-question' }, ...this.#surveyScores),
      this.#surveyScale,
      this.#surveyThanks,
    );
    // the visual IVR: the menu's options as buttons (with data-menu)
    this.#menuTitle = el('p', { class: 'menu-title', 'data-testid': 'cf-menu-title' });
    this.#choices = el('div', { class: 'choices', 'data-testid': 'cf-choices' });
    this.#menuBack = el('button', { type: 'button', class: 'btn secondary', 'data-testid': 'cf-menu-back' });
    this.#menu = el('div', { class: 'menu', 'data-testid': 'cf-menu', hidden: '' }, this.#menuTitle, this.#choices, this.#menuBack);
    this.#start = el('button', { type: 'button', class: 'btn start', 'data-testid': 'cf-start' });
    this.#mute = el('button', { type: 'button', class: 'btn mute', 'data-testid': 'cf-mute', 'aria-pressed': 'false' });
    this.#hangup = el('button', { type: 'button', class: 'btn hangup', 'data-testid': 'cf-hangup' });
    this.audio = el('audio', { autoplay: '' });
    // music while the agent holds the call, played here (the server sends none to a browser: media/README.md)
    this.#holdMusic = el('audio', { loop: '', preload: 'none', src: holdMusicUrl, 'data-testid': 'cf-hold-music' });
    // "Call me back instead", while in line: a number, and at my turn or at a time
    this.#callbackOffer = el('button', { type: 'button', class: 'btn secondary', 'data-testid': 'cf-callback' });
    this.#callbackNumberLabel = el('span');
    this.#callbackNumber = el('input', { type: 'tel', autocomplete: 'tel', required: '', maxlength: '40', 'data-testid': 'cf-callback-number' });
    this.#callbackWhen = el('select', { 'data-testid': 'cf-callback-when' }, el('option', { value: 'turn' }), el('option', { value: 'time' }));
    this.#callbackAt = el('input', { type: 'datetime-local', 'data-testid': 'cf-callback-at', hidden: '' });
    this.#callbackSubmit = el('button', { type: 'submit', class: 'btn start', 'data-testid': 'cf-callback-submit' });
    this.#callbackCancel = el('button', { type: 'button', class: 'btn secondary' });
    this.#callbackForm = el(
      'form',
      { class: 'callback', 'data-testid': 'cf-callback-form', hidden: '' },
      el('label', {}, this.#callbackNumberLabel, this.#callbackNumber),
      this.#callbackWhen,
      this.#callbackAt,
      el('div', { class: 'actions' }, this.#callbackSubmit, this.#callbackCancel),
    );

    this.#panel = el(
      'section',
      { class: 'panel', id: 'cf-panel', 'data-testid': 'cf-panel', role: 'dialog', 'aria-labelledby': 'cf-title', hidden: '' },
      el('div', { class: 'head' }, this.#title, this.#close),
      el(
        'div',
        { class: 'body' },
        el('label', {}, this.#languageLabel, this.#language),
        this.#status,
        this.#recorded,
        this.#links,
        this.#queue,
        this.#survey,
        this.#error,
        this.#hint,
        this.#callbackForm,
        this.#menu,
        el('div', { class: 'actions' }, this.#start, this.#mute, this.#hangup),
        this.#callbackOffer,
        this.audio,
        this.#holdMusic,
      ),
    );
    this.#root.append(style, el('div', { class: 'root' }, this.#panel, this.#launcher));

    this.#launcher.addEventListener('click', () => (this.isOpen ? this.close() : this.open()));
    this.#close.addEventListener('click', () => this.close());
    this.#panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
    this.#language.addEventListener('change', () => handlers.setLanguage(this.#language.value));
    this.#start.addEventListener('click', () => {
      // A click is the user gesture that lets the remote audio play.
      void this.audio.play().catch(() => {});
      // (in a closed menu that sends callers on, Start goes where it sends them)
      if (this.#menuView !== undefined) handlers.choose(null, this.#language.value);
      else handlers.start(this.#language.value);
    });
    this.#menuBack.addEventListener('click', () => handlers.menuBack());
    this.#hangup.addEventListener('click', () => handlers.hangup());
    this.#mute.addEventListener('click', () => handlers.setMuted(!(this.#snapshot?.muted ?? false)));
    this.#callbackOffer.addEventListener('click', () => {
      this.#callbackFormOpen = true;
      if (this.#snapshot) this.render(this.#snapshot);
      this.#callbackNumber.focus();
    });
    this.#callbackCancel.addEventListener('click', () => {
      this.#callbackFormOpen = false;
      if (this.#snapshot) this.render(this.#snapshot);
    });
    this.#callbackWhen.addEventListener('change', () => {
      this.#callbackAt.hidden = this.#callbackWhen.value !== 'time';
      this.#callbackAt.required = !this.#callbackAt.hidden;
    });
    this.#callbackForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const at = this.#callbackWhen.value === 'time' && this.#callbackAt.value ? new Date(this.#callbackAt.value).toISOString() : undefined;
      handlers.requestCallback(this.#callbackNumber.value.trim(), at);
    });
  }

  get isOpen(): boolean {
    return !this.#panel.hidden;
  }

  open(): void {
    if (this.isOpen) return;
    this.#panel.hidden = false;
    this.#launcher.setAttribute('aria-expanded', 'true');
    (isLive(this.#snapshot?.state ?? 'idle') ? this.#hangup : this.#start).focus();
  }

  close(): void {
    if (!this.isOpen) return;
    this.#panel.hidden = true;
    this.#launcher.setAttribute('aria-expanded', 'false');
    this.#launcher.focus();
    if (!isLive(this.#snapshot?.state ?? 'idle')) this.#handlers.dismissAfterCall();
  }

  render(s: CallSnapshot): void {
    this.#snapshot = s;
    const m: Messages = messagesFor(s.language);
    const live = isLive(s.state);
    this.#launcherText.textContent = m.callUs;
    this.#title.textContent = m.title;
    this.#close.setAttribute('aria-label', m.close);
    this.#languageLabel.textContent = m.language;
    if (this.#language.value !== s.language) this.#language.value = s.language;
    this.#language.disabled = live;
    this.#status.textContent = statusText(s, m);
    this.#recorded.hidden = !(live && s.recorded === true);
    this.#recorded.textContent = m.recorded;
    // Position 0 means the server does not know the place yet; the estimate may be missing too.
    const inLine = s.state === 'queued' && s.voicemail !== true;
    const hasPosition = inLine && s.position !== undefined && s.position > 0;
    const hasEwt = inLine && s.ewtSeconds !== undefined;
    this.#queue.hidden = !hasPosition && !hasEwt;
    this.#position.textContent = hasPosition ? m.position(s.position ?? 0) : '';
    this.#ewt.textContent = hasEwt ? m.ewt(s.ewtSeconds ?? 0) : '';
    this.#separator.hidden = !(hasPosition && hasEwt);
    this.#error.hidden = !s.error;
    this.#error.textContent = s.error ?? '';
    this.#hint.textContent = m.micHint;
    this.#hint.hidden = live || s.state === 'failed';
    this.#start.textContent = m.start;
    const startable = this.#renderMenu(live, m, s.language);
    this.#start.hidden = live || !startable;
    this.#mute.textContent = s.muted ? m.unmute : m.mute;
    this.#mute.setAttribute('aria-pressed', String(s.muted));
    this.#mute.hidden = !live;
    this.#mute.disabled = s.state === 'starting';
    this.#hangup.textContent = m.hangup;
    this.#hangup.hidden = !live;
    const closedOffer = s.state === 'failed' && s.closedCallback !== undefined;
    const canCallBack = (inLine && s.callbacks === true) || closedOffer;
    if (!canCallBack) this.#callbackFormOpen = false;
    this.#callbackOffer.textContent = m.callbackOffer;
    this.#callbackOffer.hidden = !canCallBack || this.#callbackFormOpen;
    this.#callbackForm.hidden = !this.#callbackFormOpen;
    this.#callbackNumberLabel.textContent = m.callbackNumber;
    const opensAt = s.closedCallback?.opensAt;
    this.#callbackWhen.options[0]!.textContent = !closedOffer ? m.callbackAtTurn : m.callbackWhenOpen(opensAt ? formatWhen(opensAt, s.language) : null);
    this.#callbackWhen.options[1]!.textContent = m.callbackAtTime;
    this.#callbackSubmit.textContent = m.callbackSubmit;
    this.#callbackSubmit.disabled = s.callbackPending === true;
    this.#callbackCancel.textContent = m.callbackCancel;
    this.#renderLinks(s.links ?? [], m, s.language);
    this.#renderSurvey(s.survey, m);
    // (leaving a voicemail: the server's prompt and tone are in the call, no music of ours over them)
    const held = s.state === 'connected' && s.onHold === true && s.voicemail !== true;
    if (held && this.#holdMusic.paused) void this.#holdMusic.play().catch(() => {});
    if (!held && !this.#holdMusic.paused) {
      this.#holdMusic.pause();
      this.#holdMusic.currentTime = 0;
    }
    if (this.host.ownerDocument.activeElement === this.host) {
      // Keep keyboard focus on a visible button after the buttons swap.
      const focused = this.#root.activeElement;
      if (focused instanceof HTMLButtonElement && focused.hidden) (live ? this.#hangup : this.#start).focus();
    }
  }

  /** The visual IVR's menu for the next call (or nothing, with no data-menu). */
  renderMenu(view: MenuView): void {
    this.#menuView = view;
    if (this.#snapshot) this.render(this.#snapshot);
  }

  /**
   * Draws the visual IVR when no call is live; true when Start call may show (no menu, or a closed one that sends
   * callers to a queue: Start goes there).
   */
  #renderMenu(live: boolean, m: Messages, language: string): boolean {
    const view = this.#menuView;
    this.#menu.hidden = view === undefined || live;
    if (view === undefined) return true;
    const menu = view.menu;
    this.#menuBack.textContent = m.back;
    this.#menuBack.hidden = view.depth <= 1;
    if (view.error !== undefined || menu === null || !menu.open) this.#choicesOf = null;
    if (view.error !== undefined || menu === null) {
      this.#menuTitle.textContent = view.error ?? '';
      this.#choices.replaceChildren();
      return false;
    }
    if (!menu.open) {
      this.#menuTitle.textContent = m.menuClosed(menu.opensAt ? formatWhen(menu.opensAt, language) : null);
      this.#choices.replaceChildren();
      return menu.closedNext !== null && 'queue' in menu.closedNext;
    }
    this.#menuTitle.textContent = m.chooseTopic;
    // (the buttons are made again only for another menu: a snapshot that changed something else keeps their focus)
    if (this.#choicesOf === menu) return false;
    this.#choicesOf = menu;
    this.#choices.replaceChildren(
      ...menu.choices.map((c) => {
        const b = el('button', { type: 'button', class: 'btn choice', 'data-testid': 'cf-choice' }, c.label);
        if (c.language) b.lang = c.language;
        b.addEventListener('click', () => {
          void this.audio.play().catch(() => {}); // (the gesture that lets the call's audio play)
          this.#handlers.choose(c, this.#language.value);
        });
        return b;
      }),
    );
    return false;
  }

  /**
   * The agent's links as a list (rebuilt only when they or the language changed). Each URL is checked again here
   * before it becomes an href: only http(s) is ever rendered. A new link opens a closed panel, without taking focus.
   */
  #renderLinks(links: readonly CustomerLink[], m: Messages, language: string): void {
    if (links === this.#linksShown && language === this.#linksLanguage) return;
    const grew = links.length > this.#linksShown.length;
    this.#linksShown = links;
    this.#linksLanguage = language;
    this.#links.replaceChildren(
      ...links.flatMap((link) => {
        const url = httpUrl(link.url);
        if (url === undefined) return [];
        const label = link.title ?? url.host;
        const open = el('a', { class: 'btn start open', 'data-testid': 'cf-link' }, m.openLink);
        open.href = url.href;
        open.target = '_blank';
        open.rel = 'noopener noreferrer';
        open.title = url.href;
        open.setAttribute('aria-label', `${m.openLink}: ${label} (${url.host})`);
        const text = el('span', { class: 'link-text', 'data-testid': 'cf-link-text' }, m.linkSent(label));
        // with a title, the host it leads to as well: the customer sees where they would go
        const where = link.title === null ? [] : [el('span', { class: 'link-host' }, url.host)];
        return [el('li', {}, el('div', {}, text, ...where), open)];
      }),
    );
    this.#links.hidden = this.#links.childElementCount === 0;
    if (grew) this.#reveal();
  }

  /**
   * The rating of the call that ended: five stars (each read as "4 of 5") until one is given, then thanks. The
   * buttons wait while the rating is sent. Asked for, it opens a closed panel, without taking focus.
   */
  #renderSurvey(survey: CallSnapshot['survey'], m: Messages): void {
    this.#survey.hidden = survey === undefined;
    if (survey === undefined) {
      this.#surveyShown = false;
      return;
    }
    this.#surveyQuestion.textContent = m.surveyQuestion;
    this.#surveyScale.textContent = m.surveyScale;
    this.#surveyScale.hidden = survey.score !== null;
    this.#surveyThanks.textContent = survey.score === null ? '' : m.surveyThanks;
    this.#surveyScores.forEach((b, i) => {
      b.setAttribute('aria-label', m.surveyScore(i + 1));
      b.setAttribute('aria-pressed', String(survey.score === i + 1));
      b.classList.toggle('on', i < (survey.score ?? 0));
      b.disabled = survey.sending || survey.score !== null;
    });
    if (!this.#surveyShown) this.#reveal();
    this.#surveyShown = true;
  }

  /** Opens a closed panel for something new to see (a link, the rating), leaving the focus where it is. */
  #reveal(): void {
    if (this.isOpen) return;
    this.#panel.hidden = false;
    this.#launcher.setAttribute('aria-expanded', 'true');
  }

  remove(): void {
    this.host.remove();
  }
}

function statusText(s: CallSnapshot, m: Messages): string {
  if (s.voicemail && isLive(s.state)) return m.voicemail;
  switch (s.state) {
    case 'idle':
      return m.idle;
    case 'starting':
      return m.starting;
    case 'queued':
      return m.queued;
    case 'ringing':
      return m.ringing;
    case 'connected':
      return s.onHold ? m.onHold : m.connected(s.agentName ?? '');
    case 'ended':
      return s.callback ? callbackDone(s.callback, s.language, m) : s.voicemail ? m.messageLeft : m.ended;
    case 'failed':
      return s.callback ? callbackDone(s.callback, s.language, m) : m.failed;
  }
}

function formatWhen(iso: string, language: string): string {
  return new Date(iso).toLocaleString(language, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

function callbackDone(cb: { number: string; scheduledFor: string | null }, language: string, m: Messages): string {
  return m.callbackDone(cb.number, cb.scheduledFor ? formatWhen(cb.scheduledFor, language) : null);
}
