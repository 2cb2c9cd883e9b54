/**
 * The FSM table before a connection carries BGP (RFC 4271 §8.2.2): Idle,
 * Connect (with DelayOpen) and Active, as (state, event) -> (state, actions)
 * rows. Notation: transition.test-support.ts.
 */
import { describe, expect, it } from "vitest";
import { LargeHoldTime } from "./transition.js";
import { expected, ka, open, outcome, type Row, start, up } from "./transition.test-support.js";
import { State } from "./types.js";

const rows: Row[] = [
  // Idle
  {
    name: "Idle + ManualStart -> Connect",
    path: [],
    event: start,
    state: State.Connect,
    actions: ["start connectRetry 30", "connect"],
  },
  {
    name: "Idle + ManualStart (passive) -> Active",
    path: [],
    cfg: { passive: true },
    event: start,
    state: State.Active,
    actions: ["start connectRetry 30"],
  },
  {
    name: "Idle ignores ManualStop",
    path: [],
    event: { type: "ManualStop" },
    state: State.Idle,
    actions: [],
  },
  { name: "Idle ignores a KEEPALIVE", path: [], event: ka, state: State.Idle, actions: [] },
  {
    name: "Idle + IdleHoldTimer -> Connect",
    path: [],
    event: { type: "IdleHoldTimerExpires" },
    state: State.Connect,
    actions: ["start connectRetry 30", "connect"],
  },
  // Connect
  {
    name: "Connect + Tcp_CR_Acked sends OPEN -> OpenSent",
    path: [start],
    event: up,
    state: State.OpenSent,
    actions: ["stop connectRetry", "send OPEN", `start hold ${LargeHoldTime}`],
  },
  {
    name: "Connect + TcpConnectionConfirmed -> OpenSent",
    path: [start],
    event: { type: "TcpConnectionConfirmed" },
    state: State.OpenSent,
    actions: ["stop connectRetry", "send OPEN", `start hold ${LargeHoldTime}`],
  },
  {
    name: "Connect + Tcp_CR_Acked with DelayOpen waits",
    path: [start],
    cfg: { delayOpenTime: 5 },
    event: up,
    state: State.Connect,
    actions: ["stop connectRetry", "start delayOpen 5"],
  },
  {
    name: "Connect + DelayOpenTimer -> OpenSent",
    path: [start, up],
    cfg: { delayOpenTime: 5 },
    event: { type: "DelayOpenTimerExpires" },
    state: State.OpenSent,
    actions: ["stop delayOpen", "send OPEN", `start hold ${LargeHoldTime}`],
  },
  {
    name: "Connect + OPEN during DelayOpen -> OpenConfirm (event 20)",
    path: [start, up],
    cfg: { delayOpenTime: 5 },
    event: open,
    state: State.OpenConfirm,
    actions: [
      "stop delayOpen",
      "send OPEN",
      "negotiated",
      "send KEEPALIVE",
      "start keepalive 10",
      "start hold 30",
    ],
  },
  {
    name: "Connect + ConnectRetryTimer retries",
    path: [start],
    event: { type: "ConnectRetryTimerExpires" },
    state: State.Connect,
    actions: ["start connectRetry 30", "drop", "connect"],
  },
  {
    name: "Connect + TcpConnectionFails -> Idle",
    path: [start],
    event: { type: "TcpConnectionFails" },
    state: State.Idle,
    actions: ["stop connectRetry", "drop", "failed", "start idleHold 1"],
  },
  {
    name: "Connect + TcpConnectionFails during DelayOpen -> Active",
    path: [start, up],
    cfg: { delayOpenTime: 5 },
    event: { type: "TcpConnectionFails" },
    state: State.Active,
    actions: ["stop delayOpen", "start connectRetry 30", "drop"],
  },
  {
    name: "Connect + ManualStop -> Idle, no restart",
    path: [start],
    event: { type: "ManualStop" },
    state: State.Idle,
    actions: ["stop connectRetry", "drop", "failed"],
  },
  {
    name: "Connect + KEEPALIVE -> Idle (unexpected)",
    path: [start],
    event: ka,
    state: State.Idle,
    actions: ["stop connectRetry", "drop", "failed", "start idleHold 1"],
  },
  // Active
  {
    name: "Active + ConnectRetryTimer -> Connect",
    path: [start],
    cfg: { passive: true },
    event: { type: "ConnectRetryTimerExpires" },
    state: State.Connect,
    actions: ["start connectRetry 30", "connect"],
  },
  {
    name: "Active + TcpConnectionConfirmed -> OpenSent",
    path: [start],
    cfg: { passive: true },
    event: { type: "TcpConnectionConfirmed" },
    state: State.OpenSent,
    actions: ["stop connectRetry", "send OPEN", `start hold ${LargeHoldTime}`],
  },
  {
    name: "Active + TcpConnectionFails -> Idle",
    path: [start],
    cfg: { passive: true },
    event: { type: "TcpConnectionFails" },
    state: State.Idle,
    actions: ["stop connectRetry", "drop", "failed", "start idleHold 1"],
  },
  {
    name: "Active + ManualStop -> Idle, no restart",
    path: [start],
    cfg: { passive: true },
    event: { type: "ManualStop" },
    state: State.Idle,
    actions: ["stop connectRetry", "drop", "failed"],
  },
];

describe("FSM table: Idle, Connect, Active (RFC 4271 §8.2.2)", () => {
  for (const row of rows) it(row.name, () => expect(outcome(row)).toEqual(expected(row)));
});
