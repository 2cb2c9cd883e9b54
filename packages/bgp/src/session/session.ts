/**
 * The session shell: performs the pure FSM's actions over one Duplex stream
 * at a time (a `net.Socket` in production, `memoryPair()` in tests) with an
 * injectable clock. It owns the only sockets and timers of a BGP session.
 *
 * Receive path: stream 'data' -> Framer -> decodeMessage(frame, ctx) -> an
 * FSM event (BgpOpen, UpdateMsg, ...; a BgpWireError becomes BgpHeaderErr /
 * BgpOpenMsgErr / UpdateMsgErr). Send path: FSM `send` actions and
 * `sendUpdate()` -> encodeMessage -> stream.write.
 *
 * The codec context switches at the `negotiated` action (when the peer's
 * OPEN is accepted), before any UPDATE can arrive. RFC 9687: when our
 * writes stop draining for the send hold time, SendHoldTimerExpires ends the
 * session. Events from a stream that was already dropped are ignored.
 */
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { type Logger, pino } from "pino";
import { initialState, transition } from "../fsm/transition.js";
import {
  type DownReason,
  type FsmAction,
  type FsmConfig,
  type FsmEvent,
  type FsmState,
  type Negotiated,
  State,
  Timer,
} from "../fsm/types.js";
import {
  type BgpMessage,
  BgpWireError,
  type CodecContext,
  decodeMessage,
  defaultContext,
  encodeMessage,
  Framer,
  MessageHeaderError,
  MessageType,
  maxMessageLength,
  OpenMessageError,
  type RouteRefreshMessage,
  type UpdateMessage,
} from "../wire/index.js";
import { type Clock, systemClock, type TimerHandle } from "./clock.js";

export interface SessionOptions {
  readonly config: FsmConfig;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Opens an outgoing connection (active side); the stream must emit 'connect'. */
  readonly connect?: () => Duplex;
  /** RFC 9687 send hold time in seconds; default max(480, 2 x hold time). */
  readonly sendHoldTime?: number;
  /** Scales timers by a factor in [0.75, 1] (RFC 4271 §10 jitter); injectable for tests. */
  readonly jitter?: (seconds: number, timer: Timer) => number;
}

export interface SessionEvents {
  state: [from: State, to: State];
  established: [negotiated: Negotiated];
  down: [reason: DownReason];
  failed: [reason: DownReason];
  update: [update: UpdateMessage];
  "route-refresh": [message: RouteRefreshMessage];
}

const expiryEvent: Record<Timer, FsmEvent["type"]> = {
  connectRetry: "ConnectRetryTimerExpires",
  hold: "HoldTimerExpires",
  keepalive: "KeepaliveTimerExpires",
  delayOpen: "DelayOpenTimerExpires",
  idleHold: "IdleHoldTimerExpires",
  stable: "StableTimerExpires",
};

function defaultJitter(seconds: number, timer: Timer): number {
  return timer === Timer.Keepalive || timer === Timer.ConnectRetry
    ? seconds * (0.75 + Math.random() * 0.25)
    : seconds;
}

export class Session extends EventEmitter<SessionEvents> {
  readonly config: FsmConfig;
  #fsm: FsmState;
  #clock: Clock;
  #log: Logger;
  #connect: (() => Duplex) | undefined;
  #jitter: (seconds: number, timer: Timer) => number;
  #sendHoldOverride: number | undefined;
  #stream: Duplex | undefined;
  #generation = 0;
  #framer = new Framer();
  #ctx: CodecContext = defaultContext;
  #timers = new Map<Timer, TimerHandle>();
  #sendHold: TimerHandle | undefined;
  #queue: FsmEvent[] = [];
  #dispatching = false;

  constructor(options: SessionOptions) {
    super();
    this.config = options.config;
    this.#fsm = initialState(options.config);
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger ?? pino({ level: "silent" });
    this.#connect = options.connect;
    this.#jitter = options.jitter ?? defaultJitter;
    this.#sendHoldOverride = options.sendHoldTime;
  }

  get state(): State {
    return this.#fsm.state;
  }

  get fsm(): FsmState {
    return this.#fsm;
  }

  /** The connection in use, if any (a net.Socket in production). */
  get stream(): Duplex | undefined {
    return this.#stream;
  }

  /** The codec context in force (negotiated once the peer's OPEN is accepted). */
  get context(): CodecContext {
    return this.#ctx;
  }

  start(): void {
    this.dispatch({ type: "ManualStart" });
  }

  /** Cease/Administrative Shutdown with an optional RFC 9003 message; stays down. */
  stop(communication?: string): void {
    this.dispatch(
      communication === undefined ? { type: "ManualStop" } : { type: "ManualStop", communication },
    );
  }

  /** Ends the session with Cease/`subcode` and stays Idle for `idleHoldTime` s (e.g. max-prefix). */
  cease(subcode: number, idleHoldTime?: number): void {
    this.dispatch(
      idleHoldTime === undefined
        ? { type: "AutomaticStop", subcode }
        : { type: "AutomaticStop", subcode, idleHoldTime },
    );
  }

  /** Hands the session a connection the peer opened to us (event 17). */
  accept(stream: Duplex): void {
    if (this.#stream !== undefined || (this.state !== State.Active && this.state !== State.Connect)) {
      this.#log.info({ state: this.state }, "refusing a second connection");
      stream.destroy();
      return;
    }
    this.#attach(stream);
    this.dispatch({ type: "TcpConnectionConfirmed" });
  }

  /** Sends an UPDATE (or pre-encoded UPDATE bytes) in Established. Returns false when not Established. */
  sendUpdate(update: UpdateMessage | Uint8Array): boolean {
    if (this.state !== State.Established) return false;
    this.#write(update instanceof Uint8Array ? update : encodeMessage(update, this.#ctx));
    return true;
  }

  /** Sends a ROUTE-REFRESH (RFC 2918/7313) in Established. */
  sendRouteRefresh(afi: number, safi: number, subtype = 0): boolean {
    if (this.state !== State.Established) return false;
    this.#write(encodeMessage({ type: MessageType.RouteRefresh, afi, safi, subtype }, this.#ctx));
    return true;
  }

  /**
   * Feeds one event through the FSM and performs its actions; re-entrant
   * calls queue. `urgent` puts the event before queued ones (collision
   * resolution must act before messages that arrived meanwhile).
   */
  dispatch(event: FsmEvent, urgent = false): void {
    if (urgent) this.#queue.unshift(event);
    else this.#queue.push(event);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let e = this.#queue.shift(); e !== undefined; e = this.#queue.shift()) {
        const from = this.#fsm.state;
        const t = transition(this.config, this.#fsm, e);
        this.#fsm = t.state;
        for (const action of t.actions) this.#perform(action);
        if (from !== t.state.state) {
          this.#log.debug({ event: e.type, from, to: t.state.state }, "state change");
          this.emit("state", from, t.state.state);
        }
      }
    } finally {
      this.#dispatching = false;
    }
  }

  #perform(action: FsmAction): void {
    switch (action.type) {
      case "connect":
        this.#openConnection();
        return;
      case "drop-connection":
        this.#dropConnection();
        return;
      case "send":
        this.#sendMessage(action.message);
        return;
      case "start-timer":
        this.#startTimer(action.timer, action.seconds);
        return;
      case "stop-timer":
        this.#stopTimer(action.timer);
        return;
      case "negotiated":
        this.#ctx = action.negotiated.ctx;
        this.#framer.setMaxLength(maxMessageLength(this.#ctx));
        return;
      case "established":
        this.#log.info(
          { peerAs: action.negotiated.peerAs, holdTime: action.negotiated.holdTime },
          "established",
        );
        this.emit("established", action.negotiated);
        return;
      case "session-down":
        this.#log.warn(describe(action.reason), "session down");
        this.emit("down", action.reason);
        return;
      case "connection-failed":
        this.#log.info(describe(action.reason), "connection failed");
        this.emit("failed", action.reason);
        return;
      case "process-update":
        this.emit("update", action.update);
        return;
      case "process-route-refresh":
        this.emit("route-refresh", action.message);
        return;
    }
  }

  #openConnection(): void {
    if (this.#connect === undefined) {
      this.#log.warn("no connect function: waiting for the peer to connect");
      return;
    }
    let stream: Duplex;
    try {
      stream = this.#connect();
    } catch (err) {
      this.#log.warn({ err }, "connect failed");
      queueMicrotask(() => this.dispatch({ type: "TcpConnectionFails" }));
      return;
    }
    const gen = this.#attach(stream);
    stream.once("connect", () => {
      if (gen === this.#generation) this.dispatch({ type: "TcpCrAcked" });
    });
  }

  #attach(stream: Duplex): number {
    this.#dropConnection();
    const gen = ++this.#generation;
    this.#stream = stream;
    this.#framer = new Framer();
    this.#ctx = defaultContext;
    stream.on("data", (chunk: Uint8Array) => {
      if (gen === this.#generation) this.#receive(chunk);
    });
    stream.on("drain", () => {
      if (gen === this.#generation) this.#clearSendHold();
    });
    stream.on("error", (err: Error) => {
      if (gen !== this.#generation) return;
      this.#log.debug({ err: err.message }, "transport error");
      this.#lost();
    });
    stream.on("close", () => {
      if (gen === this.#generation) this.#lost();
    });
    return gen;
  }

  #lost(): void {
    this.#stream = undefined;
    this.#generation++;
    this.#clearSendHold();
    this.dispatch({ type: "TcpConnectionFails" });
  }

  #dropConnection(): void {
    const stream = this.#stream;
    this.#stream = undefined;
    this.#generation++;
    this.#clearSendHold();
    if (stream === undefined) return;
    // Let queued writes (a NOTIFICATION) go out, then close.
    stream.end();
    const kill = this.#clock.setTimeout(() => stream.destroy(), 1000);
    stream.once("close", () => this.#clock.clearTimeout(kill));
  }

  #receive(chunk: Uint8Array): void {
    let frames: Uint8Array[];
    try {
      frames = this.#framer.push(chunk);
    } catch (err) {
      this.#protocolError(err);
      return;
    }
    const gen = this.#generation;
    for (const frame of frames) {
      if (gen !== this.#generation) return; // the session dropped this connection meanwhile
      let msg: BgpMessage;
      try {
        msg = decodeMessage(frame, this.#ctx);
      } catch (err) {
        this.#protocolError(err);
        return;
      }
      this.dispatch(eventOf(msg));
    }
  }

  #protocolError(err: unknown): void {
    if (!(err instanceof BgpWireError)) throw err;
    this.#log.warn({ code: err.code, errorCode: err.errorCode, subcode: err.subcode }, err.message);
    const type =
      err instanceof MessageHeaderError
        ? "BgpHeaderErr"
        : err instanceof OpenMessageError
          ? "BgpOpenMsgErr"
          : "UpdateMsgErr";
    this.dispatch({ type, error: err });
  }

  #sendMessage(message: BgpMessage): void {
    try {
      this.#write(encodeMessage(message, this.#ctx));
    } catch (err) {
      this.#log.error({ err, type: message.type }, "could not encode a message to send");
    }
  }

  #write(bytes: Uint8Array): void {
    const stream = this.#stream;
    if (stream === undefined || stream.destroyed) return;
    if (!stream.write(bytes) && this.#sendHold === undefined) {
      const hold = this.#fsm.negotiated?.holdTime ?? 90;
      const seconds = this.#sendHoldOverride ?? Math.max(480, 2 * hold);
      this.#sendHold = this.#clock.setTimeout(() => {
        this.#sendHold = undefined;
        this.dispatch({ type: "SendHoldTimerExpires" });
      }, seconds * 1000);
    }
  }

  #clearSendHold(): void {
    if (this.#sendHold !== undefined) this.#clock.clearTimeout(this.#sendHold);
    this.#sendHold = undefined;
  }

  #startTimer(timer: Timer, seconds: number): void {
    this.#stopTimer(timer);
    const ms = Math.max(0, this.#jitter(seconds, timer) * 1000);
    this.#timers.set(
      timer,
      this.#clock.setTimeout(() => {
        this.#timers.delete(timer);
        this.dispatch({ type: expiryEvent[timer] } as FsmEvent);
      }, ms),
    );
  }

  #stopTimer(timer: Timer): void {
    const h = this.#timers.get(timer);
    if (h !== undefined) this.#clock.clearTimeout(h);
    this.#timers.delete(timer);
  }
}

function eventOf(msg: BgpMessage): FsmEvent {
  switch (msg.type) {
    case MessageType.Open:
      return { type: "BgpOpen", open: msg };
    case MessageType.Update:
      return { type: "UpdateMsg", update: msg };
    case MessageType.Notification:
      return { type: "NotifMsg", notification: msg };
    case MessageType.Keepalive:
      return { type: "KeepAliveMsg" };
    case MessageType.RouteRefresh:
      return { type: "RouteRefreshMsg", message: msg };
  }
}

function describe(reason: DownReason): Record<string, unknown> {
  const n = (m: DownReason["sent"]) =>
    m === undefined
      ? undefined
      : {
          code: m.code,
          subcode: m.subcode,
          ...(m.shutdownCommunication ? { message: m.shutdownCommunication } : {}),
        };
  return { event: reason.event, sent: n(reason.sent), received: n(reason.received) };
}
