/**
 * ACD routing engine — public API.
 *
 * Pure and deterministic: no I/O, no timers, no imports from the rest of the project. Time is a number of
 * milliseconds you pass in (any epoch; never decreasing). Every input method takes `at` first and, before
 * applying the input, fires every engine timer due at or before `at` (ring timeouts, wrap-up ends,
 * relaxation steps, max-wait overflow, scheduled callbacks, known-agent expiry, the end of a call's own
 * skills' time, position batches).
 * Between inputs, drive the clock with `nextDeadline()` / `advance(now)`.
 *
 * Decisions come out through typed listeners (`engine.on(name, fn)`), synchronously, during the input call
 * that caused them. The arrays passed to listeners are reused: copy them to keep them.
 * Ids are strings (DB uuids / ints as strings); the engine interns them to integers internally.
 * Errors: AcdTypeError (bad argument, `code` like ACD_ERR_UNKNOWN_QUEUE) and AcdStateError (not allowed now,
 * ACD_ERR_INVALID_STATE); ACD_ERROR_HTTP_STATUS maps codes to HTTP statuses. A failed input changes nothing
 * except that due timers have fired.
 *
 * Durable by replay: give `recorder` to log every input (plain JSON objects, AcdInput); `replay(journal)`
 * on a fresh engine rebuilds the identical state (`snapshot()` compares equal).
 *
 * @example
 * import { AcdEngine } from '../acd/index.ts';
 * const acd = new AcdEngine({ ringTimeoutSeconds: 15, maxMissedOffers: 3, logger, recorder: (i) => journal.push(i) });
 * acd.on('offer', (callId, agentIds, kind) => ringAgents(callId, [...agentIds], kind));
 * acd.on('cancelOffer', (callId, agentId, reason) => stopRinging(callId, agentId));
 * acd.on('assigned', (callId, agentId) => bridge(callId, agentId));
 * acd.on('overflow', (callId, target) => ('queue' in target ? log(callId, target.queue) : playAndHangup(callId, target.action)));
 * acd.on('positionChanged', (callId, position, ewtSeconds) => tellCustomer(callId, position, ewtSeconds));
 * acd.on('agentStateChanged', (agentId, state, reason) => pushToDesktop(agentId, state, reason));
 *
 * const t = Date.now();
 * acd.configureQueue(t, 'billing-en', { skills: { billing: 2 }, language: 'en', strategy: 'longest-idle',
 *   priority: 0, wrapUpSeconds: 10, maxWaitSeconds: 300, overflow: { action: 'callback' },
 *   steps: [{ afterSeconds: 30, skills: { billing: 1 } }], serviceLevel: { thresholdSeconds: 20, target: 0.8 } });
 * acd.defineAgent(t, 'agent-7', { skills: { billing: 3 }, languages: { en: 5, de: 2 } });
 * acd.agentLogin(t, 'agent-7');
 * acd.agentReady(t, 'agent-7');
 * acd.callArrived(t, 'call-1', 'billing-en', { language: 'en', context: { page: '/pricing' } }); // -> offer
 * acd.offerAccepted(Date.now(), 'call-1', 'agent-7');  // -> assigned
 * acd.callConnected(Date.now(), 'call-1');
 * acd.callEnded(Date.now(), 'call-1');                  // agent -> wrap-up, ready after 10 s
 * // in the server's timer loop:
 * const next = acd.nextDeadline(); if (next !== null) setTimeout(() => acd.advance(Date.now()), Math.max(0, next - Date.now()));
 *
 * Queueing theory: erlangC / erlangA / staffing in ./queueing.ts. Simulator: ./sim/simulator.ts (simulate(parseScenario(json)));
 * its command line is bench/acd-sim.ts (npm run sim -- scenario.json).
 */
export { AcdEngine, type AgentInfo, type CallInfo, type QueueStatus } from './engine.ts';
export { AgentState, agentTransitionAllowed } from './agent-state.ts';
export { CallState, callTransitionAllowed } from './call-state.ts';
export { ACD_ERROR_HTTP_STATUS, AcdStateError, AcdTypeError, isAcdError, type AcdError, type AcdErrorCode } from './errors.ts';
export { replay } from './replay.ts';
export * from './queueing.ts';
export type {
  AcdEngineOptions,
  AcdEventName,
  AcdEvents,
  AcdInput,
  AcdInputType,
  AcdListener,
  AcdRouter,
  AgentProfile,
  CallKind,
  CallOptions,
  CancelReason,
  Logger,
  OverflowAction,
  OverflowTarget,
  QueueConfig,
  RoutingStep,
  SkillLevels,
  Strategy,
} from './types.ts';
export { STRATEGIES } from './types.ts';
