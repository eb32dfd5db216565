import { fetchJson } from './http.ts';

/**
 * Wires a page's sign-in form (#login-form with #login-username, #login-password, #login-error): it signs in through
 * POST /api/login and hands `onToken` the session token of a user whose role is allowed; any other role gets
 * `refusal`, a failed sign-in the server's message. Returns how to show a message there later (a session refused).
 */
export function wireSignIn(doc: Document, allowed: readonly string[], refusal: string, onToken: (token: string) => void): (message: string | null) => void {
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
