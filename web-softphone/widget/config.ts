import { WebError } from '../shared/errors.ts';
import { primaryLanguage } from '../shared/languages.ts';

/** What the host page tells the widget through its own <script> tag. */
export interface WidgetConfig {
  /** Origin of the script's src: the server to call. */
  apiBase: string;
  /** the queue a call goes to ('' with a menu: the customer's choices pick it) */
  queue: string;
  /** an IVR menu shown as buttons first (visual IVR): its choices lead to the queue */
  menu?: string;
  /** Default language, selected in the picker. */
  language: string;
  /** Languages offered in the picker, the default among them. */
  languages: string[];
  customerId?: string;
  category?: string;
}

/** The attributes and context the config is read from (a slice of the DOM, so it is testable without one). */
export interface EmbedSource {
  src: string;
  dataset: Record<string, string | undefined>;
  documentLanguage: string;
}

/**
 * Reads the embedding: `data-queue` or `data-menu` (an IVR menu shown as buttons; one of them is required), `data-language` (else the page's `<html lang>`, else "en"),
 * `data-languages` (comma list), `data-customer-id`, `data-category`.
 */
export function readWidgetConfig(source: EmbedSource): WidgetConfig {
  const queue = source.dataset.queue?.trim() ?? '';
  const menu = source.dataset.menu?.trim();
  if (!queue && !menu) throw new WebError('WEB_ERR_CONFIG', 'callflow widget: the <script> tag needs a data-queue (or a data-menu) attribute');
  let apiBase: string;
  try {
    apiBase = new URL(source.src).origin;
  } catch {
    throw new WebError('WEB_ERR_CONFIG', `callflow widget: cannot tell the server from the script src "${source.src}"`);
  }
  const language =
    primaryLanguage(source.dataset.language) || primaryLanguage(source.documentLanguage) || 'en';
  const languages = (source.dataset.languages ?? '')
    .split(',')
    .map((l) => primaryLanguage(l))
    .filter((l, i, all) => l !== '' && all.indexOf(l) === i);
  if (!languages.includes(language)) languages.unshift(language);
  const config: WidgetConfig = { apiBase, queue, language, languages };
  if (menu) config.menu = menu;
  const customerId = source.dataset.customerId?.trim();
  if (customerId) config.customerId = customerId;
  const category = source.dataset.category?.trim();
  if (category) config.category = category;
  return config;
}

/** The widget's own <script> element: document.currentScript while the script runs, else a tag with data-queue or data-menu. */
export function findOwnScript(doc: Document, current: HTMLOrSVGScriptElement | null): HTMLScriptElement | null {
  if (current instanceof HTMLScriptElement) return current;
  const tags = [...doc.querySelectorAll<HTMLScriptElement>('script[src][data-queue], script[src][data-menu]')];
  return tags.find((s) => /widget(\.[\w-]+)?\.js(\?|#|$)/.test(s.src)) ?? tags[0] ?? null;
}
