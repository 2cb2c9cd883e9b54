/**
 * `createSpeaker(config)`: the public face of @portlb/bgp. It listens for
 * and opens TCP connections, runs one Peer (sessions + collision detection)
 * per neighbor, and moves routes through the RouteEngine.
 *
 *     net.Server ─accept─> address check (static neighbor? dynamic range? else closed at once)
 *                          └─> Peer.accept ─> Session ─established─> RouteEngine.peerUp
 *     Session 'update' ─> RouteEngine.receive ─> settle ─> flush soon (setImmediate) ─> Session.sendUpdate
 *     announce / withdraw / setAnnouncements ─> RouteEngine.setLocal ─> settle ─> flush soon
 *
 * Flushing is batched and bounded (a few thousand prefixes per peer per
 * turn of the event loop), so a large table never starves keepalives.
 * Graceful restart helper (RFC 4724): when a peer that advertised GR goes
 * down, its routes stay, marked stale, for its restart time; End-of-RIB
 * from the re-established session purges what was not re-announced.
 */
import { EventEmitter } from "node:events";
import net from "node:net";
import { type Logger, pino } from "pino";
import type { DownReason, FsmConfig, Negotiated } from "../fsm/types.js";
import { State } from "../fsm/types.js";
import type { LocRibChange } from "../rib/loc-rib.js";
import { makePeerRef, type PeerRef } from "../rib/path.js";
import { accept, acceptAll, type ExportPolicy, type ImportPolicy } from "../rib/policy.js";
import { type PrefixKey, prefixKeyToText } from "../rib/prefix-key.js";
import type { Clock } from "../session/clock.js";
import type { Session } from "../session/session.js";
import {
  Afi,
  CeaseSubcode,
  isEndOfRib,
  type RouteRefreshMessage,
  type UpdateMessage,
} from "../wire/index.js";
import { matchRange } from "./neighbor-match.js";
import { Peer } from "./peer.js";
import { planReconfigure, type ReconfigureResult } from "./reconfigure.js";
import { type LocalRoute, RouteEngine } from "./route-engine.js";
import {
  capabilitiesFor,
  type DynamicRangeConfig,
  type NeighborConfig,
  SessionDefaults,
  type SessionSettings,
  type SpeakerConfig,
  validateSpeakerConfig,
} from "./speaker-config.js";
import { type AdvertisedPath, type NeighborStatus, type RouteInfo, routeInfos } from "./speaker-views.js";

/** Import/export policy for a neighbor; "accept" lifts the RFC 8212 default deny for eBGP. */
export interface PolicyConfig {
  readonly import?: "accept" | ImportPolicy;
  readonly export?: "accept" | ExportPolicy;
}

export interface SpeakerOptions extends SpeakerConfig {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Policy per neighbor address or dynamic range name. */
  readonly policies?: Readonly<Record<string, PolicyConfig>>;
}

export interface SpeakerEvents {
  neighbor: [status: NeighborStatus];
  route: [prefix: string, change: LocRibChange];
}

interface PeerEntry {
  readonly peer: Peer;
  readonly address: string;
  readonly settings: SessionSettings;
  readonly asn: number | readonly number[];
  readonly dynamic: DynamicRangeConfig | undefined;
  policy: PolicyConfig | undefined;
  ref: PeerRef | undefined;
  id: number;
  session: Session | undefined;
  negotiated: Negotiated | undefined;
  staleTimer: NodeJS.Timeout | undefined;
  updatesIn: number;
  updatesOut: number;
}

/** Seconds stale routes may outlive a re-established graceful restart without End-of-RIB. */
const StaleRoutesTime = 360;

/** How many prefixes per peer one flush turn takes (bounds event-loop stalls). */
const FlushSlice = 20_000;

export class Speaker extends EventEmitter<SpeakerEvents> {
  config: SpeakerOptions;
  readonly engine: RouteEngine;
  readonly #log: Logger;
  readonly #peers = new Map<string, PeerEntry>();
  readonly #servers: net.Server[] = [];
  #nextId = 1;
  /** Prefixes to re-select; duplicates are harmless (LocRib.update reports a prefix once). */
  #dirty: PrefixKey[] = [];
  #flushScheduled = false;
  #stopped = false;
  /** RFC 4724 restarting side, until the End-of-RIB deferral ends. */
  #restarting: boolean;
  #deferral: NodeJS.Timeout | undefined;

  constructor(config: SpeakerOptions) {
    super();
    validateSpeakerConfig(config);
    this.config = config;
    this.#restarting = config.restarting === true;
    this.#log = config.logger ?? pino({ level: "silent" });
    this.engine = new RouteEngine({
      localAs: config.localAs,
      routerId: config.routerId,
      ...(config.clusterId === undefined ? {} : { clusterId: config.clusterId }),
    });
    for (const n of config.neighbors ?? []) this.#addPeer(n.address, n, n.asn, undefined, n);
  }

  /** Starts listening and connecting. */
  async start(): Promise<void> {
    for (const l of this.config.listen ?? []) {
      const server = net.createServer({ pauseOnConnect: true }, (socket) => this.#incoming(socket));
      server.on("error", (err) => this.#log.error({ err: err.message }, "listener error"));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host: l.address, port: l.port }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      this.#servers.push(server);
      this.#log.info({ address: l.address, port: (server.address() as net.AddressInfo).port }, "listening");
    }
    const deferral = this.config.endOfRibDeferral ?? 0;
    if (deferral > 0) {
      this.#deferral = setTimeout(() => this.#endDeferral(), deferral * 1000);
      this.#deferral.unref();
    } else this.#restarting = false;
    for (const e of this.#peers.values()) e.peer.start();
  }

  #endDeferral(): void {
    this.#deferral = undefined;
    this.#restarting = false;
    this.#log.info("End-of-RIB deferral over");
    this.engine.releaseEndOfRib();
    this.#scheduleFlush();
  }

  /** Addresses the speaker listens on (useful with port 0). */
  listening(): net.AddressInfo[] {
    return this.#servers.map((s) => s.address() as net.AddressInfo);
  }

  /** Says goodbye (Cease/Administrative Shutdown with `communication`) on every session and stops. */
  async stop(communication = "speaker shutting down"): Promise<void> {
    this.#stopped = true;
    if (this.#deferral !== undefined) clearTimeout(this.#deferral);
    for (const e of this.#peers.values()) {
      e.peer.stop(communication);
      if (e.staleTimer !== undefined) clearTimeout(e.staleTimer);
    }
    await Promise.all(this.#servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    // Let the NOTIFICATIONs reach the wire.
    await new Promise((r) => setTimeout(r, 50));
  }

  /**
   * Stops for a restart (RFC 4724 restarting side): every connection is
   * closed WITHOUT a NOTIFICATION, so peers that help with graceful restart
   * keep our routes (stale) until we are back and send End-of-RIB.
   */
  async abandon(): Promise<void> {
    this.#stopped = true;
    if (this.#deferral !== undefined) clearTimeout(this.#deferral);
    for (const e of this.#peers.values()) {
      e.peer.abandon();
      if (e.staleTimer !== undefined) clearTimeout(e.staleTimer);
    }
    await Promise.all(this.#servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  /** Adds or replaces one local route. */
  announce(route: LocalRoute): void {
    const rest = this.engine.localRoutes().filter((r) => r.prefix !== route.prefix);
    this.setAnnouncements([...rest, route]);
  }

  withdraw(prefix: string): void {
    this.setAnnouncements(this.engine.localRoutes().filter((r) => r.prefix !== prefix));
  }

  /** Replaces the whole set of local routes; only the difference goes out. */
  setAnnouncements(routes: readonly LocalRoute[]): void {
    this.#changed(this.engine.setLocal(routes));
  }

  neighbors(): NeighborStatus[] {
    return [...this.#peers.values()].map((e) => this.#status(e));
  }

  /** Loc-RIB paths, optionally for one prefix. */
  routes(filter?: { prefix?: string }): RouteInfo[] {
    return routeInfos(this.engine.locRib, filter);
  }

  /** What a neighbor was sent (as of the last flush). */
  advertised(address: string): AdvertisedPath[] {
    const e = this.#peers.get(address);
    if (e === undefined) return [];
    return this.engine
      .advertised(e.id)
      .map((a) => ({ prefix: prefixKeyToText(a.prefix), pathId: a.pathId, nextHop: a.attrs.nextHop }));
  }

  /**
   * Applies a new configuration without touching sessions whose settings did
   * not change (see reconfigure.ts for the rules). Throws SpeakerConfigError,
   * changing nothing, for a bad configuration.
   */
  reconfigure(next: SpeakerOptions): ReconfigureResult {
    validateSpeakerConfig(next);
    const peers = [...this.#peers.values()].map((e) => ({ address: e.address, range: e.dynamic?.name }));
    const plan = planReconfigure(this.config, next, peers);
    this.config = { ...next, ...pick(this.config, plan.result.needsRestart) };
    for (const [address, action] of plan.peers) {
      const e = this.#peers.get(address);
      if (e === undefined) continue;
      if (action === "remove" || action === "reset") {
        e.peer.deconfigure(
          action === "remove" ? CeaseSubcode.PeerDeconfigured : CeaseSubcode.OtherConfigurationChange,
        );
        this.#forget(e);
      } else if (action === "refresh") {
        e.policy = policyOf(this.config, e.dynamic?.name ?? address);
        // RFC 2918 §4: only for families the session negotiated.
        for (const f of e.negotiated?.families ?? []) e.session?.sendRouteRefresh(f >> 8, f & 0xff);
      }
    }
    for (const n of plan.start) this.#addPeer(n.address, n, n.asn, undefined, n).peer.start();
    this.#log.info(plan.result, "reconfigured");
    return plan.result;
  }

  #forget(e: PeerEntry): void {
    if (e.staleTimer !== undefined) clearTimeout(e.staleTimer);
    this.#peers.delete(e.address);
    this.#changed(this.engine.peerGone(e.id));
  }

  #addPeer(
    address: string,
    settings: SessionSettings,
    asn: number | readonly number[],
    dynamic: DynamicRangeConfig | undefined,
    neighbor: NeighborConfig | undefined,
  ): PeerEntry {
    const log = this.#log.child({ peer: address });
    const speaker = this;
    const fsm: FsmConfig = {
      localAs: this.config.localAs,
      routerId: this.config.routerId,
      peerAs: asn,
      holdTime: settings.holdTime ?? SessionDefaults.holdTime,
      ...(settings.keepaliveTime === undefined ? {} : { keepaliveTime: settings.keepaliveTime }),
      connectRetryTime: settings.connectRetryTime ?? SessionDefaults.connectRetryTime,
      passive: dynamic !== undefined || neighbor?.passive === true,
      delayOpenTime: settings.delayOpenTime ?? 0,
      dampPeerOscillations: true,
      idleHoldTime: SessionDefaults.idleHoldTime,
      maxIdleHoldTime: SessionDefaults.maxIdleHoldTime,
      stableTime: SessionDefaults.stableTime,
      sendNotificationWithoutOpen: false,
      allowAutomaticStart: dynamic === undefined,
      // A getter: the Restart State bit holds only during the deferral window.
      get capabilities() {
        return capabilitiesFor(speaker.config, settings, speaker.#restarting);
      },
    };
    const active = neighbor !== undefined && neighbor.passive !== true;
    const peer = new Peer({
      address,
      fsm,
      logger: log,
      ...(this.config.clock === undefined ? {} : { clock: this.config.clock }),
      ...(active
        ? {
            connect: () =>
              net.connect({
                host: address,
                port: neighbor.port ?? SessionDefaults.port,
                ...(neighbor.localAddress === undefined ? {} : { localAddress: neighbor.localAddress }),
              }),
          }
        : {}),
    });
    const entry: PeerEntry = {
      peer,
      address,
      settings,
      asn,
      dynamic,
      policy: policyOf(this.config, dynamic?.name ?? address),
      ref: undefined,
      id: this.#nextId++,
      session: undefined,
      negotiated: undefined,
      staleTimer: undefined,
      updatesIn: 0,
      updatesOut: 0,
    };
    peer.on("established", (session, negotiated) => this.#up(entry, session, negotiated));
    peer.on("down", (reason) => this.#down(entry, reason));
    peer.on("failed", () => this.emit("neighbor", this.#status(entry)));
    peer.on("update", (u) => this.#update(entry, u));
    peer.on("route-refresh", (m) => this.#refresh(entry, m));
    peer.on("idle", () => {
      if (
        entry.dynamic !== undefined &&
        this.#peers.get(address) === entry &&
        entry.staleTimer === undefined
      ) {
        this.#peers.delete(address);
        this.#changed(this.engine.peerGone(entry.id));
        log.info("dynamic peer removed");
      }
    });
    this.#peers.set(address, entry);
    return entry;
  }

  #incoming(socket: net.Socket): void {
    const remote = normalize(socket.remoteAddress ?? "");
    const known = this.#peers.get(remote);
    if (known !== undefined) {
      socket.resume();
      known.peer.accept(socket);
      return;
    }
    const range = matchRange(remote, this.config.dynamicNeighbors ?? []);
    if (range === undefined || this.#stopped) {
      this.#log.warn({ remote }, "connection refused: not a configured neighbor or dynamic range");
      socket.destroy();
      return;
    }
    const count = [...this.#peers.values()].filter((e) => e.dynamic?.name === range.name).length;
    if (count >= range.maxPeers) {
      this.#log.warn(
        { remote, range: range.name, maxPeers: range.maxPeers },
        "connection refused: dynamic range is full",
      );
      socket.destroy();
      return;
    }
    const entry = this.#addPeer(remote, range, range.asns, range, undefined);
    entry.peer.start();
    socket.resume();
    entry.peer.accept(socket);
  }

  #up(e: PeerEntry, session: Session, negotiated: Negotiated): void {
    const socket = session.stream as net.Socket | undefined;
    const localAddress = normalize(socket?.localAddress ?? "");
    e.session = session;
    e.negotiated = negotiated;
    e.ref = makePeerRef({
      id: e.id,
      address: e.address,
      asn: negotiated.peerAs,
      bgpId: negotiated.peerBgpId,
      ibgp: negotiated.ibgp,
      rrClient: e.settings.routeReflectorClient === true,
    });
    if (e.staleTimer !== undefined) {
      // Back from a graceful restart: stale routes go at End-of-RIB, or at the latest after this.
      clearTimeout(e.staleTimer);
      e.staleTimer = setTimeout(() => {
        e.staleTimer = undefined;
        this.#changed(this.engine.purgeStale(e.id));
      }, StaleRoutesTime * 1000);
      e.staleTimer.unref();
    }
    const policy = e.policy;
    this.engine.peerUp(
      {
        ref: e.ref,
        ctx: negotiated.ctx,
        families: negotiated.families,
        ...(e.settings.addPathSendMax === undefined ? {} : { maxPaths: e.settings.addPathSendMax }),
        ...(localAddress.includes(":") ? { localIpv6: localAddress } : { localIpv4: localAddress }),
        ...(policy?.import === undefined
          ? {}
          : { importPolicy: policy.import === "accept" ? acceptAll : policy.import }),
        ...(policy?.export === undefined
          ? {}
          : { exportPolicy: policy.export === "accept" ? () => accept : policy.export }),
      },
      this.#deferral !== undefined,
    );
    this.emit("neighbor", this.#status(e));
    this.#scheduleFlush();
  }

  #down(e: PeerEntry, reason: DownReason): void {
    const gr = e.negotiated?.gracefulRestart;
    // RFC 4724 §4.2: GR applies when the TCP session ends without a NOTIFICATION
    // (we do not advertise RFC 8538's N bit, so any NOTIFICATION means a real stop).
    const keep =
      gr !== undefined &&
      e.settings.gracefulRestart !== false &&
      gr.restartTime > 0 &&
      !this.#stopped &&
      reason.sent === undefined &&
      reason.received === undefined;
    e.session = undefined;
    this.#log.info({ peer: e.address, event: reason.event, keepStale: keep }, "neighbor down");
    this.#changed(this.engine.peerDown(e.id, keep));
    if (keep) {
      // RFC 4724 §4.2: keep the stale routes for the peer's restart time at most.
      e.staleTimer = setTimeout(() => {
        e.staleTimer = undefined;
        this.#log.info({ peer: e.address }, "graceful restart timer expired: purging stale routes");
        this.#changed(this.engine.peerGone(e.id));
        // A dynamic peer that did not come back is gone for good (and frees its place in the range).
        if (e.dynamic !== undefined && e.session === undefined && this.#peers.get(e.address) === e) {
          this.#peers.delete(e.address);
        }
      }, gr.restartTime * 1000);
      e.staleTimer.unref();
    }
    this.emit("neighbor", this.#status(e));
  }

  #update(e: PeerEntry, update: UpdateMessage): void {
    e.updatesIn++;
    const eor = isEndOfRib(update);
    if (eor !== null) {
      // RFC 4724 §4.2: End-of-RIB ends the restart for that family.
      this.#changed(this.engine.purgeStale(e.id, eor.afi as Afi));
      return;
    }
    this.#changed(this.engine.receive(e.id, update));
    const max = e.settings.maxPrefixes;
    if (max !== undefined && this.engine.pathCount(e.id) > max.limit) {
      this.#log.warn({ peer: e.address, limit: max.limit }, "maximum prefixes exceeded: ending the session");
      e.session?.cease(
        CeaseSubcode.MaximumNumberOfPrefixesReached,
        max.restartAfter ?? SessionDefaults.maxPrefixRestartAfter,
      );
    }
  }

  #refresh(e: PeerEntry, m: RouteRefreshMessage): void {
    if (m.subtype !== 0 || (m.afi !== Afi.Ipv4 && m.afi !== Afi.Ipv6)) return; // RFC 7313 §5: ignore others
    const session = e.session;
    if (session === undefined) return;
    const enhanced = e.negotiated?.enhancedRouteRefresh === true;
    if (enhanced) session.sendRouteRefresh(m.afi, m.safi, 1);
    for (const msg of this.engine.refresh(e.id, m.afi)) {
      session.sendUpdate(msg);
      e.updatesOut++;
    }
    if (enhanced) session.sendRouteRefresh(m.afi, m.safi, 2);
  }

  #changed(keys: Iterable<PrefixKey>): void {
    for (const k of keys) this.#dirty.push(k);
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    const dirty = this.#dirty;
    this.#dirty = [];
    // Formatting a million prefixes for nobody is not free: report only to listeners.
    const report =
      this.listenerCount("route") > 0
        ? (key: PrefixKey, change: LocRibChange) => this.emit("route", prefixKeyToText(key), change)
        : undefined;
    this.engine.settle(dirty, report);
    let more = false;
    for (const e of this.#peers.values()) {
      const session = e.session;
      if (session === undefined || session.state !== State.Established) continue;
      for (const m of this.engine.flush(e.id, FlushSlice)) {
        session.sendUpdate(m);
        e.updatesOut++;
      }
      if (this.engine.pending(e.id) > 0) more = true;
    }
    if (more) this.#scheduleFlush();
  }

  #status(e: PeerEntry): NeighborStatus {
    const counts = this.engine.counts(e.id);
    return {
      address: e.address,
      asn: e.asn,
      dynamic: e.dynamic?.name,
      state: e.peer.state,
      since: e.peer.since,
      prefixesReceived: counts.received,
      prefixesAdvertised: counts.advertised,
      updatesReceived: e.updatesIn,
      updatesSent: e.updatesOut,
      lastError: e.peer.lastError,
    };
  }
}

function pick(o: SpeakerOptions, fields: readonly string[]): Partial<SpeakerOptions> {
  return Object.fromEntries(fields.map((f) => [f, o[f as keyof SpeakerOptions]]));
}

function policyOf(c: SpeakerOptions, key: string): PolicyConfig | undefined {
  return c.policies?.[key];
}

/** "::ffff:198.18.0.1" (a v4 client on a dual-stack socket) -> "198.18.0.1". */
function normalize(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

export function createSpeaker(config: SpeakerOptions): Speaker {
  return new Speaker(config);
}
