/**
 * Shared fixtures of the transition tests (transition-*.test.ts): one
 * config, the peer's OPEN, the common events, and the table runner. Rows
 * write actions compactly: `connect`, `drop`, `send OPEN`, `send KEEPALIVE`,
 * `send NOTIFICATION 6/2`, `start hold 240`, `stop connectRetry`,
 * `negotiated`, `established`, `down`, `failed`, `update`, `refresh`.
 * Test code only: no vitest import, so it is harmless if a build picks it up.
 */
import { Afi, type Capability, emptyNlri, MessageType, type OpenMessage } from "../wire/index.js";
import { initialState, transition } from "./transition.js";
import type { FsmAction, FsmConfig, FsmEvent, FsmState, State } from "./types.js";

const caps: Capability[] = [
  { kind: "multiprotocol", afi: 1, safi: 1 },
  { kind: "route-refresh" },
  { kind: "four-octet-as", asn: 65001 },
];

export const config: FsmConfig = {
  localAs: 65001,
  routerId: "198.18.0.1",
  peerAs: 65002,
  holdTime: 90,
  connectRetryTime: 30,
  passive: false,
  delayOpenTime: 0,
  dampPeerOscillations: true,
  idleHoldTime: 1,
  maxIdleHoldTime: 60,
  stableTime: 60,
  sendNotificationWithoutOpen: false,
  allowAutomaticStart: true,
  capabilities: caps,
};

export const peerOpen: OpenMessage = {
  type: MessageType.Open,
  version: 4,
  myAs: 65002,
  holdTime: 30,
  bgpId: "198.18.0.2",
  capabilities: [
    { kind: "multiprotocol", afi: 1, safi: 1 },
    { kind: "four-octet-as", asn: 65002 },
  ],
};

/** One action in the compact notation of the rows. */
export function fmt(a: FsmAction): string {
  switch (a.type) {
    case "send":
      if (a.message.type === MessageType.Notification)
        return `send NOTIFICATION ${a.message.code}/${a.message.subcode}`;
      return `send ${["", "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH"][a.message.type]}`;
    case "start-timer":
      return `start ${a.timer} ${a.seconds}`;
    case "stop-timer":
      return `stop ${a.timer}`;
    case "drop-connection":
      return "drop";
    case "session-down":
      return "down";
    case "connection-failed":
      return "failed";
    case "process-update":
      return "update";
    case "process-route-refresh":
      return "refresh";
    default:
      return a.type;
  }
}

/** Drives the FSM from Idle through `events` and returns the final state. */
export function drive(events: readonly FsmEvent[], cfg: FsmConfig = config): FsmState {
  let s = initialState(cfg);
  for (const e of events) s = transition(cfg, s, e).state;
  return s;
}

export const start: FsmEvent = { type: "ManualStart" };
export const up: FsmEvent = { type: "TcpCrAcked" };
export const open: FsmEvent = { type: "BgpOpen", open: peerOpen };
export const ka: FsmEvent = { type: "KeepAliveMsg" };
export const toEstablished: readonly FsmEvent[] = [start, up, open, ka];
export const update: FsmEvent = {
  type: "UpdateMsg",
  update: {
    type: MessageType.Update,
    withdrawn: emptyNlri(Afi.Ipv4),
    attributes: {},
    nlri: emptyNlri(Afi.Ipv4),
  },
};

/** One row of the (state, event) -> (state, actions) table. */
export interface Row {
  readonly name: string;
  /** Events from Idle that reach the row's starting state. */
  readonly path: readonly FsmEvent[];
  readonly cfg?: Partial<FsmConfig>;
  readonly event: FsmEvent;
  readonly state: State;
  readonly actions: readonly string[];
}

/** What the FSM does for `row`, in the row's own shape, to compare with `expected(row)`. */
export function outcome(row: Row): { state: State; actions: string[] } {
  const cfg = { ...config, ...row.cfg };
  const t = transition(cfg, drive(row.path, cfg), row.event);
  return { state: t.state.state, actions: t.actions.map(fmt) };
}

export function expected(row: Row): { state: State; actions: readonly string[] } {
  return { state: row.state, actions: row.actions };
}
