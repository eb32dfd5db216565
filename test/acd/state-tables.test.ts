import { describe, expect, it } from 'vitest';
import { AGENT_TRANSITIONS, AgentState, agentTransitionAllowed } from '../../acd/agent-state.ts';
import { CALL_TRANSITIONS, CallState, callTransitionAllowed } from '../../acd/call-state.ts';

describe('state machine tables', () => {
  it('agentTransitionAllowed allows exactly the moves of the agent transition table', () => {
    for (const from of Object.values(AgentState)) {
      for (const to of Object.values(AgentState)) expect(agentTransitionAllowed(from, to), `${from} -> ${to}`).toBe(AGENT_TRANSITIONS[from].includes(to));
    }
  });

  it('callTransitionAllowed allows exactly the moves of the call transition table', () => {
    for (const from of Object.values(CallState)) {
      for (const to of Object.values(CallState)) expect(callTransitionAllowed(from, to), `${from} -> ${to}`).toBe(CALL_TRANSITIONS[from].includes(to));
    }
  });
});
