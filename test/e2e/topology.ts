/**
 * The e2e topology for ts-rr (DESIGN.md test address plan only):
 *
 *   node network 198.18.0.0/24, bridge br0 in "router" (router 198.18.0.254):
 *     rr 198.18.0.1, lb1..lb3 198.18.0.11/.12/.13 (the ECMP next hops)
 *   overlay 198.19.0.0/24, bridge ov0 in "rr" (ts-rr 198.19.0.1):
 *     lb1..lb3 198.19.0.11/.12/.13 (dynamic peers of ts-rr)
 *
 * ts-rr and the LB speakers run as child processes (`ip netns exec`), from
 * source with tsx; everything is registered with the harness for cleanup.
 */
import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Bird,
  createBridge,
  createVeth,
  Frr,
  gatewaysOf,
  type KernelRoute,
  type ManagedProcess,
  makeTempDir,
  Netns,
  startProcess,
  waitFor,
} from "../harness/index.js";
import type { LbSpeakerArgs } from "./lb-speaker.js";

export const root = fileURLToPath(new URL("../../", import.meta.url));
const tsx = ["--conditions=@portlb/source", "--import", "tsx"];

export const vip = "203.0.113.10/32";
export const routerAddress = "198.18.0.254";
export const rrAddress = "198.18.0.1";
export const rrOverlay = "198.19.0.1";
export const nodeAddresses = ["198.18.0.11", "198.18.0.12", "198.18.0.13"] as const;
export const overlayAddresses = ["198.19.0.11", "198.19.0.12", "198.19.0.13"] as const;

export interface Topology {
  readonly router: Netns;
  readonly rr: Netns;
  readonly lbs: readonly Netns[];
  readonly dir: string;
}

export async function buildTopology(): Promise<Topology> {
  const router = await Netns.create("router");
  const rr = await Netns.create("rr");
  const lbs = [await Netns.create("lb1"), await Netns.create("lb2"), await Netns.create("lb3")];
  await router.enableForwarding();
  await router.setMultipathHashPolicy(1);
  await createBridge(router, "br0", [`${routerAddress}/24`]);
  await createBridge(rr, "ov0", [`${rrOverlay}/24`]);
  await createVeth(
    { ns: router, ifname: "r-rr", bridge: "br0" },
    { ns: rr, ifname: "eth0", addresses: [`${rrAddress}/24`] },
  );
  for (const [i, ns] of lbs.entries()) {
    await createVeth(
      { ns: router, ifname: `r-lb${i + 1}`, bridge: "br0" },
      { ns, ifname: "eth0", addresses: [`${nodeAddresses[i]}/24`] },
    );
    await createVeth(
      { ns: rr, ifname: `o-lb${i + 1}`, bridge: "ov0" },
      { ns, ifname: "ov0", addresses: [`${overlayAddresses[i]}/24`] },
    );
  }
  return { router, rr, lbs, dir: makeTempDir("e2e-rr") };
}

export interface TsRrOptions {
  readonly maxPeers?: number;
  readonly asns?: readonly number[];
  readonly gracefulRestartTime?: number;
  readonly endOfRibDeferral?: number;
}

export class TsRr {
  readonly admin: string;
  readonly configPath: string;
  #proc: ManagedProcess | undefined;
  #starts = 0;

  constructor(
    readonly ns: Netns,
    readonly dir: string,
    readonly options: TsRrOptions = {},
  ) {
    this.admin = join(dir, "ts-rr-admin.sock");
    this.configPath = join(dir, "ts-rr.yaml");
    const o = options;
    writeFileSync(
      this.configPath,
      [
        "localAs: 65001",
        `routerId: ${rrAddress}`,
        "listen: { address: 0.0.0.0, port: 179 }",
        `gracefulRestartTime: ${o.gracefulRestartTime ?? 0}`,
        ...(o.endOfRibDeferral === undefined ? [] : [`endOfRibDeferral: ${o.endOfRibDeferral}`]),
        "dynamicRanges:",
        "  - name: lb-pods",
        "    prefixes: [198.19.0.0/16]",
        `    asns: [${(o.asns ?? [65001]).join(", ")}]`,
        `    maxPeers: ${o.maxPeers ?? 3}`,
        "    holdTime: 9",
        "    families: [ipv4-unicast]",
        "upstreams:",
        `  - address: ${routerAddress}`,
        "    asn: 65001",
        `    localAddress: ${rrAddress}`,
        "    holdTime: 9",
        "    connectRetryTime: 1",
        "    families: [ipv4-unicast]",
        `admin: { listen: "unix:${this.admin}" }`,
        'metrics: { listen: "127.0.0.1:0" }',
        "log: { level: info }",
        "",
      ].join("\n"),
    );
  }

  get process(): ManagedProcess {
    if (this.#proc === undefined) throw new Error("ts-rr not started");
    return this.#proc;
  }

  /** Starts ts-rr and waits until its admin API answers. */
  async start(): Promise<void> {
    this.#starts++;
    const proc = startProcess({
      name: `ts-rr-${this.#starts}`,
      command: process.execPath,
      args: [...tsx, join(root, "packages/rr/src/cli.ts"), "run", "--config", this.configPath],
      logDir: this.dir,
      netns: this.ns.name,
      cwd: root,
    });
    this.#proc = proc;
    await waitFor("ts-rr admin API", () => this.healthy(), { processes: [proc], timeoutMs: 30_000 });
  }

  async healthy(): Promise<boolean> {
    const h = (await adminGet(this.admin, "/healthz")) as { status?: string };
    return h.status === "ok";
  }

  async neighbors(): Promise<RrNeighbor[]> {
    return (await adminGet(this.admin, "/neighbors")) as RrNeighbor[];
  }
}

export interface RrNeighbor {
  readonly address: string;
  readonly state: string;
  readonly range?: string | null;
  readonly prefixesReceived?: number;
  readonly lastError?: unknown;
}

/** GET on ts-rr's admin API over its unix socket (the file system is shared across namespaces). */
export function adminGet(socketPath: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: "GET", timeout: 2_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => {
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("admin API timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** Our LB speaker (test/e2e/lb-speaker.ts) as a process in `ns`. */
export function startLbSpeaker(ns: Netns, dir: string, name: string, args: LbSpeakerArgs): ManagedProcess {
  return startProcess({
    name,
    command: process.execPath,
    args: [...tsx, join(root, "test/e2e/lb-speaker.ts"), JSON.stringify(args)],
    logDir: dir,
    netns: ns.name,
    cwd: root,
  });
}

/** Standard args for LB i (0-based): iBGP to ts-rr from the overlay, VIP with the node address as next hop. */
export function lbArgs(i: number): LbSpeakerArgs {
  return {
    localAs: 65001,
    routerId: overlayAddresses[i] ?? "",
    neighbor: rrOverlay,
    neighborAs: 65001,
    localAddress: overlayAddresses[i] ?? "",
    announce: vip,
    nextHop: nodeAddresses[i] ?? "",
  };
}

export type RouterKind = "bird" | "frr";

/** The upstream router: iBGP AS 65001 with ts-rr, ADD-PATH receive, multipath into the kernel FIB. */
export async function startRouter(
  kind: RouterKind,
  ns: Netns,
  options: { gracefulRestart?: boolean } = {},
): Promise<Bird | Frr> {
  if (kind === "bird") {
    return Bird.start(
      ns,
      {
        routerId: routerAddress,
        kernel: { mergePaths: true, families: ["ipv4"] },
        // iBGP next hops resolve recursively (BIRD's default) through the connected node network.
        extra: 'protocol direct { ipv4; interface "br0"; }',
        neighbors: [
          {
            name: "tsrr",
            localAddress: routerAddress,
            localAs: 65001,
            address: rrAddress,
            as: 65001,
            addPaths: "rx",
            export: "none",
            ...(options.gracefulRestart ? { gracefulRestart: "aware" as const } : {}),
          },
        ],
      },
      { name: "bird-router" },
    );
  }
  return Frr.start(
    ns,
    {
      as: 65001,
      routerId: routerAddress,
      maximumPaths: 8,
      ...(options.gracefulRestart ? { gracefulRestart: true } : {}),
      neighbors: [{ address: rrAddress, as: "internal", updateSource: routerAddress }],
    },
    { name: "frr-router", zebra: true },
  );
}

/** The router's kernel route for the VIP once it has exactly `width` next hops. */
export function waitKernelWidth(
  router: Netns,
  width: number,
  options: { timeoutMs?: number; intervalMs?: number; processes?: readonly ManagedProcess[] } = {},
): Promise<KernelRoute> {
  return waitFor(
    `router: kernel route ${vip} with ${width} next hop(s)`,
    async () => {
      const r = await router.route(vip);
      return r !== undefined && gatewaysOf(r).length === width ? r : undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? 20_000,
      intervalMs: options.intervalMs ?? 50,
      ...(options.processes === undefined ? {} : { processes: options.processes }),
      describe: async () => JSON.stringify(await router.routes({ family: 4 })),
    },
  );
}

/** Width of the VIP's kernel route now (0 = absent). */
export async function kernelWidth(router: Netns): Promise<number> {
  const r = await router.route(vip);
  return r === undefined ? 0 : gatewaysOf(r).length;
}

/** The JSON lines the LB speaker printed (neighbor status changes). */
export interface LbEvent {
  readonly event: string;
  readonly state?: string;
  readonly lastError?: {
    readonly event?: string;
    readonly received?: { readonly code: number; readonly subcode: number };
    readonly sent?: { readonly code: number; readonly subcode: number };
  };
}
