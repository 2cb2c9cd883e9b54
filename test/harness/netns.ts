/**
 * Network namespaces and what lives in them: veth pairs, bridges, addresses,
 * routes, sysctls, commands run inside, and the kernel routing table read as
 * JSON. All traffic of a test stays inside namespaces created here, on the
 * DESIGN.md test address plan (198.18.0.0/24, 198.19.0.0/16, 2001:db8::/32…).
 *
 * Names are `portlb-<pid>-<n>-<label>`. Every namespace is registered for
 * cleanup (deleting it also deletes its links, and a veth with its peer). The
 * first namespace of a process sweeps leftovers of crashed runs: `portlb-<pid>-`
 * namespaces whose creator PID no longer exists, and a name collision with a
 * leftover of a dead process that had our PID.
 */
import { execFileSync } from "node:child_process";
import { type CleanupHandle, cleanupRegistry } from "./cleanup-registry.js";
import { CommandError, type CommandOptions, type CommandResult, runCommand } from "./command.js";
import { type KernelRoute, parseKernelRoutes, sameDestination } from "./kernel-routes.js";

const namePattern = /^portlb-(\d+)-/;
let sequence = 0;
let swept = false;

/** Whether a process with this PID exists (EPERM still means it exists). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Names of all namespaces on the host (`ip netns list`). */
export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await runCommand("ip", ["netns", "list"]);
  return stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((n) => n !== "");
}

/** Deletes `portlb-<pid>-*` namespaces whose creator process is gone; returns their names. */
export async function removeStaleNamespaces(): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await listNamespaces()) {
    const pid = Number(namePattern.exec(name)?.[1] ?? Number.NaN);
    if (Number.isNaN(pid) || pid === process.pid || pidAlive(pid)) continue;
    await runCommand("ip", ["netns", "del", name], { allowFailure: true });
    removed.push(name);
  }
  return removed;
}

export type IpFamily = 4 | 6;

export interface RouteQuery {
  readonly family?: IpFamily;
  /** Only this destination ("203.0.113.10/32" matches ip's "203.0.113.10"). */
  readonly dst?: string;
  readonly table?: string;
}

export class Netns {
  #cleanup: CleanupHandle;

  private constructor(
    readonly name: string,
    readonly label: string,
  ) {
    this.#cleanup = cleanupRegistry.register({
      label: `netns ${name}`,
      run: () => this.#delete(),
      runSync: () => {
        try {
          execFileSync("ip", ["netns", "del", name], { stdio: "ignore" });
        } catch {
          // already gone
        }
      },
    });
  }

  /** Creates a namespace with `lo` up. `label` is a short role: "router", "lb1". */
  static async create(label: string): Promise<Netns> {
    if (!swept) {
      swept = true;
      await removeStaleNamespaces();
    }
    const safe = label.replace(/[^a-zA-Z0-9_-]/g, "-").slice(0, 32);
    const name = `portlb-${process.pid}-${++sequence}-${safe}`;
    const add = (): Promise<CommandResult> =>
      runCommand("ip", ["netns", "add", name], { allowFailure: true });
    let result = await add();
    if (result.code !== 0 && /exists/i.test(result.stderr)) {
      // Not ours (we never reuse a name): a leftover of a dead process that had our PID.
      await runCommand("ip", ["netns", "del", name], { allowFailure: true });
      result = await add();
    }
    if (result.code !== 0) throw new CommandError(`ip netns add ${name}`, result);
    const ns = new Netns(name, safe);
    await ns.ip(["link", "set", "lo", "up"]);
    return ns;
  }

  /** Runs `file args…` inside the namespace. */
  exec(
    file: string,
    args: readonly string[],
    options: Omit<CommandOptions, "netns"> = {},
  ): Promise<CommandResult> {
    return runCommand(file, args, { ...options, netns: this.name });
  }

  /** `ip -n <ns> args…` */
  ip(args: readonly string[], options: Omit<CommandOptions, "netns"> = {}): Promise<CommandResult> {
    return runCommand("ip", ["-n", this.name, ...args], options);
  }

  /** `sysctl -w key=value` inside the namespace (net.* sysctls are per namespace). */
  async sysctl(key: string, value: string | number): Promise<void> {
    await this.exec("sysctl", ["-q", "-w", `${key}=${value}`]);
  }

  /** IPv4 and IPv6 forwarding on. */
  async enableForwarding(): Promise<void> {
    await this.sysctl("net.ipv4.ip_forward", 1);
    await this.sysctl("net.ipv6.conf.all.forwarding", 1);
  }

  /** ECMP hash: 0 = L3, 1 = L4 (5-tuple), 2 = L3 or inner L3, 3 = custom; for IPv4 and IPv6. */
  async setMultipathHashPolicy(policy: 0 | 1 | 2 | 3): Promise<void> {
    await this.sysctl("net.ipv4.fib_multipath_hash_policy", policy);
    await this.sysctl("net.ipv6.fib_multipath_hash_policy", policy);
  }

  /** Adds "198.18.0.1/24" or "2001:db8::1/64" (IPv6 without DAD, usable at once). */
  async addAddress(dev: string, cidr: string): Promise<void> {
    const nodad = cidr.includes(":") ? ["nodad"] : [];
    await this.ip(["addr", "add", cidr, "dev", dev, ...nodad]);
  }

  async linkUp(dev: string): Promise<void> {
    await this.ip(["link", "set", dev, "up"]);
  }

  /** `ip route replace <dst> <spec…>`, e.g. `["via", "198.18.0.1"]` or `["dev", "br0"]`. */
  async addRoute(dst: string, spec: readonly string[]): Promise<void> {
    const family = dst.includes(":") ? ["-6"] : ["-4"];
    await this.ip([...family, "route", "replace", dst, ...spec]);
  }

  /** An ECMP route with one leg per gateway (`nexthop via …`). */
  async addMultipathRoute(dst: string, gateways: readonly string[]): Promise<void> {
    await this.addRoute(
      dst,
      gateways.flatMap((gw) => ["nexthop", "via", gw]),
    );
  }

  /** The kernel routing table (`ip -j route show`), main table unless `table` is given. */
  async routes(query: RouteQuery = {}): Promise<KernelRoute[]> {
    const families: IpFamily[] =
      query.family !== undefined
        ? [query.family]
        : query.dst !== undefined
          ? [query.dst.includes(":") ? 6 : 4]
          : [4, 6];
    const out: KernelRoute[] = [];
    for (const family of families) {
      const table = query.table === undefined ? [] : ["table", query.table];
      const { stdout } = await this.ip(["-j", `-${family}`, "route", "show", ...table]);
      out.push(...parseKernelRoutes(stdout.trim() === "" ? "[]" : stdout));
    }
    const dst = query.dst;
    return dst === undefined ? out : out.filter((r) => sameDestination(r.dst, dst));
  }

  /** The kernel route for exactly `dst`, if any. */
  async route(dst: string): Promise<KernelRoute | undefined> {
    return (await this.routes({ dst }))[0];
  }

  /** Deletes the namespace now (normally left to cleanupAll). */
  async delete(): Promise<void> {
    this.#cleanup.release();
    await this.#delete();
  }

  async #delete(): Promise<void> {
    const result = await runCommand("ip", ["netns", "del", this.name], { allowFailure: true });
    if (result.code !== 0 && !/No such file/i.test(result.stderr)) {
      throw new CommandError(`ip netns del ${this.name}`, result);
    }
  }
}

export interface VethEnd {
  readonly ns: Netns;
  /** Interface name, at most 15 characters; unique within its namespace. */
  readonly ifname: string;
  /** CIDRs to assign, IPv4 and/or IPv6. */
  readonly addresses?: readonly string[];
  /** Enslave this end to a bridge in its namespace instead of addressing it. */
  readonly bridge?: string;
}

export interface VethOptions {
  /**
   * Whether the kernel gives the ends an fe80:: address (default true). With
   * false (`addrgenmode none`) a BGP daemon cannot put a link-local next hop in
   * MP_REACH, which FRR 8.4 rejects from a peer it has no interface for.
   */
  readonly linkLocal?: boolean;
  /**
   * IPv6 duplicate address detection on the link (default false): with DAD
   * the fe80:: address stays "tentative" for a second or two after link-up,
   * and FRR (with zebra) refuses an IPv6 session until it is usable.
   */
  readonly dad?: boolean;
}

/** A veth pair between two namespaces (created directly inside them, never in the host namespace). */
export async function createVeth(a: VethEnd, b: VethEnd, options: VethOptions = {}): Promise<void> {
  await a.ns.ip(["link", "add", a.ifname, "type", "veth", "peer", "name", b.ifname, "netns", b.ns.name]);
  for (const end of [a, b]) {
    await prepareLink(end.ns, end.ifname, options);
    if (end.bridge !== undefined) await end.ns.ip(["link", "set", end.ifname, "master", end.bridge]);
    for (const cidr of end.addresses ?? []) await end.ns.addAddress(end.ifname, cidr);
    await end.ns.linkUp(end.ifname);
  }
}

/** A bridge in `ns` (up, optionally addressed); attach veth ends with `VethEnd.bridge`. */
export async function createBridge(
  ns: Netns,
  name: string,
  addresses: readonly string[] = [],
  options: VethOptions = {},
): Promise<void> {
  await ns.ip(["link", "add", name, "type", "bridge"]);
  await prepareLink(ns, name, options);
  for (const cidr of addresses) await ns.addAddress(name, cidr);
  await ns.linkUp(name);
}

/** Before link-up: IPv6 link-local generation and DAD as requested. */
async function prepareLink(ns: Netns, dev: string, options: VethOptions): Promise<void> {
  if (options.linkLocal === false) await ns.ip(["link", "set", dev, "addrgenmode", "none"]);
  if (options.dad !== true) await ns.sysctl(`net.ipv6.conf.${dev}.accept_dad`, 0);
}
