/** Entry of the supervisors' wall-board page (/supervisor/): sign in, then the live board from /ws/supervisor. */
import { fetchJson } from '../shared/http.ts';
import { LiveSocket, liveSocketUrl } from '../shared/live-socket.ts';
import { createLogger } from '../shared/logger.ts';
import { sessionTokenStore } from '../shared/session-token.ts';
import { type Board, parseBoardMessage, renderBoard } from './board.ts';

const log = createLogger((level, msg, fields) => console[level](`[wall-board] ${msg}`, fields), 'info');
const tokens = sessionTokenStore('callflow.supervisor.token');
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let socket: LiveSocket<NonNullable<ReturnType<typeof parseBoardMessage>>, never> | null = null;
let board: Board | null = null;

function show(signedIn: boolean): void {
  $('login-view').hidden = signedIn;
  $('board-view').hidden = !signedIn;
  $('who').hidden = !signedIn;
}

function signOut(message?: string): void {
  socket?.close();
  socket = null;
  board = null;
  tokens.clear();
  show(false);
  const err = $<HTMLParagraphElement>('login-error');
  err.hidden = message === undefined;
  err.textContent = message ?? '';
}

function connect(token: string): void {
  show(true);
  socket = new LiveSocket(liveSocketUrl(location.origin, '/ws/supervisor', token), parseBoardMessage, log.child({ component: 'socket' }), 'supervisor');
  socket.on('status', (s) => ($('live').textContent = s === 'open' ? 'live' : s));
  socket.on('refused', (reason) => signOut(`Signed out: ${reason}`));
  socket.on('message', (m) => {
    if (m.type === 'error') {
      log.warn({ message: m.message }, 'the server refused the board');
      signOut(m.message);
      return;
    }
    board = m;
    renderBoard(document, m, Date.now());
  });
}

$<HTMLFormElement>('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const username = $<HTMLInputElement>('login-username').value.trim();
  const password = $<HTMLInputElement>('login-password').value;
  const err = $<HTMLParagraphElement>('login-error');
  err.hidden = true;
  fetchJson<{ token: string; role: string }>('/api/login', { method: 'POST', body: { username, password } }).then(
    (res) => {
      if (res.role !== 'supervisor' && res.role !== 'admin') {
        err.textContent = 'The wall-board is for supervisors and admins.';
        err.hidden = false;
        return;
      }
      tokens.set(res.token);
      connect(res.token);
    },
    (e2: unknown) => {
      err.textContent = e2 instanceof Error ? e2.message : String(e2);
      err.hidden = false;
    },
  );
});
$('logout').addEventListener('click', () => signOut());
// the times that tick (longest wait, time in state) move between the server's views
setInterval(() => {
  if (board !== null) renderBoard(document, board, Date.now());
}, 1000);

const saved = tokens.get();
if (saved) connect(saved);
else show(false);
