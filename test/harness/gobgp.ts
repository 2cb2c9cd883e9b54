/**
 * A private gobgpd in a namespace: TOML config and the gRPC API on a unix
 * socket in its own temp dir (no TCP API port to collide on), queried with
 * `gobgp --target unix://… -j`.
 *
 *   const g = await Gobgp.start(ns, { as: 64514, routerId, neighbors });
 *   await g.waitEstablished("198.18.0.4");
 *   await g.addRoute("203.0.113.3/32", { nextHop: "198.18.0.3" });
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type BgpDaemon, type BgpRoute, type Family, familyOf, type SessionState } from "./bgp-route.js";
import { runCommand } from "./command.js";
import { type GobgpConfig, gobgpConfig } from "./gobgp-config.js";
import { gobgpRoutes, gobgpSessionState } from "./gobgp-output.js";
import { parseJson } from "./json.js";
import type { Netns } from "./netns.js";
import { type ManagedProcess, startProcess, waitFor } from "./process.js";
import { makeTempDir } from "./temp-dir.js";

export interface GobgpRouteAttributes {
  readonly nextHop?: string;
  readonly origin?: "igp" | "egp" | "incomplete";
  readonly med?: number;
  readonly localPref?: number;
  /** "65000:1", "no-export", … */
  readonly communities?: readonly string[];
  /** "4200000001:1:2" */
  readonly largeCommunities?: readonly string[];
}

export class Gobgp implements BgpDaemon {
  readonly kind = "gobgp";
  readonly dir: string;
  readonly target: string;
  #process: ManagedProcess | undefined;
  #config: GobgpConfig;

  private constructor(
    readonly ns: Netns,
    readonly name: string,
    config: GobgpConfig,
  ) {
    this.#config = config;
    this.dir = makeTempDir(name);
    this.target = `unix://${join(this.dir, "gobgp.sock")}`;
  }

  static async start(ns: Netns, config: GobgpConfig, options: { name?: string } = {}): Promise<Gobgp> {
    const g = new Gobgp(ns, options.name ?? "gobgp", config);
    await g.#launch(false);
    return g;
  }

  get config(): GobgpConfig {
    return this.#config;
  }

  async #launch(gracefulRestart: boolean): Promise<void> {
    // A SIGKILLed gobgpd leaves its socket file behind, and binding then fails.
    rmSync(this.target.slice("unix://".length), { force: true });
    const configPath = join(this.dir, "gobgpd.toml");
    writeFileSync(configPath, gobgpConfig(this.#config));
    const proc = startProcess({
      name: this.name,
      command: "gobgpd",
      args: [
        "-f",
        configPath,
        "--api-hosts",
        this.target,
        "--pprof-disable",
        "--log-plain",
        ...(gracefulRestart ? ["--graceful-restart"] : []),
      ],
      logDir: this.dir,
      netns: this.ns.name,
    });
    this.#process = proc;
    await waitFor(`${this.name} API`, () => this.gobgp(["global"]).then(() => true), {
      processes: [proc],
      timeoutMs: 10_000,
    });
  }

  /** `gobgp --target unix://<sock> args…` (stdout). */
  async gobgp(args: readonly string[]): Promise<string> {
    const { stdout } = await runCommand("gobgp", ["--target", this.target, ...args]);
    return stdout;
  }

  async sessionState(peer: string): Promise<SessionState> {
    return gobgpSessionState(parseJson(await this.gobgp(["-j", "neighbor"]), "gobgp neighbor"), peer);
  }

  async waitEstablished(peer: string, timeoutMs = 20_000): Promise<void> {
    await waitFor(
      `${this.name}: BGP ${peer} Established`,
      async () => (await this.sessionState(peer)) === "Established",
      {
        timeoutMs,
        processes: this.#process === undefined ? [] : [this.#process],
        describe: () => this.gobgp(["neighbor", peer]),
      },
    );
  }

  /** The global RIB (`gobgp -j global rib -a <afi>`): local and received paths. */
  async routes(family?: Family): Promise<BgpRoute[]> {
    const out: BgpRoute[] = [];
    for (const f of family === undefined ? (["ipv4", "ipv6"] as const) : [family]) {
      const text = await this.gobgp(["-j", "global", "rib", "-a", f]);
      out.push(...gobgpRoutes(parseJson(text.trim() === "" ? "{}" : text, "gobgp rib"), f));
    }
    return out;
  }

  /** What `peer` sent us, before policy (`neighbor <peer> adj-in`). */
  async adjIn(peer: string, family: Family = familyOf(peer)): Promise<BgpRoute[]> {
    const text = await this.gobgp(["-j", "neighbor", peer, "adj-in", "-a", family]);
    return gobgpRoutes(parseJson(text.trim() === "" ? "{}" : text, "gobgp adj-in"), family);
  }

  async addRoute(prefix: string, attrs: GobgpRouteAttributes = {}): Promise<void> {
    const args = ["global", "rib", "-a", familyOf(prefix), "add", prefix];
    if (attrs.origin !== undefined) args.push("origin", attrs.origin);
    if (attrs.nextHop !== undefined) args.push("nexthop", attrs.nextHop);
    if (attrs.med !== undefined) args.push("med", String(attrs.med));
    if (attrs.localPref !== undefined) args.push("local-pref", String(attrs.localPref));
    if (attrs.communities?.length) args.push("community", attrs.communities.join(","));
    if (attrs.largeCommunities?.length) args.push("large-community", attrs.largeCommunities.join(","));
    await this.gobgp(args);
  }

  async deleteRoute(prefix: string): Promise<void> {
    await this.gobgp(["global", "rib", "-a", familyOf(prefix), "del", prefix]);
  }

  /** Soft reset: "in" sends ROUTE-REFRESH, "out" re-sends our routes. */
  async softReset(
    peer: string,
    direction: "in" | "out" | "both" = "in",
    family: Family = familyOf(peer),
  ): Promise<void> {
    const verb = direction === "both" ? "softreset" : `softreset${direction}`;
    await this.gobgp(["neighbor", peer, verb, "-a", family]);
  }

  /** `neighbor <peer> disable`: Cease/Administrative Shutdown, session stays down. */
  async disableNeighbor(peer: string): Promise<void> {
    await this.gobgp(["neighbor", peer, "disable"]);
  }

  async enableNeighbor(peer: string): Promise<void> {
    await this.gobgp(["neighbor", peer, "enable"]);
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
  }

  /**
   * Stops and starts again. With `graceful`, gobgpd is SIGKILLed (a Cease
   * would end the peer's graceful-restart helper mode) and restarted with -r,
   * which sets the Restart State bit (RFC 4724 §4.1).
   */
  async restart(options: { graceful?: boolean } = {}): Promise<void> {
    if (options.graceful) await this.#process?.kill();
    else await this.stop();
    await this.#launch(options.graceful === true);
  }

  logs(): string {
    return this.#process?.logs() ?? `${this.name}: not started`;
  }
}
