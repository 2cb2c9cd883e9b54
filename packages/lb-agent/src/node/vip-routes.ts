/**
 * Makes the VIPs local in the LB pod's network namespace, as the paper's
 * `ip route add local <VIP> dev <if>`: a `local` route in the `local` table
 * makes the kernel accept packets for the VIP (so IPVS sees them at
 * LOCAL_IN) without assigning the address to an interface (no ARP/ND
 * answers, no source-address selection surprises).
 *
 *     ip -4 route replace local 203.0.113.10/32 dev lo table local proto 245
 *     ip -6 route replace local 2001:db8::10/128 dev lo table local proto 245
 *
 * Our routes carry the route protocol 245 ("portlb"): that is how a sync
 * finds the routes it owns, also ones left by a previous run, and removes
 * those no longer wanted; every other route is left alone, and a VIP that is
 * already local through someone else's route (an address on an interface)
 * is not touched. Idempotent: a sync that finds everything in place runs
 * only the two `ip -j route show` reads.
 */
import { isIP } from "node:net";
import { canonicalAddress } from "../ipvs/ip-address.js";
import { NodeError, NodeErrorCode } from "./node-error.js";
import type { CommandRunner } from "./run-command.js";

/** The route protocol number that marks portlb's routes (rt_protos: unassigned). */
export const portlbRouteProtocol = 245;

export interface VipRoutesOptions {
  readonly run: CommandRunner;
  /** argv prefix of `ip` (default ["ip"]; tests: ["ip", "-n", ns]). */
  readonly ip?: readonly string[];
  /** The interface the local routes point at (default "lo"). */
  readonly device?: string;
}

interface LocalRoute {
  readonly dst: string;
  readonly dev: string;
  readonly ours: boolean;
}

export interface RouteChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Wanted VIPs that were already local through a route that is not ours. */
  readonly foreign: readonly string[];
}

function isRouteList(value: unknown): value is { dst?: unknown; dev?: unknown; protocol?: unknown }[] {
  return Array.isArray(value) && value.every((r) => typeof r === "object" && r !== null);
}

export class VipRoutes {
  readonly #run: CommandRunner;
  readonly #ip: readonly string[];
  readonly #device: string;

  constructor(options: VipRoutesOptions) {
    this.#run = options.run;
    this.#ip = options.ip ?? ["ip"];
    this.#device = options.device ?? "lo";
  }

  /** The host routes of the local table, ours marked. @throws never: errors are returned. */
  async list(): Promise<LocalRoute[] | NodeError> {
    const routes: LocalRoute[] = [];
    for (const family of ["-4", "-6"] as const) {
      const argv = [...this.#ip, "-j", family, "route", "show", "table", "local", "type", "local"];
      const result = await this.#run(argv);
      if (!result.ok) return result.error;
      let parsed: unknown;
      try {
        parsed = JSON.parse(result.stdout.trim() === "" ? "[]" : result.stdout);
      } catch (error) {
        return new NodeError(NodeErrorCode.ParseError, `${argv.join(" ")}: not JSON: ${String(error)}`, {
          command: argv.join(" "),
          cause: error,
        });
      }
      if (!isRouteList(parsed)) {
        return new NodeError(NodeErrorCode.ParseError, `${argv.join(" ")}: not a route list`, {
          command: argv.join(" "),
        });
      }
      for (const r of parsed) {
        if (typeof r.dst !== "string" || isIP(r.dst) === 0) continue; // prefixes (127.0.0.0/8) are not VIPs
        routes.push({
          dst: canonicalAddress(r.dst).text,
          dev: typeof r.dev === "string" ? r.dev : "",
          ours: String(r.protocol) === String(portlbRouteProtocol),
        });
      }
    }
    return routes;
  }

  /** Makes exactly `vips` local through our routes (adding and removing). */
  async sync(vips: readonly string[]): Promise<RouteChanges | NodeError> {
    const routes = await this.list();
    if (routes instanceof NodeError) return routes;
    const wanted = new Set(vips.map((v) => canonicalAddress(v).text));
    const added: string[] = [];
    const removed: string[] = [];
    const foreign: string[] = [];
    for (const vip of wanted) {
      const existing = routes.filter((r) => r.dst === vip);
      if (existing.some((r) => r.ours && r.dev === this.#device)) continue;
      if (existing.some((r) => !r.ours)) {
        foreign.push(vip);
        continue;
      }
      const failed = await this.#change("replace", vip, this.#device);
      if (failed !== null) return failed;
      added.push(vip);
    }
    for (const r of routes) {
      if (!r.ours || (wanted.has(r.dst) && r.dev === this.#device)) continue;
      const failed = await this.#change("del", r.dst, r.dev);
      if (failed !== null) return failed;
      removed.push(r.dst);
    }
    return { added, removed, foreign };
  }

  /** Removes every route of ours. */
  async removeAll(): Promise<RouteChanges | NodeError> {
    return this.sync([]);
  }

  async #change(verb: "replace" | "del", vip: string, device: string): Promise<NodeError | null> {
    const v6 = vip.includes(":");
    const argv = [
      ...this.#ip,
      v6 ? "-6" : "-4",
      "route",
      verb,
      "local",
      `${vip}/${v6 ? 128 : 32}`,
      "dev",
      device,
      "table",
      "local",
      "proto",
      String(portlbRouteProtocol),
    ];
    const result = await this.#run(argv);
    if (result.ok) return null;
    // already gone (someone else removed it): the goal is reached
    if (verb === "del" && /No such process/.test(result.error.stderr)) return null;
    return result.error;
  }
}
