/**
 * The health state of one real server, as a pure state machine:
 * `step(state, event, policy) -> { state, actions }`. No timers, no sockets:
 * the monitor shell feeds it `tick`s (at `nextWakeAt`) and probe `result`s,
 * and performs the `start-check` actions it returns.
 *
 *     healthy  --fall consecutive failures-->  unhealthy (draining: weight 0,
 *        ^                                       existing connections continue)
 *        |                                          |  drainTimeoutMs
 *        +----rise consecutive successes-------- removed (not a real server)
 *
 * A server that starts `unhealthy` starts `removed` (it never had flows).
 * A check that has not answered `timeoutMs` after it started counts as a
 * failure at the next tick; its late answer is then ignored (results carry
 * the id of the check they answer). Checks start every `intervalMs`, never
 * two at once.
 */
import type { HealthPolicy } from "./health-policy.js";

/** Where the server stands in IPVS: full weight, weight 0, or absent. */
export type Presence = "active" | "draining" | "removed";

export interface CheckRecord {
  readonly at: number;
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface HealthState {
  readonly healthy: boolean;
  readonly presence: Presence;
  /** Consecutive successes / failures so far. */
  readonly successes: number;
  readonly failures: number;
  readonly nextCheckAt: number;
  readonly inFlight?: { readonly id: number; readonly startedAt: number };
  readonly lastCheckId: number;
  /** When the server last turned unhealthy (drain timer start). */
  readonly unhealthySince?: number;
  readonly lastTransitionAt: number;
  readonly last?: CheckRecord;
  readonly checks: number;
}

export type HealthEvent =
  | { readonly type: "tick"; readonly now: number }
  | {
      readonly type: "result";
      readonly now: number;
      readonly id: number;
      readonly ok: boolean;
      readonly latencyMs: number;
      readonly error?: string;
    };

export type HealthAction =
  | { readonly type: "start-check"; readonly id: number; readonly timeoutMs: number }
  | { readonly type: "became-healthy" }
  | { readonly type: "became-unhealthy"; readonly reason: string }
  | { readonly type: "removed" };

export interface HealthStep {
  readonly state: HealthState;
  readonly actions: readonly HealthAction[];
}

export function initialHealth(policy: HealthPolicy, now: number): HealthState {
  const healthy = policy.initial === "healthy";
  return {
    healthy,
    presence: healthy ? "active" : "removed",
    successes: 0,
    failures: 0,
    nextCheckAt: now,
    lastCheckId: 0,
    lastTransitionAt: now,
    checks: 0,
  };
}

/** The IPVS weight class of a server in this state. */
export function weightOf(state: HealthState): "normal" | "zero" | "absent" {
  return state.presence === "active" ? "normal" : state.presence === "draining" ? "zero" : "absent";
}

/** The earliest time the machine needs a `tick`. */
export function nextWakeAt(state: HealthState, policy: HealthPolicy): number {
  const times: number[] = [];
  if (state.inFlight === undefined) times.push(state.nextCheckAt);
  else times.push(state.inFlight.startedAt + policy.timeoutMs);
  if (state.presence === "draining" && state.unhealthySince !== undefined) {
    times.push(state.unhealthySince + policy.drainTimeoutMs);
  }
  return Math.min(...times);
}

function record(
  state: HealthState,
  now: number,
  ok: boolean,
  latencyMs: number,
  error: string | undefined,
  policy: HealthPolicy,
): HealthStep {
  const { inFlight: _done, ...rest } = state;
  const last: CheckRecord =
    error === undefined ? { at: now, ok, latencyMs } : { at: now, ok, latencyMs, error };
  const base: HealthState = { ...rest, last, checks: state.checks + 1 };
  if (ok) {
    const successes = state.successes + 1;
    if (!state.healthy && successes >= policy.rise) {
      const { unhealthySince: _gone, ...healed } = base;
      return {
        state: {
          ...healed,
          healthy: true,
          presence: "active",
          successes,
          failures: 0,
          lastTransitionAt: now,
        },
        actions: [{ type: "became-healthy" }],
      };
    }
    return { state: { ...base, successes, failures: 0 }, actions: [] };
  }
  const failures = state.failures + 1;
  if (state.healthy && failures >= policy.fall) {
    const drains = state.presence === "active" && policy.drainTimeoutMs > 0;
    const actions: HealthAction[] = [{ type: "became-unhealthy", reason: error ?? "check failed" }];
    if (!drains && state.presence !== "removed") actions.push({ type: "removed" });
    return {
      state: {
        ...base,
        healthy: false,
        presence: drains ? "draining" : "removed",
        successes: 0,
        failures,
        unhealthySince: now,
        lastTransitionAt: now,
      },
      actions,
    };
  }
  return { state: { ...base, successes: 0, failures }, actions: [] };
}

export function step(state: HealthState, event: HealthEvent, policy: HealthPolicy): HealthStep {
  if (event.type === "result") {
    if (state.inFlight?.id !== event.id) return { state, actions: [] }; // stale or timed out
    return record(state, event.now, event.ok, event.latencyMs, event.error, policy);
  }
  const now = event.now;
  let current = state;
  const actions: HealthAction[] = [];
  if (current.inFlight !== undefined && now >= current.inFlight.startedAt + policy.timeoutMs) {
    const timedOut = record(
      current,
      now,
      false,
      policy.timeoutMs,
      `timeout after ${policy.timeoutMs} ms`,
      policy,
    );
    current = timedOut.state;
    actions.push(...timedOut.actions);
  }
  if (
    current.presence === "draining" &&
    current.unhealthySince !== undefined &&
    now >= current.unhealthySince + policy.drainTimeoutMs
  ) {
    current = { ...current, presence: "removed", lastTransitionAt: now };
    actions.push({ type: "removed" });
  }
  if (current.inFlight === undefined && now >= current.nextCheckAt) {
    const id = current.lastCheckId + 1;
    // Fixed rate, but never in the past: a slow check does not cause a burst.
    const nextCheckAt = Math.max(current.nextCheckAt + policy.intervalMs, now);
    current = { ...current, lastCheckId: id, inFlight: { id, startedAt: now }, nextCheckAt };
    actions.push({ type: "start-check", id, timeoutMs: policy.timeoutMs });
  }
  return { state: current, actions };
}
