/** Entry of the supervisors' wall-board page (/supervisor/): sign in, then the live board from /ws/supervisor. */
import { fetchBlob, fetchJson } from '../shared/http.ts';
import { LiveSocket, liveSocketUrl } from '../shared/live-socket.ts';
import { createLogger } from '../shared/logger.ts';
import { sessionTokenStore } from '../shared/session-token.ts';
import { wirePlanning } from './planning.ts';
import { wireSignIn } from '../shared/sign-in.ts';
import {
  type AgentReportRow, type Board, type BoardAgent, type ListenAction, type OpenCallback, type ReportRow, type Voicemail, type VoicemailActions,
  parseBoardMessage, renderAgentHistory, renderBoard, renderCallbacks, renderHistory, renderVoicemails, voicemailCounts,
} from './board.ts';
import { CoachTalk, ListenIn } from './listen.ts';

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
  stopListening();
  stopVoicemail();
  voicemailsSeen = '';
  socket?.close();
  socket = null;
  board = null;
  tokens.clear();
  show(false);
  loginError(message ?? null);
}

/** What went wrong with a supervisor's action, above the board. */
function showError(e: unknown): void {
  $('board-error').textContent = e instanceof Error ? e.message : String(e);
  $('board-error').hidden = false;
}

/** A supervisor's Not ready / Log out on an agent's row (the board shows the change when it comes). */
function agentAction(agentId: number, state: 'not-ready' | 'logged-out'): void {
  $('board-error').hidden = true;
  fetchJson(`/api/agents/${agentId}/state`, { method: 'PUT', body: { state, reason: 'supervisor' }, token: tokens.get() ?? '' }).catch((e: unknown) => {
    log.warn({ agentId, state, err: e instanceof Error ? e.message : String(e) }, 'agent state change refused');
    showError(e);
  });
}

// Listen (silent monitoring): one call at a time; another Listen moves to that call. While listening, Talk to the
// agent (coaching) lets only the agent hear the supervisor.
let listening: ListenIn | null = null;
let coaching: CoachTalk | null = null;
const listen: ListenAction = {
  get callId() {
    return listening?.callId ?? null;
  },
  toggle(agent) {
    if (listening?.callId === agent.callId) stopListening();
    else startListening(agent as BoardAgent & { callId: string });
  },
};

function setLevel(id: string, level: number): void {
  const m = $<HTMLMeterElement>(id);
  m.value = Math.min(m.max, level);
  m.dataset.level = level.toFixed(3);
}

function startListening(agent: BoardAgent & { callId: string }): void {
  stopListening();
  $('board-error').hidden = true;
  $('listen-who').textContent = `Connecting to ${agent.name}'s call…`;
  $('listen-panel').hidden = false;
  const started = ListenIn.start(agent.callId, tokens.get() ?? '', {
    levels(customer, agentLevel) {
      setLevel('listen-customer', customer);
      setLevel('listen-agent', agentLevel);
    },
    ended(message) {
      if (listening?.callId === agent.callId) stopListening();
      showError(message);
    },
  });
  started.then(
    (l) => {
      listening = l;
      $('listen-who').textContent = `Listening to ${agent.name}'s call`;
      $('listen-coach').hidden = false;
      redraw();
    },
    (e: unknown) => {
      $('listen-panel').hidden = true;
      log.warn({ callId: agent.callId, err: e instanceof Error ? e.message : String(e) }, 'listen refused');
      showError(e);
    },
  );
}

function stopCoaching(): void {
  const c = coaching;
  coaching = null;
  setCoaching(false);
  if (c !== null) void c.stop();
}

function setCoaching(on: boolean): void {
  const b = $('listen-coach');
  b.setAttribute('aria-pressed', String(on));
  b.textContent = on ? 'Stop talking to the agent' : 'Talk to the agent';
  $('listen-barge').hidden = !on;
  setBarge(false);
}

function setBarge(on: boolean): void {
  const b = $('listen-barge');
  b.setAttribute('aria-pressed', String(on));
  b.textContent = on ? 'Leave the call (whisper)' : 'Join the call';
}

// Barge-in while coaching: the caller hears the supervisor too (or only the agent again).
$('listen-barge').addEventListener('click', () => {
  const c = coaching;
  if (c === null) return;
  const on = $('listen-barge').getAttribute('aria-pressed') !== 'true';
  $('board-error').hidden = true;
  c.setBarge(on).then(
    () => {
      if (coaching === c) setBarge(on);
    },
    (e: unknown) => showError(e),
  );
});

$('listen-coach').addEventListener('click', () => {
  if (coaching !== null) return stopCoaching();
  const l = listening;
  if (l === null) return;
  $('board-error').hidden = true;
  setCoaching(true);
  CoachTalk.start(l.callId, tokens.get() ?? '').then(
    (c) => {
      if (listening !== l) return void c.stop();
      coaching = c;
    },
    (e: unknown) => {
      setCoaching(false);
      showError(e);
    },
  );
});

function stopListening(): void {
  stopCoaching();
  const l = listening;
  listening = null;
  $('listen-coach').hidden = true;
  $('listen-panel').hidden = true;
  setLevel('listen-customer', 0);
  setLevel('listen-agent', 0);
  if (l !== null) void l.stop();
  redraw();
}
$('listen-stop').addEventListener('click', () => stopListening());

/** The board again (a view that came, the clock, a listen that began or ended); the call listened to ended: stop. */
function redraw(): void {
  if (board === null) return;
  if (listening !== null && !board.agents.some((a) => a.callId === listening!.callId)) stopListening();
  renderBoard(document, board, Date.now(), agentAction, listen);
}

/** The open callbacks, read again when the board's callback counts change (and after a cancel). */
let callbacksSeen = '';
function loadCallbacks(): void {
  fetchJson<{ items: OpenCallback[] }>('/api/callbacks?state=open&limit=100', { token: tokens.get() ?? '' })
    .then((page) => renderCallbacks(document, page.items, cancelCallback))
    .catch(showError);
}

function cancelCallback(callId: string): void {
  $('board-error').hidden = true;
  fetchJson(`/api/callbacks/${encodeURIComponent(callId)}`, { method: 'DELETE', token: tokens.get() ?? '' }).then(loadCallbacks, showError);
}

// Voicemail: the new messages (or, with Show done, those dealt with), read again when a queue's count of new ones
// changes on the board and after each action here.
let voicemailShowing: 'new' | 'done' = 'new';
let voicemailsSeen = '';
/** the latest read asked for: an older answer that comes later is dropped (it would show a list already changed) */
let voicemailRead = 0;
function loadVoicemails(): void {
  const read = ++voicemailRead;
  const showing = voicemailShowing;
  fetchJson<{ items: Voicemail[]; total: number }>(`/api/voicemails?state=${showing}&limit=100`, { token: tokens.get() ?? '' })
    .then((page) => {
      if (read !== voicemailRead) return;
      const names = new Map((board?.queues ?? []).map((q) => [q.id, q.name]));
      renderVoicemails(document, page.items, page.total, showing, names, voicemailActions);
    })
    .catch(showError);
}

/** The voicemail in the player (its blob URL, let go when another comes or the player stops), and the latest Play. */
let voicemailUrl: string | null = null;
let voicemailPlay = 0;
function clearPlayer(): void {
  const player = $<HTMLAudioElement>('voicemail-audio');
  player.pause();
  player.removeAttribute('src');
  delete player.dataset.voicemailId;
  player.load();
  $('voicemail-player').hidden = true;
  if (voicemailUrl !== null) URL.revokeObjectURL(voicemailUrl);
  voicemailUrl = null;
}

/** Stops the player, and drops a Play whose audio is still on its way. */
function stopVoicemail(): void {
  voicemailPlay++;
  clearPlayer();
}

const voicemailActions: VoicemailActions = {
  // (the audio needs the bearer token, which an <audio src> cannot send: fetched as a blob, played from its URL)
  play(v, label) {
    $('board-error').hidden = true;
    const play = ++voicemailPlay;
    fetchBlob(`/api/voicemails/${v.id}/audio`, { token: tokens.get() ?? '' })
      .then((blob) => {
        if (play !== voicemailPlay) return; // another Play (or a stop) meanwhile
        clearPlayer();
        voicemailUrl = URL.createObjectURL(blob);
        const player = $<HTMLAudioElement>('voicemail-audio');
        player.src = voicemailUrl;
        player.dataset.voicemailId = String(v.id);
        $('voicemail-playing').textContent = label;
        $('voicemail-player').hidden = false;
        return player.play();
      })
      .catch(showError);
  },
  setDone(v, done) {
    $('board-error').hidden = true;
    fetchJson(`/api/voicemails/${v.id}`, { method: 'PUT', body: { done }, token: tokens.get() ?? '' }).then(loadVoicemails, showError);
  },
  callBack(v) {
    $('board-error').hidden = true;
    fetchJson(`/api/voicemails/${v.id}/callback`, { method: 'POST', token: tokens.get() ?? '' }).then(() => {
      loadVoicemails();
      loadCallbacks();
    }, showError);
  },
  remove(v) {
    $('board-error').hidden = true;
    // (its audio is gone with it: the player stops if it held that one)
    if ($('voicemail-audio').dataset.voicemailId === String(v.id)) stopVoicemail();
    fetchJson(`/api/voicemails/${v.id}`, { method: 'DELETE', token: tokens.get() ?? '' }).then(loadVoicemails, showError);
  },
};

$('voicemail-show-done').addEventListener('click', () => {
  voicemailShowing = voicemailShowing === 'new' ? 'done' : 'new';
  const b = $('voicemail-show-done');
  b.setAttribute('aria-pressed', String(voicemailShowing === 'done'));
  b.textContent = voicemailShowing === 'done' ? 'Show new' : 'Show done';
  loadVoicemails();
});

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
    redraw();
    const seen = JSON.stringify(m.queues.map((q) => q.callbacks));
    if (seen !== callbacksSeen) {
      callbacksSeen = seen;
      loadCallbacks();
    }
    const counts = voicemailCounts(m);
    if (counts !== voicemailsSeen) {
      voicemailsSeen = counts;
      loadVoicemails();
    }
  });
}

const loginError = wireSignIn(document, ['supervisor', 'admin'], 'The wall-board is for supervisors and admins.', (token) => {
  tokens.set(token);
  connect(token);
});
$('logout').addEventListener('click', () => signOut());

// History: the chosen day by hour, or the week up to it by day, in the browser's time zone.
const dayInput = $<HTMLInputElement>('history-day');
const intervalInput = $<HTMLSelectElement>('history-interval');
const ofInput = $<HTMLSelectElement>('history-of');
const historyError = $<HTMLParagraphElement>('history-error');
dayInput.value = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10);

/** The chosen period: its interval, and the start of each of its hours (the day) or days (the week up to it). */
function period(): { interval: 'hour' | 'day'; slots: Date[] } {
  const [y, m, d] = dayInput.value.split('-').map(Number) as [number, number, number];
  const interval = intervalInput.value === 'day' ? 'day' : 'hour';
  const slots = interval === 'hour' ? Array.from({ length: 24 }, (_, h) => new Date(y, m - 1, d, h)) : Array.from({ length: 7 }, (_, i) => new Date(y, m - 1, d - 6 + i));
  return { interval, slots };
}

function reportQuery(format: 'json' | 'csv'): string {
  const { interval, slots } = period();
  const last = slots[slots.length - 1]!;
  const to = interval === 'hour' ? new Date(last.getTime() + 3_600_000) : new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1);
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const q = new URLSearchParams({ from: slots[0]!.toISOString(), to: to.toISOString(), interval, timeZone, format });
  return `/api/reports/${ofInput.value === 'agents' ? 'agents' : 'queues'}?${q}`;
}

function historyFailed(e: unknown): void {
  historyError.textContent = e instanceof Error ? e.message : String(e);
  historyError.hidden = false;
}

$<HTMLFormElement>('history-form').addEventListener('submit', (e) => {
  e.preventDefault();
  historyError.hidden = true;
  if (!dayInput.value) return historyFailed(new Error('Choose a day.'));
  const { interval, slots } = period();
  const token = tokens.get() ?? '';
  if (ofInput.value === 'agents') {
    fetchJson<{ rows: AgentReportRow[] }>(reportQuery('json'), { token }).then((r) => renderAgentHistory(document, r.rows, interval), historyFailed);
  } else {
    fetchJson<{ rows: ReportRow[] }>(reportQuery('json'), { token }).then((r) => renderHistory(document, r.rows, interval, slots.map((d) => d.toISOString())), historyFailed);
  }
});

$('history-csv').addEventListener('click', () => {
  historyError.hidden = true;
  if (!dayInput.value) return historyFailed(new Error('Choose a day.'));
  fetch(reportQuery('csv'), { headers: { authorization: `Bearer ${tokens.get() ?? ''}` } })
    .then(async (res) => {
      if (!res.ok) throw new Error(`${res.status} ${(await res.text()).slice(0, 200)}`);
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'queues.csv';
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    })
    .catch(historyFailed);
});
// the times that tick (longest wait, time in state) move between the server's views
setInterval(redraw, 1000);

const saved = tokens.get();
if (saved) connect(saved);
else show(false);

wirePlanning(document, () => tokens.get() ?? '');
