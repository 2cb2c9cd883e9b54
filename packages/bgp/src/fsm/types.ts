/**
 * The vocabulary of the RFC 4271 §8 finite state machine: states, the
 * timers it runs, the events it consumes and the actions it asks the session
 * shell to perform. Pure data; the transition function is in transition.ts.
 *
 * Events 14/15 (TcpConnection_Valid / Tcp_CR_Invalid) are decided before a
 * connection reaches an FSM: the speaker accepts only configured peers and
 * ranges (RFC 4271 §8.1.4 leaves this to the implementation). Collision
 * detection (§6.8) runs over two FSMs, one per connection, in the speaker; it
 * tells the loser with OpenCollisionDump (event 23).
 */
import type {
  BgpMessage,
  BgpWireError,
  Capability,
  CodecContext,
  FamilyKey,
  NotificationMessage,
  OpenMessage,
  RouteRefreshMessage,
  UpdateMessage,
} from "../wire/index.js";

export const State = {
  Idle: "Idle",
  Connect: "Connect",
  Active: "Active",
  OpenSent: "OpenSent",
  OpenConfirm: "OpenConfirm",
  Established: "Established",
} as const;
export type State = (typeof State)[keyof typeof State];

export const Timer = {
  ConnectRetry: "connectRetry",
  Hold: "hold",
  Keepalive: "keepalive",
  DelayOpen: "delayOpen",
  IdleHold: "idleHold",
  /** Resets the IdleHold backoff once a session has stayed up this long. */
  Stable: "stable",
} as const;
export type Timer = (typeof Timer)[keyof typeof Timer];

/** Static per-peer settings the FSM needs (RFC 4271 §8.1.1 session attributes). */
export interface FsmConfig {
  readonly localAs: number;
  readonly routerId: string;
  /** The peer's AS, or the set a dynamic peer may use. */
  readonly peerAs: number | readonly number[];
  /** Hold time we propose, seconds (0, or >= 3). */
  readonly holdTime: number;
  /** Keepalive interval; default holdTime / 3. */
  readonly keepaliveTime?: number;
  /** Refuse a negotiated hold time below this (0 disables the check). */
  readonly minHoldTime?: number;
  readonly connectRetryTime: number;
  /** PassiveTcpEstablishment: wait for the peer to connect. */
  readonly passive: boolean;
  /** DelayOpen: wait this long for the peer's OPEN before sending ours (0 = off). */
  readonly delayOpenTime: number;
  /** DampPeerOscillations: exponential IdleHold backoff after failures. */
  readonly dampPeerOscillations: boolean;
  readonly idleHoldTime: number;
  readonly maxIdleHoldTime: number;
  /** How long a session must stay up before the backoff resets. */
  readonly stableTime: number;
  /** SendNOTIFICATIONwithoutOPEN. */
  readonly sendNotificationWithoutOpen: boolean;
  /** Restart by itself after a failure (AllowAutomaticStart). */
  readonly allowAutomaticStart: boolean;
  /** What our OPEN advertises. */
  readonly capabilities: readonly Capability[];
}

/** The outcome of the OPEN exchange: one immutable record (negotiate.ts). */
export interface Negotiated {
  readonly peerAs: number;
  readonly peerBgpId: string;
  readonly ibgp: boolean;
  readonly holdTime: number;
  readonly keepaliveTime: number;
  /** AFI/SAFI both sides support. */
  readonly families: readonly FamilyKey[];
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  /** The peer's graceful-restart capability, when it sent one. */
  readonly gracefulRestart?: {
    readonly restarting: boolean;
    readonly notification: boolean;
    readonly restartTime: number;
    readonly families: readonly { readonly family: FamilyKey; readonly forwarding: boolean }[];
  };
  readonly ctx: CodecContext;
  readonly peerOpen: OpenMessage;
}

export interface Timers {
  readonly connectRetry: boolean;
  readonly hold: boolean;
  readonly keepalive: boolean;
  readonly delayOpen: boolean;
  readonly idleHold: boolean;
  readonly stable: boolean;
}

export interface FsmState {
  readonly state: State;
  readonly connectRetryCounter: number;
  /** Current IdleHold backoff, seconds. */
  readonly idleHoldTime: number;
  /** Which timers are running. */
  readonly timers: Timers;
  /** Cleared by ManualStop: an administratively stopped peer stays Idle. */
  readonly autoRestart: boolean;
  /** Set once our OPEN went out on this connection. */
  readonly openSent: boolean;
  readonly negotiated?: Negotiated;
}

/** Why a session left Established (or failed before it), for logs and the RIB. */
export interface DownReason {
  readonly event: FsmEvent["type"];
  /** The NOTIFICATION we sent, if any. */
  readonly sent?: NotificationMessage;
  /** The NOTIFICATION we received, if any. */
  readonly received?: NotificationMessage;
}

export type FsmEvent =
  | { readonly type: "ManualStart" }
  | { readonly type: "ManualStop"; readonly communication?: string }
  | { readonly type: "AutomaticStart" }
  /** e.g. max-prefix: Cease with this subcode, then stay Idle for idleHoldTime. */
  | {
      readonly type: "AutomaticStop";
      readonly subcode: number;
      readonly data?: Uint8Array;
      readonly idleHoldTime?: number;
    }
  | { readonly type: "ConnectRetryTimerExpires" }
  | { readonly type: "HoldTimerExpires" }
  | { readonly type: "KeepaliveTimerExpires" }
  | { readonly type: "DelayOpenTimerExpires" }
  | { readonly type: "IdleHoldTimerExpires" }
  | { readonly type: "StableTimerExpires" }
  /** RFC 9687: our output has not drained for the send hold time. */
  | { readonly type: "SendHoldTimerExpires" }
  /** Event 16: our outgoing connection is up. */
  | { readonly type: "TcpCrAcked" }
  /** Event 17: we accepted the peer's connection. */
  | { readonly type: "TcpConnectionConfirmed" }
  | { readonly type: "TcpConnectionFails" }
  | { readonly type: "BgpOpen"; readonly open: OpenMessage }
  | { readonly type: "BgpHeaderErr"; readonly error: BgpWireError }
  | { readonly type: "BgpOpenMsgErr"; readonly error: BgpWireError }
  | { readonly type: "OpenCollisionDump" }
  | { readonly type: "NotifMsg"; readonly notification: NotificationMessage }
  | { readonly type: "KeepAliveMsg" }
  | { readonly type: "UpdateMsg"; readonly update: UpdateMessage }
  | { readonly type: "UpdateMsgErr"; readonly error: BgpWireError }
  | { readonly type: "RouteRefreshMsg"; readonly message: RouteRefreshMessage };

export type FsmAction =
  | { readonly type: "connect" }
  | { readonly type: "drop-connection" }
  | { readonly type: "send"; readonly message: BgpMessage }
  | { readonly type: "start-timer"; readonly timer: Timer; readonly seconds: number }
  | { readonly type: "stop-timer"; readonly timer: Timer }
  /** The peer's OPEN was accepted: switch the codec to this context now. */
  | { readonly type: "negotiated"; readonly negotiated: Negotiated }
  | { readonly type: "established"; readonly negotiated: Negotiated }
  /** The session left Established: the RIB withdraws (or marks stale) the peer's routes. */
  | { readonly type: "session-down"; readonly reason: DownReason }
  /** A failure before Established (for logs and counters). */
  | { readonly type: "connection-failed"; readonly reason: DownReason }
  | { readonly type: "process-update"; readonly update: UpdateMessage }
  | { readonly type: "process-route-refresh"; readonly message: RouteRefreshMessage };

export interface Transition {
  readonly state: FsmState;
  readonly actions: readonly FsmAction[];
}
