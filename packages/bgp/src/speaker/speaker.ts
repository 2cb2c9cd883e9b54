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
 * Work on routes is done by the outbound pump (outbound-pump.ts) in bounded
 * slices per turn of the event loop, so a large table never starves
 * keepalives; peers with the same outbound settings share an update group
 * (one encoding of every UPDATE). Who may connect is admission.ts.
 * Graceful restart helper (RFC 4724): when a peer that advertised GR goes
 * down, its routes stay, marked stale, for its restart time; End-of-RIB
 * from the re-established session purges what was not re-announced.
 */
import { EventEmitter } from "node:events";
import type net from "node:net";
import { type Logger, pino } from "pino";
import type { DownReason, Negotiated } from "../fsm/types.js";
import type { LocRibChange } from "../rib/loc-rib.js";
import { makePeerRef } from "../rib/path.js";
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
import { admit, listenAll, normalize } from "./admission.js";
import { OutboundPump } from "./outbound-pump.js";
import {
  armStaleTimer,
  createPeer,
  fsmConfigFor,
  keepsStale,
  type PeerEntry,
  type PolicyConfig,
  policyOf,
  ribOptionsFor,
  StaleRoutesTime,
  statusOf,
} from "./peer-entry.js";
import { pickFields, planReconfigure, type ReconfigureResult } from "./reconfigure.js";
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
import {
  type AdvertisedPath,
  advertisedPaths,
  type NeighborStatus,
  type RouteInfo,
  routeInfos,
  type UpdateGroupInfo,
  updateGroupInfos,
} from "./speaker-views.js";

export type { PolicyConfig } from "./peer-entry.js";

export interface SpeakerOptions extends SpeakerConfig {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Policy per neighbor address or dynamic range name. */
  readonly policies?: Readonly<Record<string, PolicyConfig>>;
}

export interface SpeakerEvents {
  neighbor: [status: NeighborStatus];
  route: [prefix: string, change: LocRibChange];
  /** The Loc-RIB changed (once per batch of settled prefixes, nothing formatted: cheap to listen to). */
  routes: [];
}

export class Speaker extends EventEmitter<SpeakerEvents> {
  config: SpeakerOptions;
  readonly engine: RouteEngine;
  readonly #log: Logger;
  readonly #peers = new Map<string, PeerEntry>();
  /** The same entries by peer id (update groups name their members by id). */
  readonly #byId = new Map<number, PeerEntry>();
  readonly #servers: net.Server[] = [];
  #nextId = 1;
  readonly #pump: OutboundPump;
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
    this.#pump = new OutboundPump({
      engine: this.engine,
      member: (id) => this.#byId.get(id),
      // Formatting a million prefixes for nobody is not free: report only to listeners.
      report: () => {
        const each = this.listenerCount("route") > 0;
        let batch = this.listenerCount("routes") > 0;
        if (!each && !batch) return undefined;
        return (key: PrefixKey, change: LocRibChange) => {
          if (batch) {
            batch = false;
            this.emit("routes");
          }
          if (each) this.emit("route", prefixKeyToText(key), change);
        };
      },
    });
    for (const n of config.neighbors ?? []) this.#addPeer(n.address, n, n.asn, undefined, n);
  }

  /** Starts listening and connecting. */
  async start(): Promise<void> {
    const servers = await listenAll(this.config.listen ?? [], (socket) => this.#incoming(socket), this.#log);
    this.#servers.push(...servers);
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
    this.#pump.schedule();
  }

  /** Addresses the speaker listens on (useful with port 0). */
  listening(): net.AddressInfo[] {
    return this.#servers.map((s) => s.address() as net.AddressInfo);
  }

  /** Says goodbye (Cease/Administrative Shutdown with `communication`) on every session and stops. */
  async stop(communication = "speaker shutting down"): Promise<void> {
    await this.#halt((e) => e.peer.stop(communication));
    // Let the NOTIFICATIONs reach the wire.
    await new Promise((r) => setTimeout(r, 50));
  }

  /**
   * Stops for a restart (RFC 4724 restarting side): every connection is
   * closed WITHOUT a NOTIFICATION, so peers that help with graceful restart
   * keep our routes (stale) until we are back and send End-of-RIB.
   */
  async abandon(): Promise<void> {
    await this.#halt((e) => e.peer.abandon());
  }

  /** Stops timers and listeners; `each` ends every neighbor's connections. */
  async #halt(each: (e: PeerEntry) => void): Promise<void> {
    this.#stopped = true;
    if (this.#deferral !== undefined) clearTimeout(this.#deferral);
    for (const e of this.#peers.values()) {
      each(e);
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
    this.#pump.changed(this.engine.setLocal(routes));
  }

  neighbors(): NeighborStatus[] {
    return [...this.#peers.values()].map((e) => this.#status(e));
  }

  /** Update groups: which neighbors share one Adj-RIB-Out and one encoding of every UPDATE. */
  updateGroups(): UpdateGroupInfo[] {
    return updateGroupInfos(this.engine.groups(), (id) => this.#byId.get(id)?.address);
  }

  /** Loc-RIB paths, optionally for one prefix. */
  routes(filter?: { prefix?: string }): RouteInfo[] {
    return routeInfos(this.engine.locRib, filter);
  }

  /** What a neighbor was sent (as of the last flush). */
  advertised(address: string): AdvertisedPath[] {
    const e = this.#peers.get(address);
    if (e === undefined) return [];
    return advertisedPaths(this.engine.advertised(e.id));
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
    this.config = { ...next, ...pickFields(this.config, plan.result.needsRestart) };
    for (const [address, action] of plan.peers) {
      const e = this.#peers.get(address);
      if (e === undefined) continue;
      if (action === "remove" || action === "reset") {
        e.peer.deconfigure(
          action === "remove" ? CeaseSubcode.PeerDeconfigured : CeaseSubcode.OtherConfigurationChange,
        );
        this.#forget(e);
      } else if (action === "refresh") {
        e.policy = policyOf(this.config.policies, e.dynamic?.name ?? address);
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
    this.#byId.delete(e.id);
    this.#pump.changed(this.engine.peerGone(e.id));
  }

  #addPeer(
    address: string,
    settings: SessionSettings,
    asn: number | readonly number[],
    dynamic: DynamicRangeConfig | undefined,
    neighbor: NeighborConfig | undefined,
  ): PeerEntry {
    const log = this.#log.child({ peer: address });
    const fsm = fsmConfigFor(
      this.config,
      settings,
      asn,
      neighbor?.passive === true,
      dynamic !== undefined,
      () =>
        // Asked at each OPEN: the Restart State bit holds only during the deferral window.
        capabilitiesFor(this.config, settings, this.#restarting),
    );
    const peer = createPeer(address, fsm, log, this.config.clock, neighbor);
    const entry: PeerEntry = {
      peer,
      address,
      settings,
      asn,
      dynamic,
      policy: policyOf(this.config.policies, dynamic?.name ?? address),
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
        this.#byId.delete(entry.id);
        this.#pump.changed(this.engine.peerGone(entry.id));
        log.info("dynamic peer removed");
      }
    });
    this.#peers.set(address, entry);
    this.#byId.set(entry.id, entry);
    return entry;
  }

  #incoming(socket: net.Socket): void {
    const remote = normalize(socket.remoteAddress ?? "");
    const a = admit(remote, this.#peers, this.config.dynamicNeighbors ?? [], this.#stopped);
    if (a.kind === "refused") {
      this.#log.warn(a.details, a.reason);
      socket.destroy();
      return;
    }
    const entry =
      a.kind === "known" ? a.entry : this.#addPeer(remote, a.range, a.range.asns, a.range, undefined);
    if (a.kind === "dynamic") entry.peer.start();
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
      armStaleTimer(e, StaleRoutesTime, () => this.#pump.changed(this.engine.purgeStale(e.id)));
    }
    this.engine.peerUp(ribOptionsFor(e, e.ref, negotiated, localAddress), this.#deferral !== undefined);
    this.emit("neighbor", this.#status(e));
    this.#pump.schedule();
  }

  #down(e: PeerEntry, reason: DownReason): void {
    const keep = keepsStale(e, reason, this.#stopped);
    e.session = undefined;
    this.#log.info({ peer: e.address, event: reason.event, keepStale: keep }, "neighbor down");
    this.#pump.changed(this.engine.peerDown(e.id, keep));
    if (keep) {
      // RFC 4724 §4.2: keep the stale routes for the peer's restart time at most.
      armStaleTimer(e, e.negotiated?.gracefulRestart?.restartTime ?? 0, () => {
        this.#log.info({ peer: e.address }, "graceful restart timer expired: purging stale routes");
        this.#pump.changed(this.engine.peerGone(e.id));
        // A dynamic peer that did not come back is gone for good (and frees its place in the range).
        if (e.dynamic !== undefined && e.session === undefined && this.#peers.get(e.address) === e) {
          this.#peers.delete(e.address);
          this.#byId.delete(e.id);
        }
      });
    }
    this.emit("neighbor", this.#status(e));
  }

  #update(e: PeerEntry, update: UpdateMessage): void {
    e.updatesIn++;
    const eor = isEndOfRib(update);
    if (eor !== null) {
      // RFC 4724 §4.2: End-of-RIB ends the restart for that family.
      this.#pump.changed(this.engine.purgeStale(e.id, eor.afi as Afi));
      return;
    }
    this.#pump.changed(this.engine.receive(e.id, update));
    this.#pump.received(e.session);
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
    const job = this.engine.refresh(e.id, m.afi);
    if (job === undefined) return;
    // RFC 7313 §4: BoRR, the table (in slices, one per turn), EoRR.
    if (enhanced) session.sendRouteRefresh(m.afi, m.safi, 1);
    this.#pump.refresh(e, job, () => {
      if (enhanced && e.session === session) session.sendRouteRefresh(m.afi, m.safi, 2);
    });
  }

  #status(e: PeerEntry): NeighborStatus {
    return statusOf(e, this.engine.counts(e.id), this.engine.groupOf(e.id));
  }
}

export function createSpeaker(config: SpeakerOptions): Speaker {
  return new Speaker(config);
}
