/**
 * `pnpm bench:rr` — issue 4's route-reflector benchmark, the bgperf method on
 * this machine, over loopback only:
 *
 *   injector (this process, 127.0.12.1) --N prefixes--> reflector (127.0.11.x)
 *       --> M receivers (one child process, 127.0.12.129...)
 *
 * The injector (packages/bgp/bench/injector.ts) writes the synthetic table
 * (packages/bgp/bench/table.ts: N unique IPv4 prefixes, 5,000 per attribute
 * set, End-of-RIB) as fast as the socket takes it; the receivers
 * (receivers.ts) count distinct prefixes. Time runs from the first UPDATE
 * octet the injector writes to the moment the last receiver holds all N
 * (both ends read CLOCK_MONOTONIC). Memory is the reflector process's peak
 * RSS (VmHWM; FRR: bgpd). ts-rr, BIRD 2, FRR (bgpd, no zebra) and GoBGP run
 * as the reflector in turn, in the same invocation, with the same bytes.
 *
 * Also measured: the floor (M injections straight into the M receivers, no
 * reflector: what the harness itself costs), and 1,000 dynamic peers: ts-rr
 * with a listen range of 127.11.0.0/20, 1,000 sessions from distinct
 * addresses opened at once; time until every one is Established, and
 * ts-rr's peak RSS.
 *
 *     pnpm bench:rr [--sizes 100k:10,1m:1] [--targets ts-rr,bird,frr,gobgp]
 *                   [--peers 1000] [--timeout 240] [--repeat 1] [--no-floor]
 *                   [--ts-rr bundle|source] [--baseline ts-rr.mjs]
 *
 * `--repeat R` runs every reflector R times per size, interleaved (ts-rr,
 * bird, ..., ts-rr, bird, ...) so that a busy spell of the machine hits
 * them alike, and reports the medians (time, CPU, peak RSS); the ratios and
 * targets use the medians. `--baseline FILE` adds ts-rr run from another
 * bundle (target `ts-rr-base`, e.g. built from the last commit; run as
 * `node FILE`, without ts-rr's V8 flags), so that a change is measured
 * against the code before it in the same invocation. `--ts-rr source`
 * runs the daemon through tsx instead of a bundle (adds tsx's ~40 MB loader
 * to its RSS). ts-rr always runs with the V8 flags of its cli's #! line.
 *
 * Lines: `bench rr-<target> n=.. m=.. seconds=.. cpu_s=.. peak_rss_mb=..`
 * (`cpu_s`: the reflector's user + system CPU time during the run, steadier
 * than wall time on a busy machine), `ratio ts-rr/<target> n=.. m=..
 * time=.. cpu=.. rss=..`, `target ... MET|NOT MET`.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { Afi, encodeUpdate, endOfRib, makeContext } from "@portlb/bgp/wire";
import { type Injection, inject } from "../../bgp/bench/injector.js";
import { blocks, makeV4, packTable } from "../../bgp/bench/table.js";
import {
  cpuSeconds,
  exitOf,
  installCleanup,
  logTail,
  procStatusKb,
  removeDir,
  stop,
  tempDir,
  track,
  withTimeout,
} from "./bench-processes.js";
import { runPeers } from "./dynamic-peers.js";
import { startReceivers } from "./receiver-process.js";
import { bundleTsRr, type Clients, type Reflector, reflectors, tsRrBaseline } from "./reflectors.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "100k:10,1m:1" },
    targets: { type: "string", default: "ts-rr,bird,frr,gobgp" },
    peers: { type: "string", default: "1000" },
    timeout: { type: "string", default: "240" },
    "no-floor": { type: "boolean", default: false },
    "ts-rr": { type: "string", default: "bundle" },
    repeat: { type: "string", default: "1" },
    baseline: { type: "string" },
  },
});

/** "100k:10" -> { n: 100000, m: 10 }. */
function parseSize(text: string): { label: string; n: number; m: number } {
  const match = /^(\d+(?:\.\d+)?)([km]?):(\d+)$/i.exec(text.trim());
  if (match === null) throw new Error(`--sizes: "${text}" is not N:M, e.g. 100k:10`);
  const scale = { "": 1, k: 1e3, m: 1e6 }[match[2]!.toLowerCase() as "" | "k" | "m"];
  const n = Math.round(Number(match[1]) * scale);
  const m = Number(match[3]);
  if (n < 1 || m < 1 || m > 120) throw new Error(`--sizes: "${text}": need N >= 1 and 1 <= M <= 120`);
  return { label: text.trim(), n, m };
}

const sizes = values.sizes.split(",").filter(Boolean).map(parseSize);
const targetNames = values.targets.split(",").filter(Boolean);
for (const t of targetNames)
  if (!reflectors.some((r) => r.name === t)) throw new Error(`--targets: unknown reflector "${t}"`);
const targets = reflectors.filter((r) => targetNames.includes(r.name));
if (values.baseline !== undefined) targets.splice(1, 0, tsRrBaseline(values.baseline));
const peerCount = Number(values.peers);
const timeoutMs = Number(values.timeout) * 1000;
const repeat = Math.max(1, Number(values.repeat));

installCleanup();

const injectorAddress = "127.0.12.1";
const receiverBase = 129; // receivers are 127.0.12.129 .. 127.0.12.248 (127.0.12.128/25)
const floorAddress = "127.0.12.250";
const floorPort = 11799;

const mb = (kb: number): string => (kb / 1024).toFixed(0);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// ---------------------------------------------------------------- runs

const ctx = makeContext({ fourOctetAs: true });

/** The table of `n` prefixes as UPDATEs plus End-of-RIB (NEXT_HOP is data only: 198.18.0.2). */
function tableMessages(n: number): Uint8Array[] {
  const messages = packTable(
    blocks(Afi.Ipv4, makeV4(n), 5000, { nextHop: "198.18.0.2", localPref: 100, firstAs: 65010 }),
    ctx,
  );
  messages.push(encodeUpdate(endOfRib(Afi.Ipv4, 1), ctx));
  return messages;
}

interface Result {
  readonly seconds: number;
  readonly cpu: number;
  readonly peakKb: number;
  readonly idleKb: number;
}

/**
 * The floor: the injector straight into M listening receivers (M copies of
 * the table written at once), no reflector. What the harness itself costs.
 */
async function runFloor(n: number, m: number, messages: readonly Uint8Array[]): Promise<number> {
  const dir = tempDir("floor");
  const injections: Injection[] = [];
  const receivers = startReceivers(dir, {
    host: floorAddress,
    port: floorPort,
    source: floorAddress,
    count: m,
    expect: n,
    listen: true,
    connectTimeoutMs: timeoutMs,
  });
  try {
    await withTimeout("floor receivers listening", 60_000, receivers.listening);
    // Every session Established first, then all M start writing at once.
    let up = 0;
    let open = (): void => undefined;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const all = await withTimeout(
      `floor: ${m} injector sessions Established`,
      60_000,
      Promise.all(
        Array.from({ length: m }, () =>
          inject({
            host: floorAddress,
            port: floorPort,
            localAddress: injectorAddress,
            asn: 65001,
            routerId: injectorAddress,
            messages,
            startWhen: gate,
            onEstablished: () => {
              if (++up === m) open();
            },
          }),
        ),
      ),
    );
    injections.push(...all);
    const done = await withTimeout("floor receivers", timeoutMs, receivers.done);
    let first = injections[0]!.startedAt;
    for (const i of injections) if (i.startedAt < first) first = i.startedAt;
    return Number(done - first) / 1e9;
  } finally {
    for (const i of injections) i.close();
    await stop(receivers.child);
    removeDir(dir);
  }
}

async function runReflector(
  r: Reflector,
  n: number,
  m: number,
  messages: readonly Uint8Array[],
): Promise<Result> {
  const dir = tempDir(r.name);
  const receiverAddresses = Array.from({ length: m }, (_, i) => `127.0.12.${receiverBase + i}`);
  const clients: Clients = {
    injector: injectorAddress,
    receivers: receiverAddresses,
    receiverRange: "127.0.12.128/25",
  };
  const daemon = track(r.start(dir, clients));
  const logName =
    { "ts-rr": "ts-rr.log", bird: "bird.log", frr: "bgpd.log", gobgp: "gobgpd.log" }[r.name] ?? "";
  const died = exitOf(r.name, daemon, dir, logName);
  died.catch(() => undefined);
  let injection: Injection | undefined;
  const receivers = startReceivers(dir, {
    host: r.address,
    port: r.port,
    source: receiverAddresses[0]!,
    count: m,
    expect: n,
    connectTimeoutMs: timeoutMs,
  });
  try {
    await withTimeout(
      `${r.name}: ${m} receivers Established`,
      60_000,
      Promise.race([receivers.ready, died]),
    ).catch((err: Error) => {
      throw new Error(`${err.message} (${receivers.established()} of ${m} up)`);
    });
    const pid = daemon.pid!;
    const idleKb = procStatusKb(pid, "VmRSS");
    const cpu0 = cpuSeconds(pid);
    injection = await Promise.race([
      inject({
        host: r.address,
        port: r.port,
        localAddress: injectorAddress,
        asn: 65001,
        routerId: injectorAddress,
        messages,
        timeoutMs: 30_000,
      }),
      died,
    ]);
    const done = await withTimeout(
      `${r.name}: every receiver holding ${n} prefixes`,
      timeoutMs,
      Promise.race([receivers.done, died]),
    ).catch((err: Error) => {
      throw new Error(
        `${err.message} (${receivers.complete()} of ${m} complete; ${receivers.progress()} prefixes per receiver)`,
      );
    });
    const seconds = Number(done - injection.startedAt) / 1e9;
    return { seconds, cpu: cpuSeconds(pid) - cpu0, peakKb: procStatusKb(pid, "VmHWM"), idleKb };
  } catch (err) {
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}; ${r.name} log: ${logTail(dir, logName)}`,
    );
  } finally {
    injection?.close();
    await stop(receivers.child);
    await stop(daemon, 5000);
    removeDir(dir);
  }
}

// ---------------------------------------------------------------- main

const verdict = (ok: boolean): string => (ok ? "MET" : "NOT MET");

const loadavg = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(",");
console.log(`bench rr-machine cpus=${availableParallelism()} loadavg=${loadavg()} node=${process.version}`);

if (values["ts-rr"] !== "bundle" && values["ts-rr"] !== "source")
  throw new Error(`--ts-rr: "${values["ts-rr"]}" is neither bundle nor source`);
if (values["ts-rr"] === "bundle" && (targets.some((t) => t.name === "ts-rr") || peerCount > 0)) {
  const file = await bundleTsRr(tempDir("bundle"));
  console.log(`bench rr-ts-rr-build bundle=${file} (esbuild, from source)`);
}

for (const size of sizes) {
  const messages = tableMessages(size.n);
  const bytes = messages.reduce((s, m) => s + m.length, 0);
  console.log(`bench rr-input n=${size.n} m=${size.m} messages=${messages.length} bytes=${bytes}`);
  if (!values["no-floor"]) {
    try {
      const seconds = await runFloor(size.n, size.m, messages);
      console.log(
        `bench rr-floor n=${size.n} m=${size.m} seconds=${seconds.toFixed(3)} (injector -> receivers, no reflector)`,
      );
    } catch (err) {
      console.log(`bench rr-floor n=${size.n} m=${size.m} error=${JSON.stringify(String(err))}`);
    }
  }
  const runs = new Map<string, Result[]>(targets.map((r) => [r.name, []]));
  for (let k = 0; k < repeat; k++) {
    for (const r of targets) {
      try {
        runs.get(r.name)!.push(await runReflector(r, size.n, size.m, messages));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        console.log(`bench rr-${r.name} n=${size.n} m=${size.m} error=${JSON.stringify(message)}`);
      }
    }
  }
  const results = new Map<string, Result>();
  for (const r of targets) {
    const list = runs.get(r.name)!;
    if (list.length === 0) continue;
    const res: Result = {
      seconds: median(list.map((x) => x.seconds)),
      cpu: median(list.map((x) => x.cpu)),
      peakKb: median(list.map((x) => x.peakKb)),
      idleKb: median(list.map((x) => x.idleKb)),
    };
    results.set(r.name, res);
    const all =
      repeat > 1 ? ` runs=${list.length} all_seconds=${list.map((x) => x.seconds.toFixed(3)).join(",")}` : "";
    console.log(
      `bench rr-${r.name} n=${size.n} m=${size.m} seconds=${res.seconds.toFixed(3)} cpu_s=${res.cpu.toFixed(2)} ` +
        `prefixes_per_s=${Math.round(size.n / res.seconds)} peak_rss_mb=${mb(res.peakKb)} idle_rss_mb=${mb(res.idleKb)}${all}`,
    );
  }
  const ours = results.get("ts-rr");
  if (ours === undefined) continue;
  for (const [name, res] of results) {
    if (name === "ts-rr") continue;
    console.log(
      `ratio ts-rr/${name} n=${size.n} m=${size.m} time=${(ours.seconds / res.seconds).toFixed(2)} cpu=${(ours.cpu / res.cpu).toFixed(2)} rss=${(ours.peakKb / res.peakKb).toFixed(2)}`,
    );
  }
  const at = `rr-${size.label}`;
  for (const name of ["frr", "gobgp"]) {
    const other = results.get(name);
    if (other === undefined) continue;
    console.log(
      `target ${at} faster-than-${name} ts-rr=${ours.seconds.toFixed(3)}s ${name}=${other.seconds.toFixed(3)}s goal<${name} ${verdict(ours.seconds < other.seconds)}`,
    );
  }
  const b = results.get("bird");
  if (b !== undefined) {
    const t = ours.seconds / b.seconds;
    const m = ours.peakKb / b.peakKb;
    console.log(`target ${at} time-vs-bird ts-rr/bird=${t.toFixed(2)} goal<=2 ${verdict(t <= 2)}`);
    console.log(`target ${at} rss-vs-bird ts-rr/bird=${m.toFixed(2)} goal<=2 ${verdict(m <= 2)}`);
  }
}

if (peerCount > 0) {
  // Both ts-rr and the sessions' process hold one socket per peer; their soft
  // limit is raised to the hard one (spawnWithFiles), which must be big enough.
  const hard = spawnSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).stdout.trim();
  if (hard !== "unlimited" && Number(hard) < peerCount + 200)
    console.log(
      `bench rr-peers warning: open-files hard limit ${hard} < ${peerCount + 200}; sessions may fail`,
    );
  try {
    const p = await runPeers(peerCount, timeoutMs);
    console.log(
      `bench rr-peers peers=${peerCount} established=${p.established} seconds=${p.seconds.toFixed(3)} ` +
        `peak_rss_mb=${mb(p.peakKb)} rss_mb=${mb(p.rssKb)}`,
    );
    console.log(
      `target rr-peers established ${p.established}/${peerCount} in ${p.seconds.toFixed(3)}s goal<=10s ${verdict(p.established >= peerCount && p.seconds <= 10)}`,
    );
    console.log(`target rr-peers peak_rss ${mb(p.peakKb)}MB goal<300MB ${verdict(p.peakKb / 1024 < 300)}`);
  } catch (err) {
    console.log(
      `bench rr-peers peers=${peerCount} error=${JSON.stringify(String(err instanceof Error ? err.message : err))}`,
    );
    console.log(`target rr-peers established goal<=10s NOT MET`);
  }
}
console.log(`bench rr-machine loadavg_at_end=${loadavg()}`);
