/**
 * Silent monitoring from the wall-board: Listen on a talking agent's row plays the call in this browser, the customer
 * and the agent as two streams (POST /api/calls/{id}/listen gives the server's offer, PUT …/{listenId} takes our
 * answer, DELETE ends it). Nothing is sent: no microphone is asked for, and neither party hears or is told. A level
 * meter per stream shows who is speaking.
 */
import { fetchJson } from '../shared/http.ts';
import { iceGathered } from '../shared/webrtc.ts';

export interface ListenView {
  /** the streams' levels (RMS, 0..1) in the offer's order: customer, agent */
  levels(customer: number, agent: number): void;
  /** listening ended by itself (the call ended, the connection failed); message says why */
  ended(message: string): void;
}

/** How often the meters are read, ms. */
const METER_MS = 200;

/** The supervisor's session token, or how to read it when it is needed (it changes with the password). */
export type SessionToken = string | (() => string);

export class ListenIn {
  readonly callId: string;
  #listenId: string | null = null;
  #pc: RTCPeerConnection | null = null;
  #audio: AudioContext | null = null;
  readonly #analysers: AnalyserNode[] = [];
  readonly #players: HTMLAudioElement[] = [];
  #meter: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  private constructor(callId: string, private readonly session: SessionToken, private readonly view: ListenView) {
    this.callId = callId;
  }

  /** The session's token now (a password change meanwhile gave it a new one). */
  private get token(): string {
    return typeof this.session === 'string' ? this.session : this.session();
  }

  /** Starts listening to callId (the click on Listen is the gesture that lets the page play sound). */
  static async start(callId: string, token: SessionToken, view: ListenView): Promise<ListenIn> {
    const l = new ListenIn(callId, token, view);
    try {
      await l.#connect();
    } catch (err) {
      await l.stop();
      throw err;
    }
    return l;
  }

  async #connect(): Promise<void> {
    // (the AudioContext is made inside the click's task, before any await, so that autoplay rules let it play)
    this.#audio = new AudioContext();
    const path = `/api/calls/${encodeURIComponent(this.callId)}/listen`;
    const offer = await fetchJson<{ listenId: string; sdp: string }>(path, { method: 'POST', token: this.token });
    this.#listenId = offer.listenId;
    const pc = new RTCPeerConnection();
    this.#pc = pc;
    pc.ontrack = (e) => this.#play(e.track);
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') this.#end('The connection to the call was lost.');
    };
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await iceGathered(pc);
    await fetchJson(`${path}/${encodeURIComponent(offer.listenId)}`, { method: 'PUT', body: { sdp: pc.localDescription!.sdp }, token: this.token });
    this.#meter = setInterval(() => this.#readMeters(), METER_MS);
  }

  #play(track: MediaStreamTrack): void {
    const stream = new MediaStream([track]);
    // Chrome hands a remote track's samples to Web Audio only while a media element plays it
    const player = new Audio();
    player.srcObject = stream;
    void player.play().catch(() => undefined);
    this.#players.push(player);
    const analyser = this.#audio!.createAnalyser();
    analyser.fftSize = 2048;
    this.#audio!.createMediaStreamSource(stream).connect(analyser);
    this.#analysers.push(analyser);
  }

  #readMeters(): void {
    const level = (a: AnalyserNode | undefined): number => {
      if (a === undefined) return 0;
      const x = new Float32Array(a.fftSize);
      a.getFloatTimeDomainData(x);
      let sum = 0;
      for (const v of x) sum += v * v;
      return Math.sqrt(sum / x.length);
    };
    this.view.levels(level(this.#analysers[0]), level(this.#analysers[1]));
  }

  #end(message: string): void {
    if (this.#stopped) return;
    void this.stop();
    this.view.ended(message);
  }

  /** Stops listening: the server is told (the call goes on) and the streams close. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#meter);
    this.#pc?.close();
    for (const p of this.#players) p.srcObject = null;
    void this.#audio?.close().catch(() => undefined);
    if (this.#listenId !== null) {
      const path = `/api/calls/${encodeURIComponent(this.callId)}/listen/${encodeURIComponent(this.#listenId)}`;
      // (a call that ended took its listens with it: 404 then)
      await fetchJson(path, { method: 'DELETE', token: this.token }).catch(() => undefined);
    }
  }
}

/**
 * Coaching (whisper): the supervisor talks to the agent of the call listened to; only the agent hears it, on their
 * agent page (POST /api/calls/{id}/coach with this browser's offer of its microphone; DELETE …/{coachId} ends it).
 * setBarge(true) joins the call (PUT …/{coachId}): the agent's browser softphone mixes this voice in for the caller.
 */
export class CoachTalk {
  #pc: RTCPeerConnection | null = null;
  #mic: MediaStream | null = null;
  #coachId: string | null = null;
  #stopped = false;

  private constructor(readonly callId: string, private readonly session: SessionToken) {}

  /** The session's token now (a password change meanwhile gave it a new one). */
  private get token(): string {
    return typeof this.session === 'string' ? this.session : this.session();
  }

  static async start(callId: string, session: SessionToken): Promise<CoachTalk> {
    const c = new CoachTalk(callId, session);
    const token = c.token;
    try {
      c.#mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      const pc = new RTCPeerConnection();
      c.#pc = pc;
      for (const t of c.#mic.getAudioTracks()) pc.addTransceiver(t, { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      await iceGathered(pc);
      const r = await fetchJson<{ coachId: string; sdp: string }>(`/api/calls/${encodeURIComponent(callId)}/coach`, { method: 'POST', body: { sdp: pc.localDescription!.sdp }, token });
      c.#coachId = r.coachId;
      await pc.setRemoteDescription({ type: 'answer', sdp: r.sdp });
    } catch (err) {
      await c.stop();
      throw err;
    }
    return c;
  }

  /** Joins the call (barge: the caller hears this microphone too) or goes back to talking to the agent only. */
  async setBarge(barge: boolean): Promise<void> {
    if (this.#coachId === null || this.#stopped) return;
    await fetchJson(`/api/calls/${encodeURIComponent(this.callId)}/coach/${encodeURIComponent(this.#coachId)}`, { method: 'PUT', body: { barge }, token: this.token });
  }

  /** Stops talking to the agent (the server is told; the call goes on). Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#pc?.close();
    for (const t of this.#mic?.getTracks() ?? []) t.stop();
    if (this.#coachId !== null) {
      await fetchJson(`/api/calls/${encodeURIComponent(this.callId)}/coach/${encodeURIComponent(this.#coachId)}`, { method: 'DELETE', token: this.token }).catch(() => undefined);
    }
  }
}
