/**
 * Entry of widget.js, the embeddable "Call us" script (a classic script, IIFE). It reads its own <script> tag,
 * mounts once the body exists, and exposes window.CallflowWidget.
 */
import { createLogger } from '../shared/logger.ts';
import { findOwnScript, readWidgetConfig } from './config.ts';
import { mountWidget, type CallflowWidgetApi } from './widget.ts';

declare global {
  interface Window {
    CallflowWidget?: CallflowWidgetApi;
  }
}

// The entry point decides where log lines go: the browser console, warnings and up.
const log = createLogger((level, msg, fields) => console[level](`[callflow] ${msg}`, fields), 'warn');

// document.currentScript is only set while this script first runs, so read it now.
const script = findOwnScript(document, document.currentScript);

function boot(): void {
  if (window.CallflowWidget) return; // embedded twice
  if (!script) {
    log.error('cannot find the widget <script> tag');
    return;
  }
  try {
    const config = readWidgetConfig({
      src: script.src,
      dataset: { ...script.dataset },
      documentLanguage: document.documentElement.lang,
    });
    window.CallflowWidget = mountWidget(window, config, log);
  } catch (err) {
    log.error({ err: String(err) }, 'the widget could not start');
  }
}

if (document.body) boot();
else document.addEventListener('DOMContentLoaded', boot, { once: true });
