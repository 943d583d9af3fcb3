/**
 * Tests for the named rate rules and key format (`http-api.md` §6).
 */
import { describe, expect, it } from 'vitest';
import { RATE_RULES, rateKey } from '../../../src/rate-limit/rules.ts';

describe('RATE_RULES', () => {
  it('matches the table of http-api.md §6', () => {
    expect(RATE_RULES).toEqual({
      heartbeat: { limit: 1, window_ms: 5_000 },
      agent_events: { limit: 20, window_ms: 10_000 },
      container_events: { limit: 10, window_ms: 1_000 },
      mayor_message: { limit: 10, window_ms: 60_000 },
      mayor_tool_writes: { limit: 120, window_ms: 60_000 },
      live_ticket: { limit: 10, window_ms: 60_000 },
    });
  });
});

describe('rateKey', () => {
  it.each([
    { scope: 'agent', id: 'a1', rule: 'heartbeat', want: 'agent:a1:heartbeat' },
    { scope: 'agent', id: 'a1', rule: 'agent_events', want: 'agent:a1:agent-events' },
    { scope: 'town', id: 't1', rule: 'mayor_message', want: 'town:t1:mayor-message' },
    { scope: 'town', id: 't1', rule: 'mayor_tool_writes', want: 'town:t1:mayor-tool-writes' },
    { scope: 'town', id: 't1', rule: 'container_events', want: 'town:t1:container-events' },
    { scope: 'user', id: 'sub|42', rule: 'live_ticket', want: 'user:sub|42:live-ticket' },
  ] as const)('$scope/$rule → $want', ({ scope, id, rule, want }) => {
    expect(rateKey(scope, id, rule)).toBe(want);
  });
});
