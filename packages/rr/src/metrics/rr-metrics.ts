/**
 * ts-rr's Prometheus metrics (prom-client, its own registry):
 *
 *   tsrr_bgp_neighbor_state{neighbor,range,state}        1 for the current FSM state, 0 for the others
 *   tsrr_bgp_updates_received_total{neighbor}             UPDATE messages in
 *   tsrr_bgp_updates_sent_total{neighbor}                 UPDATE messages out
 *   tsrr_bgp_prefixes_received{neighbor}                  paths accepted from the neighbor
 *   tsrr_bgp_prefixes_advertised{neighbor}                prefixes advertised to it
 *   tsrr_upstream_ecmp_width{upstream,prefix}             distinct next hops sent to an upstream
 *   tsrr_upstream_nexthop_set_changes_total{prefix}       changes of the next-hop set sent upstream
 *
 * `range` is the dynamic range's name, "" for an upstream (static) peer.
 * Values are read from the speaker when scraped; the next-hop set is also
 * looked at shortly after every route or neighbor event, so a change is
 * counted even between scrapes (changes within one ~100 ms window count
 * once). Counters follow the speaker's per-session counts; a neighbor that
 * is gone loses its series.
 */
import type { NeighborStatus, Speaker } from "@portlb/bgp";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { EcmpTracker } from "./ecmp-tracker.js";

const states = ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"] as const;

/** How long after a route/neighbor event the next-hop sets are looked at. */
const SettleMs = 100;

export class RrMetrics {
  readonly registry = new Registry();
  readonly #speaker: Speaker;
  readonly #tracker = new EcmpTracker();
  readonly #lastUpdates = new Map<string, { in: number; out: number }>();
  #timer: NodeJS.Timeout | undefined;
  readonly #onEvent = (): void => this.#soon();

  readonly #state = new Gauge({
    name: "tsrr_bgp_neighbor_state",
    help: "BGP session state per neighbor: 1 for the current state, 0 for the others",
    labelNames: ["neighbor", "range", "state"] as const,
    registers: [this.registry],
  });
  readonly #updatesIn = new Counter({
    name: "tsrr_bgp_updates_received_total",
    help: "UPDATE messages received from the neighbor",
    labelNames: ["neighbor"] as const,
    registers: [this.registry],
  });
  readonly #updatesOut = new Counter({
    name: "tsrr_bgp_updates_sent_total",
    help: "UPDATE messages sent to the neighbor",
    labelNames: ["neighbor"] as const,
    registers: [this.registry],
  });
  readonly #received = new Gauge({
    name: "tsrr_bgp_prefixes_received",
    help: "Paths accepted from the neighbor (Adj-RIB-In)",
    labelNames: ["neighbor"] as const,
    registers: [this.registry],
  });
  readonly #advertised = new Gauge({
    name: "tsrr_bgp_prefixes_advertised",
    help: "Prefixes advertised to the neighbor (Adj-RIB-Out; with ADD-PATH a prefix may carry several paths)",
    labelNames: ["neighbor"] as const,
    registers: [this.registry],
  });
  readonly #groups = new Gauge({
    name: "tsrr_bgp_update_groups",
    help: "Update groups: neighbors that share one Adj-RIB-Out and one encoding of every UPDATE",
    registers: [this.registry],
  });
  readonly #groupMembers = new Gauge({
    name: "tsrr_bgp_update_group_members",
    help: "Neighbors in the update group",
    labelNames: ["group"] as const,
    registers: [this.registry],
  });
  readonly #groupEncoded = new Gauge({
    name: "tsrr_bgp_update_group_updates_encoded",
    help: "UPDATE messages encoded for the update group (each written to every member)",
    labelNames: ["group"] as const,
    registers: [this.registry],
  });
  readonly #width = new Gauge({
    name: "tsrr_upstream_ecmp_width",
    help: "Distinct next hops advertised to the upstream peer for the prefix (its ECMP width)",
    labelNames: ["upstream", "prefix"] as const,
    registers: [this.registry],
  });
  readonly #changes = new Counter({
    name: "tsrr_upstream_nexthop_set_changes_total",
    help: "Times the set of next hops advertised upstream for the prefix changed",
    labelNames: ["prefix"] as const,
    registers: [this.registry],
  });

  constructor(speaker: Speaker, options: { readonly processMetrics?: boolean } = {}) {
    this.#speaker = speaker;
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "tsrr_" });
    speaker.on("routes", this.#onEvent);
    speaker.on("neighbor", this.#onEvent);
  }

  /** The text exposition, read fresh from the speaker. */
  async exposition(): Promise<string> {
    this.refresh();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Reads the speaker into the metrics now. */
  refresh(): void {
    const neighbors = this.#speaker.neighbors();
    this.#neighbors(neighbors);
    this.#updateGroups();
    this.#ecmp(neighbors.filter((n) => n.dynamic === undefined).map((n) => n.address));
  }

  close(): void {
    this.#speaker.off("routes", this.#onEvent);
    this.#speaker.off("neighbor", this.#onEvent);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #soon(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#ecmp(
        this.#speaker
          .neighbors()
          .filter((n) => n.dynamic === undefined)
          .map((n) => n.address),
      );
    }, SettleMs);
    this.#timer.unref();
  }

  #neighbors(neighbors: readonly NeighborStatus[]): void {
    this.#state.reset();
    this.#received.reset();
    this.#advertised.reset();
    const seen = new Set<string>();
    for (const n of neighbors) {
      const neighbor = n.address;
      seen.add(neighbor);
      for (const state of states)
        this.#state.set({ neighbor, range: n.dynamic ?? "", state }, n.state === state ? 1 : 0);
      this.#received.set({ neighbor }, n.prefixesReceived);
      this.#advertised.set({ neighbor }, n.prefixesAdvertised);
      // The speaker's counts start again for a new dynamic peer entry: a drop means a new baseline.
      const last = this.#lastUpdates.get(neighbor) ?? { in: 0, out: 0 };
      this.#updatesIn.inc(
        { neighbor },
        n.updatesReceived >= last.in ? n.updatesReceived - last.in : n.updatesReceived,
      );
      this.#updatesOut.inc(
        { neighbor },
        n.updatesSent >= last.out ? n.updatesSent - last.out : n.updatesSent,
      );
      this.#lastUpdates.set(neighbor, { in: n.updatesReceived, out: n.updatesSent });
    }
    for (const neighbor of [...this.#lastUpdates.keys()]) {
      if (seen.has(neighbor)) continue;
      this.#lastUpdates.delete(neighbor);
      this.#updatesIn.remove({ neighbor });
      this.#updatesOut.remove({ neighbor });
    }
  }

  #updateGroups(): void {
    const groups = this.#speaker.updateGroups();
    this.#groups.set(groups.length);
    this.#groupMembers.reset();
    this.#groupEncoded.reset();
    for (const g of groups) {
      const group = String(g.id);
      this.#groupMembers.set({ group }, g.members.length);
      this.#groupEncoded.set({ group }, g.updatesEncoded);
    }
  }

  #ecmp(upstreams: readonly string[]): void {
    const sent = new Map(upstreams.map((u) => [u, this.#speaker.advertised(u)]));
    const { width, changed } = this.#tracker.observe(sent);
    this.#width.reset();
    for (const [upstream, perPrefix] of width)
      for (const [prefix, hops] of perPrefix) this.#width.set({ upstream, prefix }, hops);
    for (const prefix of changed) this.#changes.inc({ prefix });
  }
}
