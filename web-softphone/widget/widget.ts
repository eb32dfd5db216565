import type { Logger } from '../shared/logger.ts';
import { CallController } from './call-controller.ts';
import { type CallState, isLive } from './call-state.ts';
import type { WidgetConfig } from './config.ts';
import { readHistory, recordVisit } from './page-history.ts';
import { WidgetUi } from './ui.ts';
import { MenuWalk } from './visual-menu.ts';

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
    dismissAfterCall: () => controller?.dismissAfterCall(),
    rate: (score) => void controller?.rate(score),
    choose: (choice, language) =>
      void walk?.choose(choice).then((route) => {
        if (route === undefined) return;
        if (route.language !== null) controller?.setLanguage(route.language);
        return controller?.call(route.language ?? language, { queue: route.queue, menus: route.menus });
      }),
    menuBack: () => walk?.back(),
  }, `${config.apiBase}/api/public/music-on-hold`);
  // with data-menu: the visual IVR, from its first menu again after each call
  const walk = config.menu === undefined ? undefined : new MenuWalk(config.apiBase, config.menu, (view) => ui.renderMenu(view), log.child({ component: 'menu' }));
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
  let wasLive = false;
  ctl.on('change', (s) => {
    ui.render(s);
    if (wasLive && !isLive(s.state)) void walk?.reset();
    wasLive = isLive(s.state);
  });
  ui.render(ctl.snapshot);
  if (walk !== undefined) {
    ui.renderMenu(walk.view);
    void walk.reset();
  }
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
