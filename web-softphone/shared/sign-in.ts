import { fetchJson } from './http.ts';

/**
 * Fills the page's `#login-view` with the sign-in form every signed-in page shares: #login-form with
 * #login-username, #login-password, #login-error and #login-submit (the test ids are the same names).
 */
export function signInForm(doc: Document): void {
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string>, text = '') => {
    const e = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text) e.textContent = text;
    return e;
  };
  const form = el('form', { id: 'login-form', novalidate: '' });
  form.append(
    el('label', { for: 'login-username' }, 'User name'),
    el('input', { id: 'login-username', 'data-testid': 'login-username', name: 'username', autocomplete: 'username', required: '' }),
    el('label', { for: 'login-password' }, 'Password'),
    el('input', { id: 'login-password', 'data-testid': 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: '' }),
    el('p', { id: 'login-error', 'data-testid': 'login-error', class: 'error', role: 'alert', hidden: '' }),
    el('button', { type: 'submit', id: 'login-submit', 'data-testid': 'login-submit', class: 'primary' }, 'Sign in'),
  );
  doc.getElementById('login-view')!.replaceChildren(el('h1', { id: 'login-title' }, 'Sign in'), form);
}

/**
 * Puts the sign-in form on the page (signInForm) and wires it: it signs in through
 * POST /api/login and hands `onToken` the session token of a user whose role is allowed; any other role gets
 * `refusal`, a failed sign-in the server's message. Returns how to show a message there later (a session refused).
 */
export function wireSignIn(doc: Document, allowed: readonly string[], refusal: string, onToken: (token: string) => void): (message: string | null) => void {
  signInForm(doc);
  const error = doc.getElementById('login-error')!;
  const show = (message: string | null) => {
    error.textContent = message ?? '';
    error.hidden = message === null;
  };
  doc.getElementById('login-form')!.addEventListener('submit', (e) => {
    e.preventDefault();
    show(null);
    const username = (doc.getElementById('login-username') as HTMLInputElement).value.trim();
    const password = (doc.getElementById('login-password') as HTMLInputElement).value;
    fetchJson<{ token: string; role: string }>('/api/login', { method: 'POST', body: { username, password } }).then(
      (res) => (allowed.includes(res.role) ? onToken(res.token) : show(refusal)),
      (err: unknown) => show(err instanceof Error ? err.message : String(err)),
    );
  });
  return show;
}
