/**
 * The FSM as a table: (state, event) -> (state, actions). No sockets, no
 * real timers. Actions are written compactly: `connect`, `drop`,
 * `send OPEN`, `send KEEPALIVE`, `send NOTIFICATION 6/2`, `start hold 240`,
 * `stop connectRetry`, `negotiated`, `established`, `down`, `failed`,
 * `update`, `refresh`.
 */
import { describe, expect, it } from "vitest";
import {
  Afi,
  type Capability,
  emptyNlri,
  MessageHeaderError,
  MessageType,
  type OpenMessage,
  UpdateMessageSubcode,
  updateError,
} from "../wire/index.js";
import { initialState, LargeHoldTime, transition } from "./transition.js";
import { type FsmAction, type FsmConfig, type FsmEvent, type FsmState, State, type Timers } from "./types.js";

const caps: Capability[] = [
  { kind: "multiprotocol", afi: 1, safi: 1 },
  { kind: "route-refresh" },
  { kind: "four-octet-as", asn: 65001 },
];

const config: FsmConfig = {
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

const peerOpen: OpenMessage = {
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

function fmt(a: FsmAction): string {
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
function drive(events: FsmEvent[], cfg: FsmConfig = config): FsmState {
  let s = initialState(cfg);
  for (const e of events) s = transition(cfg, s, e).state;
  return s;
}

const start: FsmEvent = { type: "ManualStart" };
const up: FsmEvent = { type: "TcpCrAcked" };
const open: FsmEvent = { type: "BgpOpen", open: peerOpen };
const ka: FsmEvent = { type: "KeepAliveMsg" };
const toEstablished = [start, up, open, ka];
const update: FsmEvent = {
  type: "UpdateMsg",
  update: {
    type: MessageType.Update,
    withdrawn: emptyNlri(Afi.Ipv4),
    attributes: {},
    nlri: emptyNlri(Afi.Ipv4),
  },
};

interface Row {
  readonly name: string;
  readonly path: FsmEvent[];
  readonly cfg?: Partial<FsmConfig>;
  readonly event: FsmEvent;
  readonly state: State;
  readonly actions: string[];
}

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
];

describe("FSM transition table (RFC 4271 §8.2.2)", () => {
  for (const row of rows) {
    it(row.name, () => {
      const cfg = { ...config, ...row.cfg };
      const from = drive(row.path, cfg);
      const t = transition(cfg, from, row.event);
      expect({ state: t.state.state, actions: t.actions.map(fmt) }).toEqual({
        state: row.state,
        actions: row.actions,
      });
    });
  }
});

describe("FSM bookkeeping", () => {
  const timersOf = (s: FsmState): (keyof Timers)[] =>
    (Object.keys(s.timers) as (keyof Timers)[]).filter((k) => s.timers[k]);

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

  it("carries the RFC 9003 shutdown communication in ManualStop's Cease", () => {
    const t = transition(config, drive(toEstablished), {
      type: "ManualStop",
      communication: "upgrading, back in 5 minutes",
    });
    const sent = t.actions.find((a) => a.type === "send");
    expect(sent).toMatchObject({
      message: { code: 6, subcode: 2, shutdownCommunication: "upgrading, back in 5 minutes" },
    });
  });

  it("sends AS_TRANS in My AS for a 4-octet local AS", () => {
    const cfg = { ...config, localAs: 4200000001 };
    const t = transition(cfg, drive([start], cfg), up);
    expect(t.actions.find((a) => a.type === "send")).toMatchObject({ message: { type: 1, myAs: 23456 } });
  });

  it("sends the NOTIFICATION of an error before OPEN only with SendNOTIFICATIONwithoutOPEN", () => {
    const err: FsmEvent = { type: "BgpHeaderErr", error: new MessageHeaderError("X", 1, "marker") };
    expect(transition(config, drive([start]), err).actions.map(fmt)).not.toContain("send NOTIFICATION 1/1");
    const cfg = { ...config, sendNotificationWithoutOpen: true };
    expect(transition(cfg, drive([start], cfg), err).actions.map(fmt)).toContain("send NOTIFICATION 1/1");
  });
});
