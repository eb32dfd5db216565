import { userMessage } from './errors.ts';
import { fetchJson, onUnauthorized } from './http.ts';

/** The shortest and longest new password the server takes (PUT /api/me/password). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** What the signed-in page does for the Account panel. */
export interface AccountHooks {
  /** The page's session token now (null: signed out). */
  token(): string | null;
  /**
   * A password change gave this session a new token (the old one is refused from now on): keep it, and connect the
   * page's live socket again with it.
   */
  renewed(token: string): void;
  /** Signed out everywhere, or the server refused the page's token (401): sign out as Log out does, showing `message`. */
  signedOut(message: string): void;
}

export interface Account {
  /**
   * Resolves once no password change or sign-out everywhere is under way. Either ends the sessions of the page's
   * token, so the server may close the page's live socket (4401) before the new token comes: a page waits for this,
   * then signs out only if its token is still the one the socket was refused with.
   */
  settled(): Promise<void>;
  /** Closes the panel and forgets what was typed in it (signed out). */
  close(): void;
}

/**
 * What the page checks of the password form before it asks the server: a message to show, or null when it may go.
 * (The server checks again, and says why it refuses.)
 */
export function passwordFormError(current: string, next: string, repeat: string): string | null {
  if (current === '') return 'Enter your current password.';
  if (next.length < PASSWORD_MIN) return `The new password needs at least ${PASSWORD_MIN} characters.`;
  if (next.length > PASSWORD_MAX) return `The new password may have at most ${PASSWORD_MAX} characters.`;
  if (next !== repeat) return 'The new passwords do not match.';
  return null;
}

/**
 * Fills the page's `#account-panel` (a <dialog>) with the Account panel every signed-in page shares: #password-form
 * with #password-current, #password-new, #password-repeat and #password-save; #account-message; #sign-out-everywhere;
 * #account-close (the test ids are the same names).
 */
export function accountPanel(doc: Document): void {
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string>, text = '') => {
    const e = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text) e.textContent = text;
    return e;
  };
  const password = (id: string, label: string, autocomplete: string): HTMLElement[] => [
    el('label', { for: id }, label),
    el('input', { id, 'data-testid': id, type: 'password', autocomplete, maxlength: String(PASSWORD_MAX), required: '' }),
  ];
  const form = el('form', { id: 'password-form', 'data-testid': 'password-form', novalidate: '' });
  form.append(
    el('h3', {}, 'Change password'),
    ...password('password-current', 'Current password', 'current-password'),
    ...password('password-new', `New password (at least ${PASSWORD_MIN} characters)`, 'new-password'),
    ...password('password-repeat', 'Repeat the new password', 'new-password'),
    el('p', { class: 'muted' }, 'You stay signed in here; your other sessions are signed out.'),
    el('button', { type: 'submit', id: 'password-save', 'data-testid': 'password-save', class: 'primary' }, 'Change password'),
  );
  const everywhere = el('div', { class: 'everywhere' });
  everywhere.append(
    el('h3', {}, 'Sign out everywhere'),
    el('p', { class: 'muted' }, 'Every session of yours ends, on every device, this one included (a lost laptop, a shared computer).'),
    el('button', { type: 'button', id: 'sign-out-everywhere', 'data-testid': 'sign-out-everywhere', class: 'danger' }, 'Sign out everywhere'),
  );
  const head = el('div', { class: 'account-head' });
  head.append(
    el('h2', { id: 'account-title' }, 'Account'),
    el('button', { type: 'button', id: 'account-close', 'data-testid': 'account-close', class: 'link', 'aria-label': 'Close the account panel' }, 'Close'),
  );
  const message = el('p', { id: 'account-message', 'data-testid': 'account-message', role: 'status', hidden: '' });
  doc.getElementById('account-panel')!.replaceChildren(head, form, message, everywhere);
}

/**
 * Puts the Account panel on the page (accountPanel) and wires it to the header's #account-open: a password change
 * (PUT /api/me/password: the page keeps the new token it answers with, hooks.renewed) and sign-out everywhere
 * (DELETE /api/me/sessions, then hooks.signedOut). It also signs the page out when a request made with the page's
 * token is answered 401 (its session ended elsewhere: the message says so).
 */
export function wireAccount(doc: Document, hooks: AccountHooks): Account {
  accountPanel(doc);
  const $ = <T extends HTMLElement>(id: string) => doc.getElementById(id) as T;
  const panel = $<HTMLDialogElement>('account-panel');
  const opener = $<HTMLButtonElement>('account-open');
  const form = $<HTMLFormElement>('password-form');
  const current = $<HTMLInputElement>('password-current');
  const next = $<HTMLInputElement>('password-new');
  const repeat = $<HTMLInputElement>('password-repeat');
  const save = $<HTMLButtonElement>('password-save');
  const everywhere = $<HTMLButtonElement>('sign-out-everywhere');
  const message = $('account-message');
  /** the change under way (null: none), for settled() */
  let pending: Promise<unknown> | null = null;

  const say = (text: string | null, kind: 'notice' | 'error' = 'error'): void => {
    message.textContent = text ?? '';
    message.className = kind;
    message.hidden = text === null;
  };
  const busy = (on: boolean): void => {
    save.disabled = on;
    everywhere.disabled = on;
  };
  const clear = (): void => {
    form.reset();
    say(null);
  };
  const open = (): void => {
    clear();
    panel.show();
    opener.setAttribute('aria-expanded', 'true');
    current.focus();
  };
  const close = (): void => {
    clear();
    if (panel.open) panel.close();
    opener.setAttribute('aria-expanded', 'false');
  };
  /** Runs a change, one at a time; settled() waits for it. */
  const run = (change: () => Promise<void>): void => {
    if (pending !== null) return;
    busy(true);
    const done = change().finally(() => {
      busy(false);
      if (pending === done) pending = null;
    });
    pending = done;
  };

  opener.setAttribute('aria-controls', 'account-panel');
  opener.setAttribute('aria-expanded', 'false');
  opener.addEventListener('click', () => (panel.open ? close() : open()));
  $('account-close').addEventListener('click', () => {
    close();
    opener.focus();
  });
  panel.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    close();
    opener.focus();
  });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const wrong = passwordFormError(current.value, next.value, repeat.value);
    if (wrong !== null) {
      say(wrong);
      (current.value === '' ? current : next.value.length < PASSWORD_MIN || next.value.length > PASSWORD_MAX ? next : repeat).focus();
      return;
    }
    const token = hooks.token();
    if (token === null) return;
    say(null);
    const body = { currentPassword: current.value, newPassword: next.value };
    run(async () => {
      try {
        const res = await fetchJson<{ token?: unknown }>('/api/me/password', { method: 'PUT', body, token });
        if (typeof res.token !== 'string' || res.token === '') throw new Error('PUT /api/me/password: no token in the answer');
        // (signed out meanwhile: the new token is not this page's to keep)
        if (hooks.token() !== token) return;
        hooks.renewed(res.token);
        form.reset();
        say('Password changed', 'notice');
      } catch (err) {
        say(userMessage(err));
      }
    });
  });

  everywhere.addEventListener('click', () => {
    const token = hooks.token();
    if (token === null || pending !== null) return;
    if (!confirm('Sign out everywhere? Every session of yours ends, this one included.')) return;
    say(null);
    run(async () => {
      try {
        await fetchJson('/api/me/sessions', { method: 'DELETE', token });
        if (hooks.token() !== token) return;
        close();
        hooks.signedOut('Signed out everywhere.');
      } catch (err) {
        say(userMessage(err));
      }
    });
  });

  // A request made with the page's token refused with 401: its session ended (or expired). The page signs out with the
  // server's message, unless the token is no longer the page's (a request that went out before a password change).
  onUnauthorized((token, text) => {
    const settled = pending ?? Promise.resolve();
    void settled.catch(() => undefined).then(() => {
      if (hooks.token() !== token) return;
      close();
      hooks.signedOut(text);
    });
  });

  return {
    settled: async () => {
      while (pending !== null) await pending.catch(() => undefined);
    },
    close,
  };
}
