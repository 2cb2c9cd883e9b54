/**
 * The FSM table in Established (RFC 4271 §8.2.2): messages processed, timers
 * restarted, and every way down (errors, hold and send-hold expiry, stops,
 * NOTIFICATION, TCP failure), as (state, event) -> (state, actions) rows.
 * Notation: transition.test-support.ts.
 */
import { describe, expect, it } from "vitest";
import { UpdateMessageSubcode, updateError } from "../wire/index.js";
import { expected, ka, open, outcome, type Row, toEstablished, update } from "./transition.test-support.js";
import { State } from "./types.js";

const rows: Row[] = [
  // Established
  {
    name: "Established + UPDATE is processed, hold restarted",
    path: toEstablished,
    event: update,
    state: State.Established,
    actions: ["start hold 30", "update"],
  },
  {
    name: "Established + KEEPALIVE restarts hold",
    path: toEstablished,
    event: ka,
    state: State.Established,
    actions: ["start hold 30"],
  },
  {
    name: "Established + ROUTE-REFRESH is processed",
    path: toEstablished,
    event: { type: "RouteRefreshMsg", message: { type: 5, afi: 1, safi: 1, subtype: 0 } },
    state: State.Established,
    actions: ["refresh"],
  },
  {
    name: "Established + KeepaliveTimer",
    path: toEstablished,
    event: { type: "KeepaliveTimerExpires" },
    state: State.Established,
    actions: ["send KEEPALIVE", "start keepalive 10"],
  },
  {
    name: "Established + UPDATE error -> its NOTIFICATION, down",
    path: toEstablished,
    event: { type: "UpdateMsgErr", error: updateError(UpdateMessageSubcode.MalformedAsPath, "X", "bad") },
    state: State.Idle,
    actions: [
      "send NOTIFICATION 3/11",
      "stop hold",
      "stop keepalive",
      "stop stable",
      "drop",
      "down",
      "start idleHold 1",
    ],
  },
  {
    name: "Established + OPEN -> FSM error 5/3",
    path: toEstablished,
    event: open,
    state: State.Idle,
    actions: [
      "send NOTIFICATION 5/3",
      "stop hold",
      "stop keepalive",
      "stop stable",
      "drop",
      "down",
      "start idleHold 1",
    ],
  },
  {
    name: "Established + HoldTimer -> 4/0, down",
    path: toEstablished,
    event: { type: "HoldTimerExpires" },
    state: State.Idle,
    actions: [
      "send NOTIFICATION 4/0",
      "stop hold",
      "stop keepalive",
      "stop stable",
      "drop",
      "down",
      "start idleHold 1",
    ],
  },
  {
    name: "Established + SendHoldTimer -> 8/0 (RFC 9687), down",
    path: toEstablished,
    event: { type: "SendHoldTimerExpires" },
    state: State.Idle,
    actions: [
      "send NOTIFICATION 8/0",
      "stop hold",
      "stop keepalive",
      "stop stable",
      "drop",
      "down",
      "start idleHold 1",
    ],
  },
  {
    name: "Established + ManualStop -> Cease/2, down, no restart",
    path: toEstablished,
    event: { type: "ManualStop" },
    state: State.Idle,
    actions: ["send NOTIFICATION 6/2", "stop hold", "stop keepalive", "stop stable", "drop", "down"],
  },
  {
    name: "Established + max-prefix stop -> Cease/1 and the given idle time",
    path: toEstablished,
    event: { type: "AutomaticStop", subcode: 1, idleHoldTime: 300 },
    state: State.Idle,
    actions: [
      "send NOTIFICATION 6/1",
      "stop hold",
      "stop keepalive",
      "stop stable",
      "drop",
      "down",
      "start idleHold 300",
    ],
  },
  {
    name: "Established + NOTIFICATION -> down",
    path: toEstablished,
    event: { type: "NotifMsg", notification: { type: 3, code: 6, subcode: 2, data: new Uint8Array() } },
    state: State.Idle,
    actions: ["stop hold", "stop keepalive", "stop stable", "drop", "down", "start idleHold 1"],
  },
  {
    name: "Established + TcpConnectionFails -> down",
    path: toEstablished,
    event: { type: "TcpConnectionFails" },
    state: State.Idle,
    actions: ["stop hold", "stop keepalive", "stop stable", "drop", "down", "start idleHold 1"],
  },
  {
    name: "Established ignores a second connection",
    path: toEstablished,
    event: { type: "TcpConnectionConfirmed" },
    state: State.Established,
    actions: [],
  },
  {
    name: "Established + StableTimer stays, no actions",
    path: toEstablished,
    event: { type: "StableTimerExpires" },
    state: State.Established,
    actions: [],
  },
];

describe("FSM table: Established (RFC 4271 §8.2.2)", () => {
  for (const row of rows) it(row.name, () => expect(outcome(row)).toEqual(expected(row)));
});
