import type { Account, AccountHooks } from '../shared/account.ts';
import { userMessage } from '../shared/errors.ts';
import { toEpochMs } from '../shared/format.ts';
import { localInputToIso } from '../shared/local-time.ts';
import type { Logger } from '../shared/logger.ts';
import { DEFAULT_NOT_READY_REASONS, type NotReadyReasons, reasonLabel } from '../shared/not-ready-reasons.ts';
import { AgentApi, tokenStore, type Me } from './api-client.ts';
import { CoachStream } from './coach.ts';
import type { AgentState, ConsultProgress, ServerMessage } from './agent-messages.ts';
import { AgentSocket, agentSocketUrl } from './agent-socket.ts';
import type { AgentView, CallbackDraft, CallerHistoryView, Filing, NoteDraft, RecordingControl, SentLinks } from './agent-view.ts';
import { AutoAnswer, autoAnswerSetting } from './auto-answer.ts';
import { CallDesk } from './call-desk.ts';
import { ConsultCall } from './consult-call.ts';
import { DeskPhoneConsult } from './desk-phone-consult.ts';
import { DialOut, dialInProgress, dialNoteCallId, dialTarget } from './dial-out.ts';
import { MyCallbacks } from './my-callbacks.ts';
import { startOfDay } from './my-day.ts';
import { Softphone } from './softphone.ts';

/** How often the agent's day is read again while the page is open (besides after each call). */
const MY_DAY_EVERY_MS = 60_000;
/** How often "My callbacks" is read again while the agent is signed in (besides after arranging or cancelling one). */
const MY_CALLBACKS_EVERY_MS = 60_000;
/** The open callbacks "My callbacks" lists at most (the next due; the heading counts them all). */
const MY_CALLBACKS_LIMIT = 100;

/** The page's two note boxes: the customer call's (`note`), and the answered call to a number's in "Call a number" (`dialNote`). */
type NoteSlot = 'note' | 'dialNote';

/** Everything that exists while an agent is signed in; torn down as one on logout. */
interface DeskSession {
  token: string;
  me: Me;
  socket: AgentSocket;
  desk: CallDesk;
  /** answers calls offered to this page's softphone by itself while the agent's Auto-answer is on */
  autoAnswer: AutoAnswer;
  softphone?: Softphone;
  /**
   * the agent's consult (attended transfer) while it is up: about the call on this page's phone, dialled from it; or
   * about the call on their desk phone, dialled from there and followed here
   */
  consult?: ConsultCall | DeskPhoneConsult;
  state: AgentState;
  reason?: string;
  /** the reasons the agent may give for going not ready, and the server's own (for the words of the agent's state) */
  reasons: Pick<NotReadyReasons, 'items' | 'system'>;
  /** the latest read of the reasons (an older answer that comes later is dropped) */
  reasonsRead: number;
  /** the last thing sent was Not ready: a refusal (a reason the admin took off the list, say) reads the list again */
  askedNotReady?: boolean;
  wrapUpEndsAt?: number;
  timer?: ReturnType<typeof setInterval>;
  /** The last call the agent took, while its queue asks for a disposition: shown until the next call. */
  filing?: Filing;
  /** The links sent to the caller of the current call. */
  links?: SentLinks;
  /** The recording of the current call, when it is recorded (its queue records calls) and connected to the agent. */
  recording?: RecordingControl;
  /** The caller's history of the call on screen (read once a call). */
  history?: CallerHistoryView;
  /** The agent's note on the call they talk on or talked on last: shown until the next call, as the disposition form. */
  note?: NoteDraft;
  /** The callback the agent arranges for that same call (its queue calls the caller back, offered to them first). */
  callback?: CallbackDraft;
  /** A supervisor coaching the agent now (their voice plays on this page), who they are, and whether they joined the call. */
  coach?: CoachStream;
  coaching?: { coachId: string; login: string; barge: boolean };
  /** reads "My day" again every minute; `myDayRead`: the latest read (an older answer that comes later is dropped) */
  myDayTimer?: ReturnType<typeof setInterval>;
  myDayRead: number;
  /** "My callbacks": the agent's open personal callbacks, read now, every minute, and after one is arranged or cancelled */
  callbacks: MyCallbacks;
  /** "Call a number": the agent's calls to phone numbers; `dialling`: one is on (as last rendered) */
  dial: DialOut;
  dialling: boolean;
  /** the agent's note on their answered call to a number (no queue): shown, that call on or ended, until the next call to a number */
  dialNote?: NoteDraft;
  /** the agent socket was open once: its next open is a reconnection */
  socketWasOpen: boolean;
}

/**
 * The agent softphone page: sign-in, then the desk (agent socket for state and offers, a registered sip.js
 * phone for the calls, the call desk pairing them). Wires events to the view; owns no DOM itself.
 */
export class AgentApp {
  readonly #view: AgentView;
  readonly #api: AgentApi;
  readonly #log: Logger;
  readonly #origin: string;
  readonly #account: Account;
  #session: DeskSession | undefined;

  /** `account` puts the header's Account panel on the page (shared/account.ts wireAccount) with the app's hooks. */
  constructor(view: AgentView, api: AgentApi, origin: string, log: Logger, account?: (hooks: AccountHooks) => Account) {
    this.#view = view;
    this.#api = api;
    this.#origin = origin;
    this.#log = log;
    this.#account = account?.({
      token: () => this.#session?.token ?? null,
      renewed: (token) => this.#renewed(token),
      signedOut: (message) => void this.logout(message),
    }) ?? { settled: () => Promise.resolve(), close: () => {} };
    view.loginForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.login(view.username.value.trim(), view.password.value);
    });
    view.logout.addEventListener('click', () => void this.logout());
    view.ready.addEventListener('click', () => this.#send({ type: 'ready' }));
    view.notReady.addEventListener('click', () => this.#send({ type: 'not-ready', reason: view.notReadyReason.value }));
    view.wrapupDone.addEventListener('click', () => this.#send({ type: 'wrap-up-done' }));
    view.disposition.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#file(view.dispositionCode.value);
    });
    view.noteForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#saveNote('note', view.noteText.value);
    });
    view.noteText.addEventListener('input', () => this.#noteEdited('note'));
    view.callbackForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#arrangeCallback(view.callbackAt.value, view.callbackNumber.value.trim());
    });
    view.myCallbacksList.addEventListener('click', (e) => {
      // (a row's Cancel, Move, or its Move editor's Keep; a Cancel under way is disabled, and cancels nothing twice)
      const button = e.target instanceof Element ? e.target.closest<HTMLButtonElement>('button[data-call-id]') : null;
      const callbacks = this.#session?.callbacks;
      const callId = button?.dataset.callId;
      if (!callbacks || callId === undefined) return;
      if (button?.dataset.testid === 'my-callback-cancel') void callbacks.cancel(callId);
      else if (button?.dataset.testid === 'my-callback-move') callbacks.openMove(callId);
      else if (button?.dataset.testid === 'my-callback-move-keep') callbacks.keepMove(callId);
    });
    view.myCallbacksList.addEventListener('submit', (e) => {
      // (a row's Move editor: Save, or Enter in its field)
      e.preventDefault();
      const form = e.target instanceof HTMLFormElement ? e.target : null;
      const callId = form?.dataset.callId;
      if (form && callId !== undefined) void this.#session?.callbacks.move(callId, view.callbackMoveValue(form));
    });
    view.myCallbacksList.addEventListener('keydown', (e) => {
      // (Escape in a Move editor: Keep)
      const callId = e.key === 'Escape' && e.target instanceof Element ? e.target.closest<HTMLFormElement>('form[data-call-id]')?.dataset.callId : undefined;
      if (callId === undefined) return;
      e.preventDefault();
      this.#session?.callbacks.keepMove(callId);
    });
    view.linkForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#sendLink(view.linkUrl.value.trim(), view.linkTitle.value.trim());
    });
    view.recordingToggle.addEventListener('click', () => void this.#toggleRecording());
    view.answer.addEventListener('click', () => this.#answer());
    view.autoAnswer.addEventListener('change', () => {
      void view.audio.play().catch(() => {}); // the click unlocks audio playback for the calls answered without one
      const s = this.#session;
      if (!s) return;
      autoAnswerSetting.set(s.me.login, view.autoAnswer.checked);
      s.autoAnswer.update(view.autoAnswer.checked);
    });
    view.decline.addEventListener('click', () => this.#session?.desk.decline());
    view.hold.addEventListener('click', () => void this.#session?.desk.toggleHold());
    view.mute.addEventListener('click', () => {
      const desk = this.#session?.desk;
      desk?.setMuted(!desk.snapshot.muted);
    });
    // A call on another of the agent's devices (a desk phone) is hung up and transferred through the server.
    view.hangup.addEventListener('click', () => {
      const s = this.#session;
      if (s?.desk.snapshot.state === 'elsewhere') void this.#api.hangupCall(s.token).catch((err: unknown) => s.desk.showError(userMessage(err)));
      else s?.desk.hangup();
    });
    view.transfer.addEventListener('click', () => {
      const s = this.#session;
      const target = view.transferQueue.value;
      if (!s || !target) return;
      if (s.desk.snapshot.state === 'elsewhere') void this.#api.transferCall(s.token, target).catch((err: unknown) => s.desk.showError(`Transfer failed (${userMessage(err)}).`));
      else s.desk.transfer(target);
    });
    view.consult.addEventListener('click', () => this.#consult());
    view.consultComplete.addEventListener('click', () => void this.#session?.consult?.complete());
    view.consultConference.addEventListener('click', () => {
      const consult = this.#session?.consult;
      if (consult instanceof ConsultCall) void consult.conference(); // (a desk-phone consult has no Conference)
    });
    view.consultCancel.addEventListener('click', () => this.#session?.consult?.cancel());
    view.dialForm.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#dial();
    });
    view.dialHangup.addEventListener('click', () => void this.#session?.dial.hangUp());
    view.dialNoteForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#saveNote('dialNote', view.dialNoteText.value);
    });
    view.dialNoteText.addEventListener('input', () => this.#noteEdited('dialNote'));
  }

  /** Resumes the session of this tab (token in sessionStorage) or shows the sign-in form. */
  async start(): Promise<void> {
    const token = tokenStore.get();
    if (!token) {
      this.#view.showLogin();
      return;
    }
    try {
      await this.#open(token, await this.#api.me(token));
    } catch (err) {
      // (a token refused with 401: its session ended, or it expired; the server's message says which)
      tokenStore.clear();
      this.#view.showLogin(userMessage(err));
    }
  }

  async login(username: string, password: string): Promise<void> {
    if (!username || !password) {
      this.#view.loginMessage('Enter your user name and password.');
      return;
    }
    this.#view.loginBusy(true);
    this.#view.loginMessage();
    try {
      const { token } = await this.#api.login(username, password);
      const me = await this.#api.me(token);
      tokenStore.set(token);
      await this.#open(token, me);
    } catch (err) {
      this.#log.warn({ err: String(err) }, 'sign-in failed');
      this.#view.loginBusy(false);
      this.#view.loginMessage(userMessage(err));
    }
  }

  async logout(message?: string): Promise<void> {
    const s = this.#session;
    this.#session = undefined;
    tokenStore.clear();
    this.#account.close();
    if (s) {
      clearInterval(s.timer);
      clearInterval(s.myDayTimer);
      s.callbacks.close();
      s.dial.close();
      s.autoAnswer.stop();
      s.consult?.close();
      s.coach?.close();
      s.desk.close();
      s.socket.send({ type: 'logout' });
      s.socket.close();
    }
    this.#view.showLogin(message);
    // Unregistering may wait for the server; the sign-in form does not.
    await s?.softphone?.close();
  }

  async #open(token: string, me: Me): Promise<void> {
    const log = this.#log.child({ agentId: me.id });
    const view = this.#view;
    view.showDesk(me.name || me.login);
    view.deskMessage();
    const desk = new CallDesk(view.audio, log.child({ component: 'call' }));
    const socket = new AgentSocket(agentSocketUrl(this.#origin, token), log.child({ component: 'socket' }));
    const autoAnswer = new AutoAnswer(
      () => {
        log.info({ callId: desk.snapshot.callId }, 'answering automatically');
        this.#answer();
      },
      () => desk.snapshot.state,
      (note) => view.renderAutoAnswer(note),
    );
    view.autoAnswer.checked = autoAnswerSetting.get(me.login);
    const callbacks = new MyCallbacks({
      read: () => this.#api.myCallbacks(s.token, { limit: MY_CALLBACKS_LIMIT }),
      cancel: (callId) => this.#api.cancelMyCallback(s.token, callId),
      move: (callId, at) => this.#api.moveMyCallback(s.token, callId, at),
      render: (snap) => {
        if (this.#session === s) view.renderMyCallbacks(snap);
      },
      failed: (what, err, callId) =>
        log.warn({ callId, err: String(err) }, what === 'read' ? 'no callbacks read' : what === 'cancel' ? 'callback not cancelled' : 'callback not moved'),
      everyMs: MY_CALLBACKS_EVERY_MS,
    });
    const dial = new DialOut({
      read: () => this.#api.outbound(s.token),
      inviter: (number) => {
        const phone = s.softphone;
        const uri = phone && dialTarget(number, phone.uri);
        return uri === undefined ? undefined : phone?.inviter(uri);
      },
      hangUp: () => this.#api.hangupCall(s.token),
      audio: view.dialAudio,
      render: () => {
        if (this.#session === s) this.#renderDial(s);
      },
      log: log.child({ component: 'dial-out' }),
    });
    const s: DeskSession = {
      token, me, socket, desk, autoAnswer, state: 'logged-out', myDayRead: 0, reasonsRead: 0, callbacks, dial, dialling: false, socketWasOpen: false,
      reasons: { items: [...DEFAULT_NOT_READY_REASONS], system: {} },
    };
    this.#session = s;
    desk.on('change', (snap) => {
      if (s.links !== undefined && s.links.callId !== snap.callId) {
        // another call (or none): the last call's links go
        s.links = undefined;
        view.renderLinks(undefined);
        view.clearLinkInputs();
      }
      if (s.history !== undefined && s.history.callId !== snap.callId) {
        s.history = undefined;
        view.renderCallerHistory(undefined);
      }
      // another call (or none): the next one starts unpaused
      if (s.recording !== undefined && s.recording.callId !== snap.callId) s.recording = undefined;
      view.renderCall(snap, s.consult !== undefined);
      this.#renderRecording(s);
      this.#renderState();
      autoAnswer.update(view.autoAnswer.checked);
    });
    socket.on('status', (status) => {
      view.renderSocket(status);
      this.#renderState();
      // (back after a break: the agent's call to a number may have moved on meanwhile, or their right to dial)
      if (status === 'open' && s.socketWasOpen) dial.read();
      if (status === 'open') s.socketWasOpen = true;
    });
    socket.on('message', (msg) => this.#onMessage(msg));
    socket.on('refused', (reason) => {
      // (a password change under way ends this token's sessions: the socket comes back with the new token, see #renewed)
      const token = s.token;
      void this.#account.settled().then(() => {
        if (this.#session === s && s.token === token) void this.logout(`Signed out: ${reason}`);
      });
    });
    view.renderSocket(socket.status);
    view.renderCall(desk.snapshot);
    view.renderConsult(undefined);
    this.#renderRecording(s);
    view.renderDisposition(undefined);
    view.renderNote(undefined);
    view.renderDialNote(undefined);
    view.renderCallback(undefined);
    view.renderCallerHistory(undefined);
    view.renderMyDay(undefined);
    this.#readMyDay(s);
    s.myDayTimer = setInterval(() => this.#readMyDay(s), MY_DAY_EVERY_MS);
    callbacks.start();
    this.#renderState();
    view.renderSip('registering', '');
    this.#readReasons(s, false);
    dial.read();
    void this.#api
      .transferTargets(token)
      .then((targets) => {
        if (this.#session !== s) return;
        view.renderTransferTargets(targets);
        view.renderCall(desk.snapshot, s.consult !== undefined);
      })
      .catch((err: unknown) => log.warn({ err: String(err) }, 'no transfer targets'));
    try {
      const creds = await this.#api.softphone(token);
      if (this.#session !== s) return;
      const phone = new Softphone(creds, log.child({ component: 'softphone' }));
      s.softphone = phone;
      phone.on('registration', (status, detail) => {
        view.renderSip(status, detail);
        this.#renderDial(s);
      });
      phone.on('invitation', (invitation, callId, replaces) => desk.invitation(invitation, callId, replaces));
      await phone.start();
    } catch (err) {
      if (this.#session !== s) return;
      this.#log.warn({ err: String(err) }, 'softphone failed');
      view.renderSip('failed', userMessage(err));
    }
  }

  /**
   * Consults the target chosen in the Transfer list about the call on this page's phone (attended transfer): the
   * caller waits on hold while the agent talks with them, then Complete transfer hands the caller over.
   */
  #consult(): void {
    const s = this.#session;
    const view = this.#view;
    const uri = view.transferQueue.value;
    const call = s?.desk.snapshot;
    if (!s || !call || !uri || s.consult !== undefined || call.callId === undefined || (call.state !== 'active' && call.state !== 'held')) return;
    const phone = s.softphone;
    if (phone === undefined) {
      s.desk.showError("Cannot consult: this page's phone is not connected.");
      return;
    }
    void view.consultAudio.play().catch(() => {}); // (the click unlocks audio playback for the consult call)
    const consult = new ConsultCall(call.callId, { name: view.transferTargetName(), uri }, {
      desk: s.desk,
      inviter: (target) => phone.inviter(target),
      audio: view.consultAudio,
      complete: () => this.#api.completeConsult(s.token),
      showError: (message) => this.#consultError(s, message),
      log: this.#log.child({ component: 'consult', callId: call.callId }),
    });
    this.#followConsult(s, consult);
    void consult.start();
  }

  /**
   * The server's first word on a consult the agent dialled from their desk phone about the call there (the desk shows
   * it elsewhere): its card, Complete transfer and Cancel consult going to the server. A word on any other call, or an
   * end of a consult this page did not follow, changes nothing.
   */
  #deskPhoneConsult(s: DeskSession, callId: string, consultId: string, progress: ConsultProgress, target: string): void {
    const call = s.desk.snapshot;
    if (s.consult !== undefined || progress === 'ended' || call.state !== 'elsewhere' || call.callId !== callId) return;
    this.#followConsult(s, new DeskPhoneConsult(callId, consultId, target, progress, {
      desk: s.desk,
      complete: () => this.#api.completeConsult(s.token),
      cancel: () => this.#api.cancelConsult(s.token),
      showError: (message) => this.#consultError(s, message),
      log: this.#log.child({ component: 'consult', callId, consultId }),
    }));
  }

  /** Makes `consult` the agent's consult: its card shows it, and goes once it ends. */
  #followConsult(s: DeskSession, consult: ConsultCall | DeskPhoneConsult): void {
    s.consult = consult;
    consult.on('change', (c) => {
      if (c.state === 'ended' && s.consult === consult) s.consult = undefined;
      this.#renderConsult(s);
    });
    this.#renderConsult(s);
  }

  /** Why the consult did not work or is over: on the call's error line (the caller may have hung up meanwhile: the call's panel is gone, the desk says it). */
  #consultError(s: DeskSession, message: string): void {
    if (s.desk.snapshot.state === 'idle') this.#view.deskMessage(message);
    else s.desk.showError(message);
  }

  /** The consult's card, and the call's controls it holds back while it is up. */
  #renderConsult(s: DeskSession): void {
    this.#view.renderConsult(s.consult?.snapshot);
    this.#view.renderCall(s.desk.snapshot, s.consult !== undefined);
    this.#renderState();
  }

  /** Answers the call ringing this page's softphone (the Answer button, or auto-answer). */
  #answer(): void {
    void this.#view.audio.play().catch(() => {}); // (a click unlocks audio playback; auto-answer's was the checkbox's)
    void this.#session?.desk.answer();
  }

  /** The agent changed their password: this session's new token, for the API and the events socket (the old one is refused now). */
  #renewed(token: string): void {
    const s = this.#session;
    if (!s) return;
    s.token = token;
    tokenStore.set(token);
    s.socket.reconnect(agentSocketUrl(this.#origin, token));
  }

  #onMessage(msg: ServerMessage): void {
    const s = this.#session;
    if (!s) return;
    switch (msg.type) {
      case 'state': {
        // wrap-up over: its time counts now
        if (s.state === 'wrap-up' && msg.state !== 'wrap-up') this.#readMyDay(s);
        s.state = msg.state;
        s.reason = msg.reason;
        s.askedNotReady = false;
        const ends = msg.wrapUpEndsAt === undefined ? Number.NaN : toEpochMs(msg.wrapUpEndsAt);
        s.wrapUpEndsAt = msg.state === 'wrap-up' && Number.isFinite(ends) ? ends : undefined;
        // a call still to be filed (this page was reloaded after it, say): offer the form for it
        if (msg.unfiledCall !== undefined) {
          this.#startFiling(s, msg.unfiledCall.callId, msg.unfiledCall.queue, msg.unfiledCall.dispositions);
          // (the agent talked on it: their note too, unless they have a call's note open already)
          if (s.note === undefined) this.#startNote(s, msg.unfiledCall.callId, msg.unfiledCall.queue);
        }
        this.#view.deskMessage();
        this.#renderState();
        break;
      }
      case 'offer':
        s.desk.offer(msg.callId, msg.context);
        this.#readHistory(s, msg.callId);
        break;
      case 'connected':
        s.desk.connected(msg.callId, msg.context, msg.device, msg.replaces);
        this.#startRecording(s, msg.callId, msg.recorded);
        // (a consult call is no call of the agent's to file or note: it ends without wrap-up; handed over, the
        // customer's call it became is, and replaces says so)
        if (msg.context.consult === undefined || msg.replaces !== undefined) {
          this.#startFiling(s, msg.callId, msg.context.queue, msg.context.dispositions);
          this.#startNote(s, msg.callId, msg.context.queue);
        }
        this.#readHistory(s, msg.callId);
        break;
      case 'consult':
        if (s.consult?.callId === msg.callId) s.consult.serverSaid(msg.consultId, msg.state, msg.reason);
        else this.#deskPhoneConsult(s, msg.callId, msg.consultId, msg.state, msg.target);
        break;
      case 'outbound':
        s.dial.serverSaid(msg.callId, msg.number, msg.state, msg.reason);
        break;
      case 'recording':
        // (paused or resumed on this page, or in another tab of the agent's)
        if (s.desk.snapshot.callId === msg.callId) {
          s.recording = { callId: msg.callId, paused: msg.paused, busy: s.recording?.callId === msg.callId && s.recording.busy };
          this.#renderRecording(s);
        }
        break;
      case 'offer-cancelled':
        s.desk.ended(msg.callId);
        break;
      case 'call-ended': {
        // (a callback call that ended is done, or back in line: "My callbacks" reads it again)
        const callback = s.desk.snapshot.callId === msg.callId && s.desk.snapshot.context?.callback === true;
        s.desk.ended(msg.callId);
        this.#readMyDay(s);
        if (callback) s.callbacks.refresh();
        break;
      }
      case 'coach':
        this.#coach(s, msg.coachId, msg.sdp, msg.coach);
        break;
      case 'coach-ended':
        if (s.coaching?.coachId === msg.coachId) this.#endCoach(s);
        break;
      case 'coach-barge':
        if (s.coaching?.coachId === msg.coachId) {
          s.coaching.barge = msg.barge;
          void this.#mixCoach(s);
        }
        break;
      case 'error': {
        // (the server says "session ended" before it closes the socket of a token a password change under way
        // replaces: not for the agent to see unless the page keeps that token)
        const token = s.token;
        void this.#account.settled().then(() => {
          if (this.#session === s && s.token === token) this.#view.deskMessage(msg.message);
        });
        // (Not ready refused: the reason may have left the admin's list since it was read)
        if (s.askedNotReady === true) {
          s.askedNotReady = false;
          this.#readReasons(s, true);
        }
        break;
      }
      case 'queues':
        this.#view.showQueues(msg.queues);
        break;
    }
  }

  /** A supervisor's coaching: answered and played here; the view says who. */
  #coach(s: DeskSession, coachId: string, sdp: string, coach: string): void {
    this.#endCoach(s);
    s.coaching = { coachId, login: coach, barge: false };
    CoachStream.answer(coachId, sdp, s.token).then(
      (c) => {
        if (this.#session !== s || s.coaching?.coachId !== coachId) return c.close();
        s.coach = c;
        this.#view.showCoach(coach, false);
        void this.#mixCoach(s); // (the coach may have joined the call meanwhile)
      },
      (err: unknown) => this.#log.warn({ coachId, err: String(err) }, 'coaching could not start'),
    );
  }

  /** Barge-in: the coach's voice into what the softphone sends the caller, or out of it again. */
  async #mixCoach(s: DeskSession): Promise<void> {
    const c = s.coaching;
    if (c === undefined || s.coach === undefined) return;
    const stream = c.barge ? s.coach.stream : null;
    const mixed = c.barge && stream !== null && (await s.desk.mixIn('coach', stream));
    if (s.coaching !== c) return;
    this.#view.showCoach(c.login, mixed);
    if (c.barge && !mixed) this.#view.deskMessage(`${c.login} could not join the call: it is not on this page's phone.`);
    else if (!c.barge) await s.desk.mixIn('coach', null);
  }

  #endCoach(s: DeskSession): void {
    const wasMixed = s.coaching?.barge === true;
    s.coach?.close();
    s.coach = undefined;
    s.coaching = undefined;
    if (wasMixed) void s.desk.mixIn('coach', null);
    this.#view.showCoach(null, false);
  }

  /** The form for a new call (none if its queue has no dispositions); the same call keeps its form as it is. */
  #startFiling(s: DeskSession, callId: string, queue: string, choices: readonly string[]): void {
    if (s.filing?.callId === callId) return;
    s.filing = choices.length > 0 ? { callId, queue, choices, busy: false } : undefined;
    this.#view.renderDisposition(s.filing);
  }

  /**
   * Reads the notes on the call on screen and its customer's earlier calls, once a call (again only after a failure,
   * when the call is connected say). An offer the desk did not take (busy with another call) is not read.
   */
  #readHistory(s: DeskSession, callId: string): void {
    if (s.desk.snapshot.callId !== callId) return;
    if (s.history?.callId === callId && s.history.error === undefined) return;
    const show = (h: CallerHistoryView): void => {
      if (this.#session !== s || s.history?.callId !== callId) return; // another call (or none) meanwhile
      s.history = h;
      this.#view.renderCallerHistory(h);
    };
    s.history = { callId };
    this.#view.renderCallerHistory(s.history);
    this.#api.callerHistory(s.token, callId).then(
      (history) => show({ callId, history }),
      (err: unknown) => {
        this.#log.warn({ callId, err: String(err) }, "no caller's history");
        show({ callId, error: userMessage(err) });
      },
    );
  }

  /**
   * Reads the not-ready reasons the admin set, for the Reason list (labels shown, codes sent) and the words of the agent's
   * state; a failure keeps what the page has (at first its own list: the server's defaults). `keepChoice`: the agent's
   * choice stays while it is still offered (else the first reason is chosen).
   */
  #readReasons(s: DeskSession, keepChoice: boolean): void {
    const read = ++s.reasonsRead;
    this.#api.notReadyReasons(s.token).then(
      (reasons) => {
        if (this.#session !== s || read !== s.reasonsRead) return;
        s.reasons = { items: reasons.items.length > 0 ? reasons.items : s.reasons.items, system: reasons.system };
        this.#view.renderNotReadyReasons(reasons.items, keepChoice);
        this.#renderState();
      },
      (err: unknown) => this.#log.warn({ err: String(err) }, 'no not-ready reasons: the page keeps its list'),
    );
  }

  /** Reads the agent's day (since the browser's midnight); a failure says "figures unavailable" there and nothing else. */
  #readMyDay(s: DeskSession): void {
    const read = ++s.myDayRead;
    const show = (d: Parameters<AgentView['renderMyDay']>[0]): void => {
      if (this.#session === s && read === s.myDayRead) this.#view.renderMyDay(d);
    };
    this.#api.myDay(s.token, startOfDay()).then(show, (err: unknown) => {
      this.#log.warn({ err: String(err) }, 'no figures of the day');
      show(null);
    });
  }

  /** The note form for a new call, empty; the same call keeps its form (and its text) as it is. */
  #startNote(s: DeskSession, callId: string, queue: string): void {
    if (s.note?.callId === callId) return;
    s.note = { callId, queue, busy: false };
    this.#view.renderNote(s.note);
    // (a callback is arranged for the same call as the note: a new call's form starts empty too)
    s.callback = { callId, queue, busy: false };
    this.#view.renderCallback(s.callback);
  }

  /** Draws a note box as its draft now is. */
  #renderNote(s: DeskSession, slot: NoteSlot): void {
    if (slot === 'note') this.#view.renderNote(s.note);
    else this.#view.renderDialNote(s.dialNote);
  }

  /** The agent changed a note: what was said of the last save no longer holds. */
  #noteEdited(slot: NoteSlot): void {
    const s = this.#session;
    const n = s?.[slot];
    if (!s || !n || (n.saved === undefined && n.error === undefined)) return;
    s[slot] = { callId: n.callId, queue: n.queue, busy: n.busy };
    this.#renderNote(s, slot);
  }

  /** Saves the agent's note on its call (again: it replaces the last one; blank: deletes it). The text stays in the form. */
  async #saveNote(slot: NoteSlot, text: string): Promise<void> {
    const s = this.#session;
    const n = s?.[slot];
    if (!s || !n || n.busy) return;
    const show = (patch: Partial<NoteDraft>): void => {
      const now = s[slot];
      if (now?.callId !== n.callId) return; // another call's box came meanwhile
      const next = { ...now, ...patch };
      if (patch.saved === undefined) delete next.saved;
      if (patch.error === undefined) delete next.error;
      s[slot] = next;
      this.#renderNote(s, slot);
    };
    show({ busy: true });
    try {
      show({ busy: false, saved: await this.#api.saveNote(s.token, n.callId, text) });
    } catch (err) {
      show({ busy: false, error: `Not saved: ${userMessage(err)}` });
    }
  }

  /**
   * Arranges a callback of the agent's call: its queue calls the caller back at the chosen local time (blank: as soon as
   * possible) on the number typed (blank: the caller's own). Arranged: says so and empties the form; refused: the server's words.
   */
  async #arrangeCallback(localAt: string, number: string): Promise<void> {
    const s = this.#session;
    const c = s?.callback;
    if (!s || !c || c.busy) return;
    const show = (patch: Partial<CallbackDraft>): boolean => {
      if (s.callback?.callId !== c.callId) return false; // a new call came meanwhile
      s.callback = { callId: c.callId, queue: c.queue, busy: false, ...patch };
      this.#view.renderCallback(s.callback);
      return true;
    };
    let at: string | undefined;
    if (localAt !== '') {
      at = localInputToIso(localAt) ?? undefined;
      if (at === undefined) {
        show({ error: 'Choose a valid date and time (or none: as soon as possible).' });
        return;
      }
    }
    show({ busy: true });
    try {
      const arranged = await this.#api.arrangeCallback(s.token, c.callId, { ...(at ? { at } : {}), ...(number ? { number } : {}) });
      if (show({ arranged })) this.#view.clearCallbackInputs();
      if (this.#session === s) s.callbacks.refresh(); // ("My callbacks" lists it now)
    } catch (err) {
      show({ error: userMessage(err) });
    }
  }

  /**
   * Sends the caller of the current call a link (their page offers to open it). The server checks it (an absolute
   * http(s) URL, a browser caller, at most 20 a call) and its refusal is shown as it put it.
   */
  async #sendLink(url: string, title: string): Promise<void> {
    const s = this.#session;
    const callId = s?.desk.snapshot.callId;
    if (!s || callId === undefined || s.links?.busy) return;
    if (s.links?.callId !== callId) s.links = { callId, sent: [], busy: false };
    const show = (patch: Partial<SentLinks>): void => {
      if (s.links?.callId !== callId) return; // the call changed meanwhile
      s.links = { ...s.links, ...patch };
      if (patch.error === undefined) delete s.links.error;
      this.#view.renderLinks(s.links);
    };
    if (url === '') {
      show({ error: 'Enter the link to send (https://…).' });
      return;
    }
    show({ busy: true });
    try {
      const r = await this.#api.sendLink(s.token, callId, url, title || undefined);
      show({ busy: false, sent: [{ url, title: title || null, customerConnected: r.customerConnected }, ...(s.links?.sent ?? [])] });
      if (s.links?.callId === callId) this.#view.clearLinkInputs();
    } catch (err) {
      show({ busy: false, error: `Not sent: ${userMessage(err)}` });
    }
  }

  /** The recording control of a call connected to the agent: unpaused for a new recorded call, none for one not recorded. */
  #startRecording(s: DeskSession, callId: string, recorded: boolean): void {
    if (s.desk.snapshot.callId !== callId) return; // (the desk is busy with another call)
    if (!recorded) s.recording = undefined;
    else if (s.recording?.callId !== callId) s.recording = { callId, paused: false, busy: false };
    this.#renderRecording(s);
  }

  /** The recording control, while the agent talks on the call (on this page or on another of their devices). */
  #renderRecording(s: DeskSession): void {
    const snap = s.desk.snapshot;
    const talking = snap.state === 'active' || snap.state === 'held' || snap.state === 'elsewhere';
    this.#view.renderRecording(talking && s.recording?.callId === snap.callId ? s.recording : undefined);
  }

  /**
   * Pauses the recording of the agent's call (as while the caller reads out a card number) or resumes it. The server
   * refuses when the call is no longer connected to the agent, say; its refusal is shown as it put it.
   */
  async #toggleRecording(): Promise<void> {
    const s = this.#session;
    const r = s?.recording;
    if (!s || !r || r.busy) return;
    const pause = !r.paused;
    const show = (patch: Partial<RecordingControl>): void => {
      if (s.recording?.callId !== r.callId) return; // the call changed meanwhile
      s.recording = { ...s.recording, ...patch };
      if (patch.error === undefined) delete s.recording.error;
      this.#renderRecording(s);
    };
    show({ busy: true });
    try {
      show({ busy: false, paused: await this.#api.setRecordingPaused(s.token, r.callId, pause) });
    } catch (err) {
      show({ busy: false, error: `${pause ? 'Not paused' : 'Not resumed'}: ${userMessage(err)}` });
    }
  }

  /** Files the last call under a disposition (it may be changed: the last choice counts). */
  async #file(disposition: string): Promise<void> {
    const s = this.#session;
    const f = s?.filing;
    if (!s || !f || !disposition || f.busy) return;
    const show = (patch: Partial<Filing>): void => {
      if (s.filing?.callId !== f.callId) return; // a new call came meanwhile
      s.filing = { ...s.filing, ...patch };
      if (patch.error === undefined) delete s.filing.error;
      this.#view.renderDisposition(s.filing);
    };
    show({ busy: true });
    try {
      await this.#api.setDisposition(s.token, f.callId, disposition);
      show({ busy: false, saved: disposition });
    } catch (err) {
      show({ busy: false, error: `Not saved: ${userMessage(err)}` });
    }
  }

  /** Calls the number typed in "Call a number" from this page's phone, unless the agent has a call or the phone is not registered. */
  #dial(): void {
    const s = this.#session;
    if (!s || !this.#canDial(s)) return;
    void this.#view.dialAudio.play().catch(() => {}); // (the click unlocks audio playback for the call)
    s.dial.dial(this.#view.dialNumber.value);
  }

  /** The agent may call a number now: no call on the desk, no consult, no call to a number, this page's phone registered. */
  #canDial(s: DeskSession): boolean {
    return s.desk.snapshot.state === 'idle' && s.consult === undefined && !dialInProgress(s.dial.snapshot) && s.softphone?.status === 'registered';
  }

  /**
   * "Call a number" (with the note box of an answered call, that call's until the next: dialling again takes it away),
   * and the agent's state controls when a call to a number starts or ends.
   */
  #renderDial(s: DeskSession): void {
    this.#view.renderDial(s.dial.snapshot, this.#canDial(s));
    const noteOn = dialNoteCallId(s.dial.snapshot.call);
    if (noteOn !== s.dialNote?.callId) {
      s.dialNote = noteOn === undefined ? undefined : { callId: noteOn, queue: '', busy: false };
      this.#view.renderDialNote(s.dialNote);
    }
    const dialling = dialInProgress(s.dial.snapshot);
    if (dialling === s.dialling) return;
    s.dialling = dialling;
    this.#renderState();
  }

  #renderState(): void {
    const s = this.#session;
    if (!s) return;
    this.#view.renderDial(s.dial.snapshot, this.#canDial(s));
    const onCall = s.desk.snapshot.state !== 'idle' || s.consult !== undefined || s.dialling;
    this.#view.renderAgentState(s.state, s.reason === undefined ? undefined : reasonLabel(s.reason, s.reasons), s.socket.status === 'open', onCall);
    clearInterval(s.timer);
    s.timer = undefined;
    if (s.state === 'wrap-up') {
      const tick = (): void => {
        this.#view.renderWrapUp(s.wrapUpEndsAt === undefined ? undefined : Math.max(0, (s.wrapUpEndsAt - Date.now()) / 1000));
      };
      tick();
      if (s.wrapUpEndsAt !== undefined) s.timer = setInterval(tick, 250);
    }
  }

  #send(msg: Parameters<AgentSocket['send']>[0]): void {
    const s = this.#session;
    if (!s?.socket.send(msg)) {
      this.#view.deskMessage('Not connected to the server; trying again…');
      return;
    }
    s.askedNotReady = msg.type === 'not-ready';
  }
}

