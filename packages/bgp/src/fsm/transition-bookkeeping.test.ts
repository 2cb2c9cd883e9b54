/**
 * What the FSM state records besides the state name: running timers,
 * ConnectRetryCounter, IdleHoldTime damping (DampPeerOscillations, RFC 4271
 * §8.1.1) and the automatic restart that ManualStop turns off.
 */
import { describe, expect, it } from "vitest";
import { transition } from "./transition.js";
import { config, drive, ka, open, start, toEstablished, up } from "./transition.test-support.js";
import { type FsmEvent, type FsmState, State, type Timers } from "./types.js";

const timersOf = (s: FsmState): (keyof Timers)[] =>
  (Object.keys(s.timers) as (keyof Timers)[]).filter((k) => s.timers[k]);

describe("FSM bookkeeping", () => {
  it("tracks running timers", () => {
    expect(timersOf(drive([start]))).toEqual(["connectRetry"]);
    expect(timersOf(drive([start, up, open]))).toEqual(["hold", "keepalive"]);
    expect(timersOf(drive(toEstablished))).toEqual(["hold", "keepalive", "stable"]);
  });

  it("doubles IdleHoldTime on repeated failures up to the cap, and a stable session resets it", () => {
    const fail: FsmEvent = { type: "HoldTimerExpires" };
    const s1 = drive([...toEstablished, fail]);
    expect(s1.idleHoldTime).toBe(2);
    let s = s1;
    for (let i = 0; i < 10; i++) {
      for (const e of [{ type: "IdleHoldTimerExpires" } as const, up, open, ka, fail])
        s = transition(config, s, e).state;
    }
    expect(s.idleHoldTime).toBe(60);
    expect(s.connectRetryCounter).toBe(11);
    for (const e of [
      { type: "IdleHoldTimerExpires" } as const,
      up,
      open,
      ka,
      { type: "StableTimerExpires" } as const,
    ]) {
      s = transition(config, s, e).state;
    }
    expect(s.idleHoldTime).toBe(1);
  });

  it("does not damp without DampPeerOscillations", () => {
    const s = drive([...toEstablished, { type: "HoldTimerExpires" }], {
      ...config,
      dampPeerOscillations: false,
    });
    expect(s.idleHoldTime).toBe(1);
  });

  it("stays down after ManualStop: IdleHoldTimer does not restart it; ManualStart does", () => {
    const stopped = drive([...toEstablished, { type: "ManualStop" }]);
    expect(stopped.autoRestart).toBe(false);
    expect(transition(config, stopped, { type: "IdleHoldTimerExpires" }).state.state).toBe(State.Idle);
    expect(transition(config, stopped, start).state.state).toBe(State.Connect);
  });
});
