/**
 * The RFC 4271 §8.2.2 finite state machine as one pure function:
 * `transition(config, state, event) -> { state, actions }`. No sockets, no
 * clocks: the session shell performs the actions (connect, send, start and
 * stop timers, drop the connection) and feeds back events.
 *
 * Deliberate choices, each allowed by the RFC:
 * - One FSM per TCP connection; the speaker runs collision detection (§6.8)
 *   across them and sends OpenCollisionDump to the loser.
 * - A header or OPEN/UPDATE error in any state sends its own NOTIFICATION
 *   (the RFC lists events 21/22 under "FSM error" in Established; the
 *   precise error helps the peer's operator more).
 * - Unexpected messages send an FSM Error with the RFC 6608 subcode.
 * - DampPeerOscillations: each failure doubles IdleHoldTime (capped); a
 *   session that stays Established for `stableTime` resets it.
 * - RFC 9687 SendHoldTimer expiry sends NOTIFICATION code 8 and drops.
 * - ManualStart resets ConnectRetryCounter; automatic restarts keep
 *   counting, so the counter tells an operator how often the peer failed.
 */
import {
  AsTrans,
  type BgpWireError,
  CeaseSubcode,
  ErrorCode,
  FsmSubcode,
  MessageType,
  type NotificationMessage,
  OpenMessageError,
  OpenMessageSubcode,
} from "../wire/index.js";
import { negotiate } from "./negotiate.js";
import {
  type DownReason,
  type FsmAction,
  type FsmConfig,
  type FsmEvent,
  type FsmState,
  State,
  Timer,
  type Timers,
  type Transition,
} from "./types.js";

/** RFC 4271 §8.2.2: "a large value" for the HoldTimer while waiting for the OPEN; 4 minutes is suggested. */
export const LargeHoldTime = 240;

const noTimers: Timers = {
  connectRetry: false,
  hold: false,
  keepalive: false,
  delayOpen: false,
  idleHold: false,
  stable: false,
};

export function initialState(config: FsmConfig): FsmState {
  return {
    state: State.Idle,
    connectRetryCounter: 0,
    idleHoldTime: config.idleHoldTime,
    timers: noTimers,
    autoRestart: config.allowAutomaticStart,
    openSent: false,
  };
}

/** Builds a transition while tracking which timers run. */
class Step {
  readonly actions: FsmAction[] = [];
  timers: { -readonly [K in keyof Timers]: boolean };
  constructor(
    readonly config: FsmConfig,
    public s: FsmState,
  ) {
    this.timers = { ...s.timers };
  }
  start(timer: Timer, seconds: number): this {
    this.actions.push({ type: "start-timer", timer, seconds });
    this.timers[timer] = true;
    return this;
  }
  stop(timer: Timer): this {
    if (this.timers[timer]) {
      this.actions.push({ type: "stop-timer", timer });
      this.timers[timer] = false;
    }
    return this;
  }
  do(action: FsmAction): this {
    this.actions.push(action);
    return this;
  }
  send(message: NotificationMessage | Parameters<typeof sendOf>[0]): this {
    this.actions.push(sendOf(message));
    return this;
  }
  done(state: State, patch: Partial<FsmState> = {}): Transition {
    return { state: { ...this.s, ...patch, state, timers: { ...this.timers } }, actions: this.actions };
  }
}

function sendOf(message: Extract<FsmAction, { type: "send" }>["message"]): FsmAction {
  return { type: "send", message };
}

function notification(
  code: number,
  subcode: number,
  data: Uint8Array = new Uint8Array(0),
): NotificationMessage {
  return { type: MessageType.Notification, code, subcode, data };
}

function errorNotification(error: BgpWireError): NotificationMessage {
  return notification(error.errorCode, error.subcode, error.data);
}

function ceaseNotification(subcode: number, communication?: string, data?: Uint8Array): NotificationMessage {
  if (communication !== undefined && communication !== "") {
    return { ...notification(ErrorCode.Cease, subcode), shutdownCommunication: communication };
  }
  return notification(ErrorCode.Cease, subcode, data);
}

function fsmError(state: State): NotificationMessage {
  const subcode =
    state === State.OpenSent
      ? FsmSubcode.UnexpectedMessageInOpenSent
      : state === State.OpenConfirm
        ? FsmSubcode.UnexpectedMessageInOpenConfirm
        : state === State.Established
          ? FsmSubcode.UnexpectedMessageInEstablished
          : FsmSubcode.Unspecified;
  return notification(ErrorCode.FiniteStateMachine, subcode);
}

function openMessage(config: FsmConfig): Extract<FsmAction, { type: "send" }>["message"] {
  return {
    type: MessageType.Open,
    version: 4,
    myAs: config.localAs > 0xffff ? AsTrans : config.localAs,
    holdTime: config.holdTime,
    bgpId: config.routerId,
    capabilities: config.capabilities,
  };
}

const keepalive = { type: MessageType.Keepalive } as const;

interface IdleOptions {
  /** ConnectRetryCounter += 1 (else reset to 0 for ManualStop). */
  readonly count: boolean;
  /** Apply peer oscillation damping. */
  readonly damp: boolean;
  readonly sent?: NotificationMessage;
  readonly received?: NotificationMessage;
  /** Override IdleHoldTime for this stop (AutomaticStop, e.g. max-prefix). */
  readonly idleHoldTime?: number;
  readonly manual?: boolean;
}

/** The common exit to Idle: stop timers, drop the connection, report, arm the restart. */
function toIdle(step: Step, event: FsmEvent, opts: IdleOptions): Transition {
  const { config, s } = step;
  if (opts.sent !== undefined) step.send(opts.sent);
  for (const t of [Timer.ConnectRetry, Timer.Hold, Timer.Keepalive, Timer.DelayOpen, Timer.Stable])
    step.stop(t);
  if (s.state !== State.Idle) step.do({ type: "drop-connection" });
  const reason: DownReason = {
    event: event.type,
    ...(opts.sent === undefined ? {} : { sent: opts.sent }),
    ...(opts.received === undefined ? {} : { received: opts.received }),
  };
  step.do({ type: s.state === State.Established ? "session-down" : "connection-failed", reason });
  const damp = opts.damp && config.dampPeerOscillations;
  const autoRestart = opts.manual ? false : s.autoRestart;
  const wait = opts.idleHoldTime ?? s.idleHoldTime;
  if (autoRestart) step.start(Timer.IdleHold, wait);
  return step.done(State.Idle, {
    connectRetryCounter: opts.count ? s.connectRetryCounter + 1 : 0,
    idleHoldTime: damp ? Math.min(Math.max(1, s.idleHoldTime) * 2, config.maxIdleHoldTime) : s.idleHoldTime,
    autoRestart,
    openSent: false,
  });
}

/** Connection up (events 16/17) in Connect or Active. */
function connectionUp(step: Step): Transition {
  const { config } = step;
  step.stop(Timer.ConnectRetry);
  if (config.delayOpenTime > 0) return step.start(Timer.DelayOpen, config.delayOpenTime).done(step.s.state);
  return step
    .send(openMessage(config))
    .start(Timer.Hold, LargeHoldTime)
    .done(State.OpenSent, { openSent: true });
}

/** The peer's OPEN is acceptable: KEEPALIVE, negotiated timers, OpenConfirm. */
function acceptOpen(step: Step, event: Extract<FsmEvent, { type: "BgpOpen" }>): Transition {
  let negotiated: ReturnType<typeof negotiate>;
  try {
    negotiated = negotiate(step.config, event.open);
  } catch (err) {
    if (!(err instanceof OpenMessageError)) throw err;
    return toIdle(
      step,
      { type: "BgpOpenMsgErr", error: err },
      { count: true, damp: true, sent: errorNotification(err) },
    );
  }
  step.stop(Timer.ConnectRetry).stop(Timer.DelayOpen);
  if (!step.s.openSent) step.send(openMessage(step.config));
  step.do({ type: "negotiated", negotiated }).send(keepalive);
  if (negotiated.holdTime > 0) {
    step.start(Timer.Keepalive, negotiated.keepaliveTime).start(Timer.Hold, negotiated.holdTime);
  } else {
    step.stop(Timer.Keepalive).stop(Timer.Hold);
  }
  return step.done(State.OpenConfirm, { negotiated, openSent: true });
}

function start(step: Step, passive: boolean, patch: Partial<FsmState> = {}): Transition {
  const { config } = step;
  step.stop(Timer.IdleHold).start(Timer.ConnectRetry, config.connectRetryTime);
  if (passive) return step.done(State.Active, patch);
  return step.do({ type: "connect" }).done(State.Connect, patch);
}

export function transition(config: FsmConfig, s: FsmState, event: FsmEvent): Transition {
  const step = new Step(config, s);
  const restartsAfterStop =
    event.type === "AutomaticStop" ? { idleHoldTime: event.idleHoldTime ?? s.idleHoldTime } : {};
  // Events with the same meaning in every state but Idle.
  if (s.state !== State.Idle) {
    switch (event.type) {
      case "ManualStart":
      case "AutomaticStart":
      case "IdleHoldTimerExpires":
        return step.done(s.state); // §8.2.2: ignored outside Idle
      case "ManualStop": {
        const sent =
          s.openSent || config.sendNotificationWithoutOpen
            ? ceaseNotification(CeaseSubcode.AdministrativeShutdown, event.communication)
            : undefined;
        return toIdle(step, event, { count: false, damp: false, manual: true, ...(sent ? { sent } : {}) });
      }
      case "AutomaticStop": {
        const sent =
          s.openSent || config.sendNotificationWithoutOpen
            ? ceaseNotification(event.subcode, undefined, event.data)
            : undefined;
        return toIdle(step, event, {
          count: true,
          damp: true,
          ...restartsAfterStop,
          ...(sent ? { sent } : {}),
        });
      }
      case "TcpConnectionFails":
        if ((s.state === State.Connect || s.state === State.Active) && s.timers.delayOpen) {
          step.stop(Timer.DelayOpen).start(Timer.ConnectRetry, config.connectRetryTime);
          return step.do({ type: "drop-connection" }).done(State.Active);
        }
        if (s.state === State.Connect) return toIdle(step, event, { count: false, damp: false });
        if (s.state === State.OpenSent) {
          // §8.2.2 OpenSent event 18: close, restart ConnectRetryTimer, continue listening in Active.
          step.stop(Timer.Hold).start(Timer.ConnectRetry, config.connectRetryTime);
          return step.do({ type: "drop-connection" }).done(State.Active, { openSent: false });
        }
        return toIdle(step, event, { count: true, damp: true });
      case "NotifMsg": {
        const n = event.notification;
        const versionError =
          n.code === ErrorCode.OpenMessage && n.subcode === OpenMessageSubcode.UnsupportedVersionNumber;
        return toIdle(step, event, { count: !versionError, damp: !versionError, received: n });
      }
      case "BgpHeaderErr":
      case "BgpOpenMsgErr":
      case "UpdateMsgErr": {
        const sent =
          s.openSent || config.sendNotificationWithoutOpen || s.state === State.Established
            ? errorNotification(event.error)
            : undefined;
        return toIdle(step, event, { count: true, damp: true, ...(sent ? { sent } : {}) });
      }
      case "SendHoldTimerExpires":
        return toIdle(step, event, {
          count: true,
          damp: true,
          sent: notification(ErrorCode.SendHoldTimerExpired, 0),
        });
      default:
        break;
    }
  }

  switch (s.state) {
    case State.Idle:
      switch (event.type) {
        case "ManualStart":
          return start(step, config.passive, {
            autoRestart: config.allowAutomaticStart,
            connectRetryCounter: 0,
          });
        case "AutomaticStart":
        case "IdleHoldTimerExpires":
          if (!s.autoRestart && event.type === "IdleHoldTimerExpires") return step.done(State.Idle);
          return start(step, config.passive);
        default:
          // §8.2.2 Idle: every other event is ignored (ManualStop included).
          if (event.type !== "ManualStop") return step.done(State.Idle);
          return step.stop(Timer.IdleHold).done(State.Idle, { autoRestart: false });
      }

    case State.Connect:
    case State.Active:
      switch (event.type) {
        case "ConnectRetryTimerExpires":
          step.stop(Timer.DelayOpen).start(Timer.ConnectRetry, config.connectRetryTime);
          if (s.state === State.Connect) step.do({ type: "drop-connection" });
          return step.do({ type: "connect" }).done(State.Connect);
        case "DelayOpenTimerExpires":
          step.stop(Timer.ConnectRetry).stop(Timer.DelayOpen);
          return step
            .send(openMessage(config))
            .start(Timer.Hold, LargeHoldTime)
            .done(State.OpenSent, { openSent: true });
        case "TcpCrAcked":
        case "TcpConnectionConfirmed":
          return connectionUp(step);
        case "BgpOpen":
          // Event 20: an OPEN while DelayOpenTimer runs.
          if (s.timers.delayOpen) return acceptOpen(step, event);
          return toIdle(step, event, { count: true, damp: true });
        default:
          return toIdle(step, event, { count: true, damp: true });
      }

    case State.OpenSent:
      if (event.type === "BgpOpen") return acceptOpen(step, event);
      return afterOpen(step, event);

    case State.OpenConfirm:
      switch (event.type) {
        case "KeepaliveTimerExpires":
          return step.send(keepalive).start(Timer.Keepalive, s.negotiated!.keepaliveTime).done(s.state);
        case "KeepAliveMsg": {
          const negotiated = s.negotiated!;
          if (negotiated.holdTime > 0) step.start(Timer.Hold, negotiated.holdTime);
          step.start(Timer.Stable, config.stableTime);
          return step.do({ type: "established", negotiated }).done(State.Established);
        }
        default:
          return afterOpen(step, event);
      }

    case State.Established:
      switch (event.type) {
        case "KeepaliveTimerExpires":
          return step.send(keepalive).start(Timer.Keepalive, s.negotiated!.keepaliveTime).done(s.state);
        case "StableTimerExpires":
          return step.done(s.state, { idleHoldTime: config.idleHoldTime });
        case "KeepAliveMsg":
          if (s.negotiated!.holdTime > 0) step.start(Timer.Hold, s.negotiated!.holdTime);
          return step.done(s.state);
        case "UpdateMsg":
          if (s.negotiated!.holdTime > 0) step.start(Timer.Hold, s.negotiated!.holdTime);
          return step.do({ type: "process-update", update: event.update }).done(s.state);
        case "RouteRefreshMsg":
          // §4.4: only KEEPALIVE and UPDATE restart the HoldTimer.
          return step.do({ type: "process-route-refresh", message: event.message }).done(s.state);
        default:
          return afterOpen(step, event);
      }
  }
}

/** What OpenSent, OpenConfirm and Established do alike; anything else is an FSM error (RFC 6608). */
function afterOpen(step: Step, event: FsmEvent): Transition {
  const state = step.s.state;
  switch (event.type) {
    case "HoldTimerExpires":
      return toIdle(step, event, {
        count: true,
        damp: true,
        sent: notification(ErrorCode.HoldTimerExpired, 0),
      });
    case "OpenCollisionDump":
      return toIdle(step, event, {
        count: true,
        damp: true,
        sent: ceaseNotification(CeaseSubcode.ConnectionCollisionResolution),
      });
    case "TcpCrAcked":
    case "TcpConnectionConfirmed":
      return step.done(state); // a second connection is the speaker's collision matter (§6.8)
    default:
      return toIdle(step, event, { count: true, damp: true, sent: fsmError(state) });
  }
}
