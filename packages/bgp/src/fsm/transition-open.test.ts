/**
 * The FSM table while OPENs are exchanged (RFC 4271 §8.2.2): OpenSent and
 * OpenConfirm, negotiation failures, collision dump, FSM errors (RFC 6608),
 * as (state, event) -> (state, actions) rows. Notation:
 * transition.test-support.ts.
 */
import { describe, expect, it } from "vitest";
import { MessageHeaderError } from "../wire/index.js";
import {
  expected,
  ka,
  open,
  outcome,
  peerOpen,
  type Row,
  start,
  up,
  update,
} from "./transition.test-support.js";
import { State } from "./types.js";

const rows: Row[] = [
  // OpenSent
  {
    name: "OpenSent + OPEN -> OpenConfirm, hold min(90,30)",
    path: [start, up],
    event: open,
    state: State.OpenConfirm,
    actions: ["negotiated", "send KEEPALIVE", "start keepalive 10", "start hold 30"],
  },
  {
    name: "OpenSent + OPEN with hold 0 -> no timers",
    path: [start, up],
    event: { type: "BgpOpen", open: { ...peerOpen, holdTime: 0 } },
    state: State.OpenConfirm,
    actions: ["negotiated", "send KEEPALIVE", "stop hold"],
  },
  {
    name: "OpenSent + OPEN from a wrong AS -> NOTIFICATION 2/2",
    path: [start, up],
    event: {
      type: "BgpOpen",
      open: { ...peerOpen, myAs: 65003, capabilities: [{ kind: "four-octet-as", asn: 65003 }] },
    },
    state: State.Idle,
    actions: ["send NOTIFICATION 2/2", "stop hold", "drop", "failed", "start idleHold 1"],
  },
  {
    name: "OpenSent + OPEN with no common family -> NOTIFICATION 2/7",
    path: [start, up],
    event: {
      type: "BgpOpen",
      open: { ...peerOpen, capabilities: [{ kind: "multiprotocol", afi: 2, safi: 1 }] },
    },
    state: State.Idle,
    actions: ["send NOTIFICATION 2/7", "stop hold", "drop", "failed", "start idleHold 1"],
  },
  {
    name: "OpenSent + HoldTimer -> NOTIFICATION 4/0",
    path: [start, up],
    event: { type: "HoldTimerExpires" },
    state: State.Idle,
    actions: ["send NOTIFICATION 4/0", "stop hold", "drop", "failed", "start idleHold 1"],
  },
  {
    name: "OpenSent + KEEPALIVE -> FSM error 5/1 (RFC 6608)",
    path: [start, up],
    event: ka,
    state: State.Idle,
    actions: ["send NOTIFICATION 5/1", "stop hold", "drop", "failed", "start idleHold 1"],
  },
  {
    name: "OpenSent + TcpConnectionFails -> Active",
    path: [start, up],
    event: { type: "TcpConnectionFails" },
    state: State.Active,
    actions: ["stop hold", "start connectRetry 30", "drop"],
  },
  {
    name: "OpenSent + collision dump -> Cease/7",
    path: [start, up],
    event: { type: "OpenCollisionDump" },
    state: State.Idle,
    actions: ["send NOTIFICATION 6/7", "stop hold", "drop", "failed", "start idleHold 1"],
  },
  {
    name: "OpenSent + ManualStop -> Cease/2, no restart",
    path: [start, up],
    event: { type: "ManualStop", communication: "maintenance" },
    state: State.Idle,
    actions: ["send NOTIFICATION 6/2", "stop hold", "drop", "failed"],
  },
  {
    name: "OpenSent + header error -> its NOTIFICATION",
    path: [start, up],
    event: { type: "BgpHeaderErr", error: new MessageHeaderError("X", 2, "bad length") },
    state: State.Idle,
    actions: ["send NOTIFICATION 1/2", "stop hold", "drop", "failed", "start idleHold 1"],
  },
  {
    name: "OpenSent + NOTIFICATION -> Idle",
    path: [start, up],
    event: { type: "NotifMsg", notification: { type: 3, code: 6, subcode: 2, data: new Uint8Array() } },
    state: State.Idle,
    actions: ["stop hold", "drop", "failed", "start idleHold 1"],
  },
  // OpenConfirm
  {
    name: "OpenConfirm + KEEPALIVE -> Established",
    path: [start, up, open],
    event: ka,
    state: State.Established,
    actions: ["start hold 30", "start stable 60", "established"],
  },
  {
    name: "OpenConfirm + KeepaliveTimer sends KEEPALIVE",
    path: [start, up, open],
    event: { type: "KeepaliveTimerExpires" },
    state: State.OpenConfirm,
    actions: ["send KEEPALIVE", "start keepalive 10"],
  },
  {
    name: "OpenConfirm + UPDATE -> FSM error 5/2",
    path: [start, up, open],
    event: update,
    state: State.Idle,
    actions: ["send NOTIFICATION 5/2", "stop hold", "stop keepalive", "drop", "failed", "start idleHold 1"],
  },
  {
    name: "OpenConfirm + HoldTimer -> 4/0",
    path: [start, up, open],
    event: { type: "HoldTimerExpires" },
    state: State.Idle,
    actions: ["send NOTIFICATION 4/0", "stop hold", "stop keepalive", "drop", "failed", "start idleHold 1"],
  },
  {
    name: "OpenConfirm ignores ManualStart",
    path: [start, up, open],
    event: start,
    state: State.OpenConfirm,
    actions: [],
  },
];

describe("FSM table: OpenSent, OpenConfirm (RFC 4271 §8.2.2)", () => {
  for (const row of rows) it(row.name, () => expect(outcome(row)).toEqual(expected(row)));
});
