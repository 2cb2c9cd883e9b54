/**
 * `pnpm demo` — the routing half of the architecture, live, on one machine
 * (as root; BIRD 2 from Debian). In network namespaces (DESIGN.md address
 * plan only; the topology of the e2e suite, topology.ts):
 *
 *     lb1..lb3 (@portlb/bgp speakers, 198.19.0.11-13 on the pod overlay)
 *        │  iBGP, dynamic peers          announce 203.0.113.10/32
 *        ▼                               NEXT_HOP = their node address 198.18.0.11-13
 *     ts-rr (198.19.0.1 / 198.18.0.1)  ── ADD-PATH, every path ──>  router (BIRD 2, multipath)
 *                                                                   kernel: one route, three next hops
 *
 * It prints the router's kernel route and ts-rr's own view (`ts-rr
 * neighbors` / `ts-rr routes`), crashes one LB speaker (SIGKILL) and stops
 * another (SIGTERM, Cease), printing the route after each, then removes
 * every namespace and process it made. The IPVS half (lb-agent) needs a
 * kernel with IPVS: see test/vm.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cleanupAll, gatewaysOf } from "../harness/index.js";
import {
  buildTopology,
  lbArgs,
  root,
  rrAddress,
  startLbSpeaker,
  startRouter,
  TsRr,
  vip,
  waitKernelWidth,
} from "./topology.js";

function say(text: string): void {
  process.stdout.write(`\n== ${text}\n`);
}

function show(command: string, args: readonly string[]): void {
  process.stdout.write(`$ ${command} ${args.join(" ")}\n`);
  process.stdout.write(execFileSync(command, args, { encoding: "utf8", cwd: root }));
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the demo creates network namespaces: run it as root");
  if (!existsSync("/usr/sbin/bird")) throw new Error("BIRD 2 is missing: apt-get install -y bird2");

  say("network namespaces: router, ts-rr, lb1..lb3 (198.18.0.0/24 node network, 198.19.0.0/16 overlay)");
  const topo = await buildTopology();
  const rr = new TsRr(topo.rr, topo.dir);
  await rr.start();
  const router = await startRouter("bird", topo.router);
  const lbs = topo.lbs.map((ns, i) => startLbSpeaker(ns, topo.dir, `lb${i + 1}`, lbArgs(i)));
  await router.waitEstablished(rrAddress);
  const three = await waitKernelWidth(topo.router, 3, { processes: [rr.process, ...lbs] });

  say(`the router's kernel route for ${vip}: ECMP over the three LB nodes`);
  show("ip", ["-n", topo.router.name, "route", "show", vip]);
  const tsRr = [join(root, "packages/rr/src/cli.ts")];
  const node = [process.execPath, "--conditions=@portlb/source", "--import", "tsx"];
  say("ts-rr's sessions and the paths it reflects (ADD-PATH: all three)");
  show(node[0]!, [...node.slice(1), ...tsRr, "neighbors", "--admin", `unix:${rr.admin}`]);
  show(node[0]!, [...node.slice(1), ...tsRr, "routes", "--admin", `unix:${rr.admin}`]);

  say("lb1 crashes (SIGKILL): its next hop leaves the route");
  const t0 = Date.now();
  await lbs[0]?.kill();
  await waitKernelWidth(topo.router, 2, { timeoutMs: 5_000, intervalMs: 20 });
  process.stdout.write(`(${Date.now() - t0} ms)\n`);
  show("ip", ["-n", topo.router.name, "route", "show", vip]);

  say("lb2 stops gracefully (SIGTERM: Cease/Administrative Shutdown)");
  const t1 = Date.now();
  lbs[1]?.signal("SIGTERM");
  const one = await waitKernelWidth(topo.router, 1, { timeoutMs: 5_000, intervalMs: 20 });
  process.stdout.write(`(${Date.now() - t1} ms)\n`);
  show("ip", ["-n", topo.router.name, "route", "show", vip]);

  say(`done: next hops ${gatewaysOf(three).length} -> 2 -> ${gatewaysOf(one).length}; cleaning up`);
}

let failed = false;
try {
  await main();
} catch (err) {
  failed = true;
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
} finally {
  await cleanupAll();
}
process.exit(failed ? 1 : 0);
