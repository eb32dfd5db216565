import type { Logger } from '../shared/logger.ts';
import { CallController } from './call-controller.ts';
import type { CallState } from './call-state.ts';
import type { WidgetConfig } from './config.ts';
import { readHistory, recordVisit } from './page-history.ts';
import { WidgetUi } from './ui.ts';

/** What `window.CallflowWidget` offers hosts and tests. */
export interface CallflowWidgetApi {
  /** Opens the panel. */
  open(): void;
  /** Opens the panel and starts a call, in `language` or the selected one. */
  call(language?: string): Promise<void>;
  /** Ends the call (cancel before the answer, bye after). */
  hangup(): void;
  /** The call state: idle, starting, queued, ringing, connected, ended or failed. */
  readonly state: CallState;
}

function safeLocalStorage(win: Window): Storage | undefined {
  try {
    return win.localStorage;
  } catch {
    return undefined;
  }
}

/** Records this page in the visit history, injects the button and panel, and returns the host API. */
export function mountWidget(win: Window, config: WidgetConfig, log: Logger): CallflowWidgetApi {
  const doc = win.document;
  const storage = safeLocalStorage(win);
  recordVisit(storage, { url: win.location.href, title: doc.title, at: new Date().toISOString() });

  let controller: CallController | undefined;
  const ui = new WidgetUi(doc, config.languages, {
    start: (language) => void controller?.call(language),
    hangup: () => controller?.hangup(),
    setMuted: (muted) => controller?.setMuted(muted),
    setLanguage: (language) => controller?.setLanguage(language),
    requestCallback: (number, at) => void controller?.requestCallback(number, at),
    dismissLinks: () => controller?.dismissLinks(),
  }, `${config.apiBase}/api/public/music-on-hold`);
  controller = new CallController({
    config,
    audio: ui.audio,
    log,
    page: () => {
      const language = doc.documentElement.lang;
      return {
        url: win.location.href,
        title: doc.title,
        ...(config.category ? { category: config.category } : {}),
        ...(language ? { language } : {}),
      };
    },
    history: () => {
      const list = readHistory(storage);
      return list.length > 0 ? list : [{ url: win.location.href, title: doc.title, at: new Date().toISOString() }];
    },
  });
  const ctl = controller;
  ctl.on('change', (s) => ui.render(s));
  ui.render(ctl.snapshot);
  doc.body.append(ui.host);
  win.addEventListener('pagehide', () => ctl.hangup());

  return {
    open: () => ui.open(),
    call: (language) => {
      ui.open();
      return ctl.call(language);
    },
    hangup: () => ctl.hangup(),
    get state() {
      return ctl.state;
    },
  };
}
