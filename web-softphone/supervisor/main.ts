/** Entry of the supervisors' wall-board page (/supervisor/): sign in, then the live board from /ws/supervisor. */
import { wireAccount } from '../shared/account.ts';
import { fetchBlob, fetchJson } from '../shared/http.ts';
import { LiveSocket, liveSocketUrl } from '../shared/live-socket.ts';
import { createLogger } from '../shared/logger.ts';
import { sessionTokenStore } from '../shared/session-token.ts';
import { wirePlanning } from './planning.ts';
import { wireSignIn } from '../shared/sign-in.ts';
import {
  type AgentReportRow, type Board, type BoardAgent, type CallbackActions, type DispositionReportRow, type HistoryPeriod, type ListenAction,
  type NotReadyReportRow, type OpenCallback, type ReportRow, type Voicemail, type VoicemailActions, historyChoice, historyDays, historyInterval,
  historyPeriod, parseBoardMessage, renderAgentHistory, renderBoard, renderCallbacks, renderDispositionHistory, renderHistory, renderNotReadyHistory,
  renderVoicemails, voicemailCounts,
} from './board.ts';
import {
  type CallDetail, type CallsFilter, type CallsPage,
  callNames, callsUrl, namesKey, pageMoves, renderCallDetail, renderCallFilters, renderCalls,
} from './calls.ts';
import { type BlockTarget, type BlockedCaller, blockBody, renderBlocked } from './blocked.ts';
import { CoachTalk, ListenIn } from './listen.ts';

const log = createLogger((level, msg, fields) => console[level](`[wall-board] ${msg}`, fields), 'info');
const tokens = sessionTokenStore('callflow.supervisor.token');
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let socket: LiveSocket<NonNullable<ReturnType<typeof parseBoardMessage>>, never> | null = null;
/** the token the socket connected with last (a password change connects it again with the new one) */
let socketToken: string | null = null;
let board: Board | null = null;

function show(signedIn: boolean): void {
  $('login-view').hidden = signedIn;
  $('board-view').hidden = !signedIn;
  $('who').hidden = !signedIn;
}

function signOut(message?: string): void {
  stopListening();
  stopPlayer(voicemailPlayer);
  voicemailsSeen = '';
  resetCallbacks();
  resetCalls();
  resetBlocked();
  socket?.close();
  socket = null;
  socketToken = null;
  board = null;
  tokens.clear();
  account.close();
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

/**
 * A supervisor's Close now / Open now on a queue's card: closed until `until` (ISO), or open again (null). The answer
 * shows at once; the next board has it too.
 */
function queueAction(queueId: number, until: string | null): void {
  $('board-error').hidden = true;
  fetchJson<{ queueId: number; closedUntil: string | null; open: boolean }>(`/api/queues/${queueId}/closed`, { method: 'PUT', body: { until }, token: tokens.get() ?? '' }).then(
    (r) => {
      if (board === null) return;
      board = { ...board, queues: board.queues.map((q) => (q.id === r.queueId ? { ...q, closedUntil: r.closedUntil, open: r.open } : q)) };
      redraw();
    },
    (e: unknown) => {
      log.warn({ queueId, until, err: e instanceof Error ? e.message : String(e) }, 'queue closing refused');
      showError(e);
    },
  );
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
  const started = ListenIn.start(agent.callId, () => tokens.get() ?? '', {
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
  CoachTalk.start(l.callId, () => tokens.get() ?? '').then(
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
  renderBoard(document, board, Date.now(), agentAction, listen, queueAction);
}

/**
 * The open callbacks, read again when the board's callback counts change (and after a cancel or a move). A row whose
 * Move editor is open stays as it is through these (renderCallbacks keeps it).
 */
let callbacksSeen = '';
/** the latest read asked for: an older answer that comes later is dropped (it would show a list already changed) */
let callbacksRead = 0;
function loadCallbacks(): void {
  const read = ++callbacksRead;
  fetchJson<{ items: OpenCallback[] }>('/api/callbacks?state=open&limit=100', { token: tokens.get() ?? '' })
    .then((page) => {
      if (read === callbacksRead) renderCallbacks(document, page.items, callbackActions, board?.agents ?? []);
    })
    .catch(showError);
}

const callbackActions: CallbackActions = {
  cancel(callId) {
    $('board-error').hidden = true;
    fetchJson(`/api/callbacks/${encodeURIComponent(callId)}`, { method: 'DELETE', token: tokens.get() ?? '' }).then(loadCallbacks, showError);
  },
  // (a refusal shows in the callback's row, where the editor stays open)
  move(callId, at) {
    $('board-error').hidden = true;
    return fetchJson(`/api/callbacks/${encodeURIComponent(callId)}`, { method: 'PUT', body: { at }, token: tokens.get() ?? '' }).then(
      () => loadCallbacks(),
      (e: unknown) => {
        log.warn({ callId, at, err: e instanceof Error ? e.message : String(e) }, 'callback move refused');
        throw e;
      },
    );
  },
  // (the list is read again either way: a refusal leaves the row as the server has it)
  handTo(callId, agentId) {
    $('board-error').hidden = true;
    fetchJson(`/api/callbacks/${encodeURIComponent(callId)}`, { method: 'PUT', body: { agentId }, token: tokens.get() ?? '' }).then(loadCallbacks, (e: unknown) => {
      showError(e);
      loadCallbacks();
    });
  },
};

/** Signed out: nothing of the last supervisor's list stays (an open editor neither), and the next sign-in reads it again. */
function resetCallbacks(): void {
  callbacksRead++;
  callbacksSeen = '';
  renderCallbacks(document, [], callbackActions);
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

/**
 * A visible player (what it plays, and an <audio controls>) of audio that needs the bearer token, which an <audio src>
 * cannot send: fetched as a blob and played from its URL, let go when another comes or the player stops. The
 * Voicemail section has one, a call's detail another.
 */
interface Player {
  box: HTMLElement;
  label: HTMLElement;
  audio: HTMLAudioElement;
  /** the blob URL played, and what it is (`playAudio`'s key) */
  url: string | null;
  key: string | null;
  /** the latest Play: an older one whose audio comes later is dropped */
  play: number;
}

const player = (prefix: string): Player => ({ box: $(`${prefix}-player`), label: $(`${prefix}-playing`), audio: $(`${prefix}-audio`), url: null, key: null, play: 0 });
const voicemailPlayer = player('voicemail');
const callPlayer = player('call');
const players = [voicemailPlayer, callPlayer];

function clearPlayer(p: Player): void {
  p.audio.pause();
  p.audio.removeAttribute('src');
  p.audio.load();
  p.box.hidden = true;
  if (p.url !== null) URL.revokeObjectURL(p.url);
  p.url = null;
  p.key = null;
}

/** Stops the player, and drops a Play whose audio is still on its way. */
function stopPlayer(p: Player): void {
  p.play++;
  clearPlayer(p);
}

/** Plays the audio at `url` in `p`: `key` says what it is (to stop it when that goes), `label` what the player shows. */
function playAudio(p: Player, url: string, key: string, label: string): void {
  $('board-error').hidden = true;
  const play = ++p.play;
  fetchBlob(url, { token: tokens.get() ?? '' })
    .then((blob) => {
      if (play !== p.play) return; // another Play (or a stop) meanwhile
      clearPlayer(p);
      for (const other of players) if (other !== p) other.audio.pause(); // (one thing heard at a time)
      p.url = URL.createObjectURL(blob);
      p.key = key;
      p.audio.src = p.url;
      p.label.textContent = label;
      p.box.hidden = false;
      return p.audio.play();
    })
    .catch(showError);
}

const voicemailActions: VoicemailActions = {
  play(v, label) {
    playAudio(voicemailPlayer, `/api/voicemails/${v.id}/audio`, `voicemail ${v.id}`, label);
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
    if (voicemailPlayer.key === `voicemail ${v.id}`) stopPlayer(voicemailPlayer);
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

// Calls: the latest call records, a page at a time, read when the board first comes after sign-in (its queue and
// agent names are needed) and on Reload, Apply, Newer and Older (no live updates: a list that moves by itself is hard
// to read); a call opened from its row shows under the list.
const NO_FILTER: CallsFilter = { queueId: null, agentId: null, disposition: '' };
let callsFilter = NO_FILTER;
let callsOffset = 0;
let callsPage: CallsPage | null = null;
/** the board's queues and agents the filters and names were drawn from ('': none yet, the list not read yet) */
let callsNamesSeen = '';
/** the latest list read asked for: an older answer that comes later is dropped */
let callsRead = 0;
/** the call open in the detail (and what was read of it), and the latest read of one */
let openCallId: string | null = null;
let openCallDetail: CallDetail | null = null;
let callRead = 0;

function loadCalls(): void {
  const read = ++callsRead;
  fetchJson<CallsPage>(callsUrl(callsFilter, callsOffset), { token: tokens.get() ?? '' })
    .then((page) => {
      if (read !== callsRead) return;
      callsPage = page;
      drawCalls();
    })
    .catch(showError);
}

function drawCalls(): void {
  if (callsPage !== null) renderCalls(document, callsPage, callNames(board), openCall, openCallId);
  if (openCallDetail !== null) drawCall(openCallDetail);
}

function drawCall(call: CallDetail): void {
  renderCallDetail(document, call, callNames(board), (r, label) => playAudio(callPlayer, `/api/recordings/${r.id}/audio`, `recording ${r.id}`, label));
}

function openCall(callId: string): void {
  $('board-error').hidden = true;
  const read = ++callRead;
  if (callId !== openCallId) {
    stopPlayer(callPlayer); // (the recording of another call)
    resetCallBlock();
    openCallId = callId;
    if (callsPage !== null) renderCalls(document, callsPage, callNames(board), openCall, openCallId);
  }
  fetchJson<CallDetail>(`/api/calls/${encodeURIComponent(callId)}`, { token: tokens.get() ?? '' })
    .then((call) => {
      if (read !== callRead) return;
      openCallDetail = call;
      drawCall(call);
      $('call-detail').hidden = false;
    })
    .catch((e: unknown) => {
      if (read === callRead) closeCall();
      showError(e);
    });
}

function closeCall(): void {
  callRead++;
  openCallId = null;
  openCallDetail = null;
  stopPlayer(callPlayer);
  resetCallBlock();
  $('call-detail').hidden = true;
  if (callsPage !== null) renderCalls(document, callsPage, callNames(board), openCall, null);
}

/** Signed out: nothing of the last supervisor's list stays, and the next sign-in reads it again. */
function resetCalls(): void {
  closeCall();
  callsRead++;
  callsPage = null;
  callsNamesSeen = '';
  callsFilter = NO_FILTER;
  callsOffset = 0;
  $<HTMLFormElement>('calls-form').reset();
  $('calls').replaceChildren();
  $('calls-count').textContent = '';
}

/** A board came: the filters' choices and the names follow its queues and agents; the first one reads the list. */
function boardForCalls(b: Board): void {
  const key = namesKey(b);
  if (key === callsNamesSeen) return;
  const first = callsNamesSeen === '';
  callsNamesSeen = key;
  renderCallFilters(document, b);
  if (first) loadCalls();
  else drawCalls();
}

$<HTMLFormElement>('calls-form').addEventListener('submit', (e) => {
  e.preventDefault();
  $('board-error').hidden = true;
  const id = (select: string) => Number($<HTMLSelectElement>(select).value) || null;
  callsFilter = { queueId: id('calls-queue-filter'), agentId: id('calls-agent-filter'), disposition: $<HTMLInputElement>('calls-disposition-filter').value.trim() };
  callsOffset = 0;
  loadCalls();
});

$('calls-reload').addEventListener('click', () => {
  $('board-error').hidden = true;
  loadCalls();
  if (openCallId !== null) openCall(openCallId); // (a call in progress moves on)
});

for (const [button, way] of [['calls-newer', 'newer'], ['calls-older', 'older']] as const) {
  $(button).addEventListener('click', () => {
    if (callsPage === null) return;
    const to = pageMoves(callsPage.total, callsPage.offset, callsPage.limit)[way];
    if (to === null) return;
    callsOffset = to;
    loadCalls();
  });
}

$('call-detail-close').addEventListener('click', () => closeCall());

// Blocked callers: the list, read at sign-in, on Reload and after each block or unblock made here. Block caller in a
// call's detail and the number form above the list both block; the server's refusal shows beside them in its words.
let blockedRead = 0;

/** A status line: what was done, or (error) what went wrong; null: none. */
function setStatus(id: string, text: string | null, error = false): void {
  const p = $(id);
  p.textContent = text ?? '';
  p.className = error ? 'error' : 'muted';
  p.hidden = text === null;
}

function loadBlocked(): void {
  const read = ++blockedRead;
  fetchJson<BlockedCaller[]>('/api/blocked-callers', { token: tokens.get() ?? '' }).then(
    (items) => {
      if (read === blockedRead) renderBlocked(document, items, unblock);
    },
    (e: unknown) => {
      if (read === blockedRead) setStatus('blocked-status', e instanceof Error ? e.message : String(e), true);
    },
  );
}

function unblock(b: BlockedCaller): void {
  setStatus('blocked-status', null);
  fetchJson(`/api/blocked-callers/${b.id}`, { method: 'DELETE', token: tokens.get() ?? '' }).then(loadBlocked, (e: unknown) => {
    setStatus('blocked-status', e instanceof Error ? e.message : String(e), true);
    loadBlocked(); // (unblocked by someone else meanwhile, say)
  });
}

/** Blocks `target` with the reason and days of `form` (the call's or the number's); the list is read again after. */
async function block(target: BlockTarget, form: 'call-block' | 'block-number'): Promise<BlockedCaller> {
  const submit = $<HTMLButtonElement>(`${form}-submit`);
  const body = blockBody(target, $<HTMLInputElement>(`${form}-reason`).value, $<HTMLSelectElement>(`${form}-days`).value);
  submit.disabled = true;
  try {
    const b = await fetchJson<BlockedCaller>('/api/blocked-callers', { method: 'POST', body, token: tokens.get() ?? '' });
    loadBlocked();
    return b;
  } finally {
    submit.disabled = false;
  }
}

/** The call's Block caller form closed and empty, nothing said (another call opened, or none). */
function resetCallBlock(): void {
  $<HTMLFormElement>('call-block-form').reset();
  $('call-block-form').hidden = true;
  $('call-block').setAttribute('aria-expanded', 'false');
  setStatus('call-block-status', null);
}

/** Signed out: nothing of the last supervisor's list stays. */
function resetBlocked(): void {
  blockedRead++;
  $('blocked-rows').replaceChildren();
  $<HTMLFormElement>('block-number-form').reset();
  setStatus('blocked-status', null);
}

$('call-block').addEventListener('click', () => {
  const opening = $('call-block-form').hidden;
  resetCallBlock();
  $('call-block-form').hidden = !opening;
  $('call-block').setAttribute('aria-expanded', String(opening));
  if (opening) $('call-block-reason').focus();
});

$<HTMLFormElement>('call-block-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const callId = openCallId;
  if (callId === null) return;
  setStatus('call-block-status', null);
  block({ callId }, 'call-block').then(
    () => {
      if (openCallId !== callId) return; // (another call opened meanwhile)
      resetCallBlock();
      setStatus('call-block-status', 'Caller blocked');
    },
    (err: unknown) => {
      if (openCallId === callId) setStatus('call-block-status', err instanceof Error ? err.message : String(err), true);
    },
  );
});

$<HTMLFormElement>('block-number-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const number = $<HTMLInputElement>('block-number').value.trim();
  if (!number) return setStatus('blocked-status', 'Enter the number to block.', true);
  setStatus('blocked-status', null);
  block({ number }, 'block-number').then(
    (b) => {
      $<HTMLFormElement>('block-number-form').reset();
      setStatus('blocked-status', `Blocked ${b.number ?? number}`);
    },
    (err: unknown) => setStatus('blocked-status', err instanceof Error ? err.message : String(err), true),
  );
});

$('blocked-reload').addEventListener('click', () => {
  setStatus('blocked-status', null);
  loadBlocked();
});

/**
 * The server ended the board's session: signs out, saying `message`, once no password change is under way, and only
 * if the page still has the token the socket was refused with (a password change connects it again with the new one).
 */
function refused(message: string): void {
  const mine = socket;
  const token = socketToken;
  void account.settled().then(() => {
    if (socket === mine && mine !== null && tokens.get() === token) signOut(message);
  });
}

function connect(token: string): void {
  show(true);
  loadBlocked();
  socketToken = token;
  socket = new LiveSocket(liveSocketUrl(location.origin, '/ws/supervisor', token), parseBoardMessage, log.child({ component: 'socket' }), 'supervisor');
  socket.on('status', (s) => ($('live').textContent = s === 'open' ? 'live' : s));
  socket.on('refused', (reason) => refused(`Signed out: ${reason}`));
  socket.on('message', (m) => {
    if (m.type === 'error') {
      log.warn({ message: m.message }, 'the server refused the board');
      refused(m.message);
      return;
    }
    board = m;
    redraw();
    boardForCalls(m);
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

const account = wireAccount(document, {
  token: () => tokens.get(),
  renewed(token) {
    tokens.set(token);
    // (the board's socket, opened with the old token, is closed by the server: again with the new one)
    if (socket !== null) {
      socketToken = token;
      socket.reconnect(liveSocketUrl(location.origin, '/ws/supervisor', token));
    }
  },
  signedOut: (message) => signOut(message),
});

const loginError = wireSignIn(document, ['supervisor', 'admin'], 'The wall-board is for supervisors and admins.', (token) => {
  tokens.set(token);
  connect(token);
});
$('logout').addEventListener('click', () => signOut());

// History: the chosen day, or the 7 or 30 days up to it, by hour (the day only), by day or as a whole period, in the
// browser's time zone; Show and Download CSV ask for the same report.
const dayInput = $<HTMLInputElement>('history-day');
const periodInput = $<HTMLSelectElement>('history-period');
const intervalInput = $<HTMLSelectElement>('history-interval');
const ofInput = $<HTMLSelectElement>('history-of');
const historyError = $<HTMLParagraphElement>('history-error');
dayInput.value = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 10);

/** A change of the period or of "by" changes the other when the two do not go together (by hour: the day only). */
function historyChanged(changed: 'days' | 'by'): void {
  const c = historyChoice(historyDays(periodInput.value), historyInterval(intervalInput.value), changed);
  periodInput.value = String(c.days);
  intervalInput.value = c.by;
}
periodInput.addEventListener('change', () => historyChanged('days'));
intervalInput.addEventListener('change', () => historyChanged('by'));

/** The chosen period and its interval; null when no day is chosen. */
function period(): HistoryPeriod | null {
  return historyPeriod(dayInput.value, historyDays(periodInput.value), historyInterval(intervalInput.value));
}

/** The report the History shows: of queues, agents, dispositions or not-ready time by reason (its path under /api/reports/). */
function report(): 'queues' | 'agents' | 'dispositions' | 'not-ready' {
  return ofInput.value === 'agents' || ofInput.value === 'dispositions' || ofInput.value === 'not-ready' ? ofInput.value : 'queues';
}

function reportQuery(p: HistoryPeriod, format: 'json' | 'csv'): string {
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const q = new URLSearchParams({ from: p.from, to: p.to, interval: p.interval, timeZone, format });
  return `/api/reports/${report()}?${q}`;
}

function historyFailed(e: unknown): void {
  historyError.textContent = e instanceof Error ? e.message : String(e);
  historyError.hidden = false;
}

/** the latest Show: an older answer that comes later is dropped (it would show another period) */
let historyRead = 0;

$<HTMLFormElement>('history-form').addEventListener('submit', (e) => {
  e.preventDefault();
  historyError.hidden = true;
  const p = period();
  if (p === null) return historyFailed(new Error('Choose a day.'));
  const read = ++historyRead;
  const token = tokens.get() ?? '';
  const get = <T>(draw: (rows: T[]) => void) =>
    fetchJson<{ rows: T[] }>(reportQuery(p, 'json'), { token }).then(
      (r) => {
        if (read === historyRead) draw(r.rows);
      },
      (err: unknown) => {
        if (read === historyRead) historyFailed(err);
      },
    );
  if (report() === 'agents') get<AgentReportRow>((rows) => renderAgentHistory(document, rows, p));
  else if (report() === 'dispositions') get<DispositionReportRow>((rows) => renderDispositionHistory(document, rows, p));
  else if (report() === 'not-ready') get<NotReadyReportRow>((rows) => renderNotReadyHistory(document, rows, p));
  else get<ReportRow>((rows) => renderHistory(document, rows, p));
});

$('history-csv').addEventListener('click', () => {
  historyError.hidden = true;
  const p = period();
  if (p === null) return historyFailed(new Error('Choose a day.'));
  fetch(reportQuery(p, 'csv'), { headers: { authorization: `Bearer ${tokens.get() ?? ''}` } })
    .then(async (res) => {
      if (!res.ok) throw new Error(`${res.status} ${(await res.text()).slice(0, 200)}`);
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `${report()}.csv`;
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
