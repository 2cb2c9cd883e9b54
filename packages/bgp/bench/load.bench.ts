/**
 * `pnpm bench:load`: load 1,000,000 IPv4 prefixes from one iBGP peer over a
 * real TCP socket (loopback, 127.0.10.0/24) into a speaker's Loc-RIB.
 * Baselines in the same run, fed by the same injector with the same bytes:
 * BIRD 2, FRR (bgpd) and GoBGP from Debian's packages, each a private
 * instance with its own config and control socket in a temp dir.
 *
 * Time: from the first UPDATE octet handed to the socket until the target
 * reports the whole table (portlb: its own line; daemons: their CLI polled
 * every 20 ms). Memory: the target process's peak RSS (VmHWM). Our target
 * runs compiled (bench/compile.ts), as the daemons do in production.
 *
 *     pnpm bench:load [--prefixes N] [--only portlb,bird,frr,gobgp] [--runs 3]
 *
 * Each target runs `--runs` times, interleaved; the ratios use the medians.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Afi, encodeUpdate, endOfRib, makeContext } from "../src/wire/index.js";
import { compileForBench } from "./compile.js";
import { inject } from "./injector.js";
import { blocks, makeV4, packTable } from "./table.js";

const { values } = parseArgs({
  options: {
    prefixes: { type: "string", default: "1000000" },
    only: { type: "string", default: "portlb,bird,frr,gobgp" },
    timeout: { type: "string", default: "180" },
    runs: { type: "string", default: "3" },
  },
});
const count = Number(values.prefixes);
const targets = values.only.split(",");
const timeoutMs = Number(values.timeout) * 1000;
const runs = Number(values.runs);
const here = new URL(".", import.meta.url).pathname;
const compiledTarget = compileForBench(join(here, "load-target.ts"));
process.on("exit", () => compiledTarget.dispose());
/** Extra V8 flags for the portlb target, e.g. PORTLB_NODE_FLAGS="--max-semi-space-size=64". */
const nodeFlags = (process.env.PORTLB_NODE_FLAGS ?? "").split(" ").filter(Boolean);
const address = "127.0.10.1";
const injectorAddress = "127.0.10.2";
const ctx = makeContext({ fourOctetAs: true });
// NEXT_HOP is data only (FRR refuses a loopback next hop as martian); nothing is sent to it.
// AS_PATH starts with another AS: the daemons drop iBGP routes that carry their own AS (a loop).
const messages = packTable(
  blocks(Afi.Ipv4, makeV4(count), 5000, { nextHop: "198.18.0.2", localPref: 100, firstAs: 65010 }),
  ctx,
);
messages.push(encodeUpdate(endOfRib(Afi.Ipv4, 1), ctx));
const bytes = messages.reduce((n, m) => n + m.length, 0);
console.log(`bench load-input prefixes=${count} messages=${messages.length} bytes=${bytes}`);

interface Target {
  readonly name: string;
  readonly port: number;
  start(dir: string): ChildProcess;
  /** The pid whose RSS counts (the daemon itself). */
  pid(child: ChildProcess, dir: string): number;
  /** Resolves when the table is loaded. */
  loaded(child: ChildProcess, dir: string): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function poll(what: string, probe: () => number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let n = 0;
    try {
      n = probe();
    } catch {
      n = 0;
    }
    if (n >= count) return;
    if (Date.now() > end) throw new Error(`${what}: timed out with ${n} of ${count} prefixes`);
    await sleep(20);
  }
}

/** CPU seconds (user + system) the process has used: /proc/<pid>/stat fields 14 and 15. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100;
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

const portlb: Target = {
  name: "portlb",
  port: 1790,
  start: () =>
    spawn(
      process.execPath,
      [...nodeFlags, compiledTarget.file, "--port", "1790", "--expect", String(count)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    ),
  pid: (child) => child.pid!,
  loaded: (child) =>
    new Promise((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("loaded")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`portlb target exited ${code}`)));
    }),
};

const bird: Target = {
  name: "bird",
  port: 1791,
  start(dir) {
    writeFileSync(
      join(dir, "bird.conf"),
      `router id ${address};
protocol device {}
protocol bgp inj {
  local ${address} port 1791 as 65001;
  neighbor ${injectorAddress} as 65001;
  passive on;
  hold time 240;
  ipv4 { import all; export none; };
}
`,
    );
    return spawn(
      "bird",
      ["-f", "-c", join(dir, "bird.conf"), "-s", join(dir, "bird.ctl"), "-P", join(dir, "bird.pid")],
      {
        stdio: "ignore",
      },
    );
  },
  pid: (child) => child.pid!,
  loaded: (_c, dir) =>
    poll("bird", () => {
      const out = execFileSync("birdc", ["-s", join(dir, "bird.ctl"), "show", "route", "count"], {
        encoding: "utf8",
      });
      return Number(/(\d+) of \d+ routes/.exec(out)?.[1] ?? 0);
    }),
};

const frr: Target = {
  name: "frr",
  port: 1792,
  start(dir) {
    writeFileSync(
      join(dir, "bgpd.conf"),
      `router bgp 65001
 bgp router-id ${address}
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor ${injectorAddress} remote-as 65001
 neighbor ${injectorAddress} passive
 neighbor ${injectorAddress} timers 80 240
 address-family ipv4 unicast
  neighbor ${injectorAddress} activate
 exit-address-family
`,
    );
    return spawn(
      "/usr/lib/frr/bgpd",
      [
        "-Z",
        "-n",
        "-S",
        "-u",
        "root",
        "-g",
        "root",
        "-f",
        join(dir, "bgpd.conf"),
        "-i",
        join(dir, "bgpd.pid"),
        "--vty_socket",
        dir,
        "-z",
        join(dir, "zserv.api"),
        "-P",
        "0",
        "-p",
        "1792",
        "-l",
        address,
        "--log",
        `file:${join(dir, "bgpd.log")}`,
      ],
      { stdio: "ignore" },
    );
  },
  pid: (child) => child.pid!,
  loaded: (_c, dir) =>
    poll("frr", () => {
      const out = execFileSync(
        "vtysh",
        ["--vty_socket", dir, "-d", "bgpd", "-c", "show bgp ipv4 unicast summary json"],
        { encoding: "utf8" },
      );
      const json = JSON.parse(out) as { peers?: Record<string, { pfxRcd?: number }> };
      return json.peers?.[injectorAddress]?.pfxRcd ?? 0;
    }),
};

const gobgp: Target = {
  name: "gobgp",
  port: 1793,
  start(dir) {
    writeFileSync(
      join(dir, "gobgpd.toml"),
      `[global.config]
  as = 65001
  router-id = "${address}"
  port = 1793
  local-address-list = ["${address}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${injectorAddress}"
    peer-as = 65001
  [neighbors.timers.config]
    hold-time = 240
  [neighbors.transport.config]
    passive-mode = true
`,
    );
    return spawn(
      "gobgpd",
      ["-f", join(dir, "gobgpd.toml"), "--api-hosts", "127.0.0.1:50079", "--pprof-disable"],
      {
        stdio: "ignore",
      },
    );
  },
  pid: (child) => child.pid!,
  loaded: () =>
    poll("gobgp", () => {
      const out = execFileSync("gobgp", ["-p", "50079", "global", "rib", "-a", "ipv4", "summary"], {
        encoding: "utf8",
        timeout: 5000,
      });
      return Number(/Destination:\s*(\d+)/.exec(out)?.[1] ?? 0);
    }),
};

const all = [portlb, bird, frr, gobgp].filter((t) => targets.includes(t.name));
/** cpu: the target's CPU seconds during the load — steadier than wall time on a busy machine. */
interface RunResult {
  readonly seconds: number;
  readonly rss: number;
  readonly cpu: number;
}
/** Every run of every target; the summary takes each figure's median (this machine's timings vary by ±30 %). */
const results: Record<string, RunResult[]> = {};

async function runOnce(t: Target): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `portlb-load-${t.name}-`));
  const child = t.start(dir);
  try {
    const injection = await inject({
      host: address,
      port: t.port,
      localAddress: injectorAddress,
      asn: 65001,
      routerId: injectorAddress,
      messages,
    });
    const cpu0 = cpuSeconds(t.pid(child, dir));
    await t.loaded(child, dir);
    const seconds = Number(process.hrtime.bigint() - injection.startedAt) / 1e9;
    const cpu = cpuSeconds(t.pid(child, dir)) - cpu0;
    const rss = peakRss(t.pid(child, dir));
    const list = results[t.name] ?? [];
    list.push({ seconds, rss, cpu });
    results[t.name] = list;
    console.log(
      `bench load-${t.name} prefixes=${count} seconds=${seconds.toFixed(3)} prefixes_per_s=${Math.round(count / seconds)} ` +
        `cpu_s=${cpu.toFixed(2)} peak_rss_mb=${(rss / 1e6).toFixed(0)} rss_bytes_per_prefix=${Math.round(rss / count)}`,
    );
    injection.close();
  } catch (err) {
    console.log(`bench load-${t.name} error=${JSON.stringify(String(err))}`);
  } finally {
    child.kill("SIGTERM");
    await sleep(300);
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

// Runs are interleaved (portlb, bird, ..., portlb, bird, ...), so slow phases of the machine hit every target.
for (let r = 0; r < runs; r++) {
  for (const t of all) {
    if (t.name !== "portlb" && !existsSync("/usr/sbin/bird") && t.name === "bird") continue;
    await runOnce(t);
  }
}
const summary: Record<string, RunResult> = {};
for (const [name, rs] of Object.entries(results)) {
  const m = {
    seconds: median(rs.map((x) => x.seconds)),
    cpu: median(rs.map((x) => x.cpu)),
    rss: median(rs.map((x) => x.rss)),
  };
  summary[name] = m;
  console.log(
    `median load-${name} runs=${rs.length} seconds=${m.seconds.toFixed(3)} cpu_s=${m.cpu.toFixed(2)} ` +
      `peak_rss_mb=${(m.rss / 1e6).toFixed(0)}`,
  );
}
const ours = summary.portlb;
if (ours !== undefined) {
  for (const [name, r] of Object.entries(summary)) {
    if (name === "portlb") continue;
    console.log(
      `ratio portlb/${name} time=${(ours.seconds / r.seconds).toFixed(2)} cpu=${(ours.cpu / r.cpu).toFixed(2)} ` +
        `rss=${(ours.rss / r.rss).toFixed(2)}`,
    );
  }
  const bird = summary.bird;
  if (bird !== undefined) {
    const met = ours.seconds <= 1.5 * bird.seconds;
    console.log(
      `target load-vs-bird portlb/bird=${(ours.seconds / bird.seconds).toFixed(2)} goal<=1.5 ${met ? "MET" : "NOT MET"}`,
    );
  }
  const perPrefix = ours.rss / count;
  console.log(
    `target rss-per-prefix portlb=${Math.round(perPrefix)}B goal<500B ${perPrefix < 500 ? "MET" : "NOT MET"}`,
  );
}
