/**
 * One neighbor: up to one outgoing and one incoming connection, each with
 * its own Session (FSM), and connection collision detection between them
 * (RFC 4271 §6.8).
 *
 * When a connection receives the peer's OPEN (OpenConfirm), every other
 * connection of this peer that is in OpenSent or OpenConfirm is compared
 * with it: the peer's BGP Identifier is now known, so (§6.8) if ours is
 * lower, the connection WE opened is closed with Cease/Connection Collision
 * Resolution, else the one the peer opened. A connection that meets an
 * Established one is closed, except when the peer negotiated graceful
 * restart: then the new connection is the peer restarting (RFC 4724 §4.2)
 * and the old session is the one ended.
 *
 * While a session is Established the outgoing side does not retry; when the
 * session goes down it resumes (with the FSM's IdleHold backoff).
 */
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import type { DownReason, FsmConfig, Negotiated } from "../fsm/types.js";
import { State } from "../fsm/types.js";
import type { Clock } from "../session/clock.js";
import { Session } from "../session/session.js";
import { CeaseSubcode, parseIpv4, type RouteRefreshMessage, type UpdateMessage } from "../wire/index.js";

export interface PeerOptions {
  readonly address: string;
  /** Settings for our connections; incoming ones are run passively. */
  readonly fsm: FsmConfig;
  /** Opens an outgoing connection; absent for passive and dynamic peers. */
  readonly connect?: () => Duplex;
  readonly clock?: Clock;
  readonly logger: Logger;
}

export interface PeerEvents {
  established: [session: Session, negotiated: Negotiated];
  down: [reason: DownReason];
  update: [update: UpdateMessage];
  "route-refresh": [message: RouteRefreshMessage];
  /** A connection failed before Established (refused, bad OPEN, NOTIFICATION, ...). */
  failed: [reason: DownReason];
  /** The last connection is gone and none will be attempted (dynamic or stopped peers). */
  idle: [];
}

export class Peer extends EventEmitter<PeerEvents> {
  readonly address: string;
  readonly log: Logger;
  #opts: PeerOptions;
  #outgoing: Session | undefined;
  #incoming: Session | undefined;
  #established: Session | undefined;
  #stopped = false;
  /** When the last state change happened (clock ms), for uptime. */
  #since = 0;
  #lastError: DownReason | undefined;

  constructor(opts: PeerOptions) {
    super();
    this.#opts = opts;
    this.address = opts.address;
    this.log = opts.logger;
    if (opts.connect !== undefined) {
      this.#outgoing = this.#session(true);
    }
  }

  /** The Established session, if any. */
  get session(): Session | undefined {
    return this.#established;
  }

  get state(): State {
    if (this.#established !== undefined) return State.Established;
    const states = [this.#outgoing?.state, this.#incoming?.state].filter((s): s is State => s !== undefined);
    const order: State[] = [State.OpenConfirm, State.OpenSent, State.Connect, State.Active, State.Idle];
    return order.find((s) => states.includes(s)) ?? State.Idle;
  }

  get since(): number {
    return this.#since;
  }

  get lastError(): DownReason | undefined {
    return this.#lastError;
  }

  start(): void {
    this.#stopped = false;
    this.#outgoing?.start();
  }

  /** Ends every connection with Cease/Administrative Shutdown (RFC 9003 message) and stays down. */
  stop(communication?: string): void {
    this.#stopped = true;
    for (const s of [this.#outgoing, this.#incoming]) s?.stop(communication);
  }

  /**
   * For a restart of this process (RFC 4724): drop every connection
   * WITHOUT a NOTIFICATION, so a graceful-restart helper keeps our routes.
   */
  abandon(): void {
    this.#stopped = true;
    for (const s of [this.#outgoing, this.#incoming]) {
      if (s === undefined) continue;
      s.stream?.destroy();
      s.stop(); // the stream is gone: no Cease can be written
    }
  }

  /**
   * The peer was removed or changed in the configuration: Cease with
   * `subcode` (RFC 4486: Peer De-configured by default) and stay down.
   */
  deconfigure(subcode: number = CeaseSubcode.PeerDeconfigured): void {
    this.#stopped = true;
    for (const s of [this.#outgoing, this.#incoming]) {
      if (s === undefined) continue;
      if (s.state !== State.Idle) s.cease(subcode);
      s.stop(); // in Idle: no automatic restart
    }
  }

  /** Takes a connection the peer opened to us. */
  accept(stream: Duplex): void {
    if (this.#stopped || (this.#incoming !== undefined && this.#incoming.state !== State.Idle)) {
      this.log.info("refusing a connection: one from this peer is already being set up");
      stream.destroy();
      return;
    }
    const session = this.#session(false);
    this.#incoming = session;
    session.start();
    session.accept(stream);
  }

  #session(outgoing: boolean): Session {
    const config: FsmConfig = outgoing
      ? this.#opts.fsm
      : { ...this.#opts.fsm, passive: true, allowAutomaticStart: false };
    const session = new Session({
      config,
      logger: this.log.child({ conn: outgoing ? "out" : "in" }),
      ...(this.#opts.clock === undefined ? {} : { clock: this.#opts.clock }),
      ...(outgoing && this.#opts.connect !== undefined ? { connect: this.#opts.connect } : {}),
    });
    session.on("state", (from, to) => {
      this.#since = this.#opts.clock?.now() ?? Date.now();
      if (to === State.OpenConfirm) this.#resolveCollision(session, outgoing);
      if (to === State.Idle && from !== State.Idle) this.#ended(session);
    });
    session.on("established", (negotiated) => {
      this.#established = session;
      const out = this.#outgoing;
      if (!outgoing && out !== undefined) {
        // The peer's connection won: end ours (§6.8) and make no retries while this one is up.
        if (out.state !== State.Idle) out.dispatch({ type: "OpenCollisionDump" }, true);
        out.stop(); // ManualStop in Idle only turns automatic restart off
      }
      this.emit("established", session, negotiated);
    });
    session.on("down", (reason) => {
      this.#lastError = reason;
      if (this.#established === session) this.#established = undefined;
      this.emit("down", reason);
    });
    session.on("failed", (reason) => {
      this.#lastError = reason;
      this.emit("failed", reason);
    });
    session.on("update", (u) => {
      if (this.#established === session) this.emit("update", u);
    });
    session.on("route-refresh", (m) => {
      if (this.#established === session) this.emit("route-refresh", m);
    });
    return session;
  }

  #ended(session: Session): void {
    if (session === this.#incoming) this.#incoming = undefined;
    if (this.#established !== undefined || this.#stopped) {
      if (this.#outgoing === undefined && this.#incoming === undefined) this.emit("idle");
      return;
    }
    // No session left up: let the outgoing side (if any) try again.
    const out = this.#outgoing;
    if (out !== undefined && out.state === State.Idle && !out.fsm.autoRestart && session !== out) out.start();
    if (out === undefined && this.#incoming === undefined) this.emit("idle");
  }

  #resolveCollision(session: Session, outgoing: boolean): void {
    const other = outgoing ? this.#incoming : this.#outgoing;
    if (other === undefined) return;
    if (other.state === State.Established) {
      const gr = other.fsm.negotiated?.gracefulRestart !== undefined;
      // RFC 4724 §4.2: a new connection from a GR peer means it restarted.
      const loser = gr ? other : session;
      this.log.info({ keep: gr ? "new" : "established" }, "connection collision with an established session");
      loser.dispatch({ type: "OpenCollisionDump" }, true);
      return;
    }
    if (other.state !== State.OpenSent && other.state !== State.OpenConfirm) return;
    const remoteId = session.fsm.negotiated?.peerBgpId;
    if (remoteId === undefined) return;
    const localLower = parseIpv4(this.#opts.fsm.routerId) < parseIpv4(remoteId);
    // §6.8: the lower identifier gives way: its own connection is closed.
    const loser = localLower === outgoing ? session : other;
    this.log.info(
      { closing: loser === session ? (outgoing ? "out" : "in") : outgoing ? "in" : "out" },
      "connection collision",
    );
    loser.dispatch({ type: "OpenCollisionDump" }, true);
  }
}
