/**
 * lb-agent planning benchmark (`pnpm bench:lb`): 1,000 endpoints across 100
 * services (10 real servers each, one VIP and one port per service).
 *
 * Measured, best of several runs, each printed as one machine-readable line:
 *   desired-baseline  desiredIpvs alone: building the desired table from the
 *                     snapshots (the floor every reconcile pays)
 *   plan-initial      desiredIpvs + planIpvs against an empty kernel table
 *   plan-steady       desiredIpvs + planIpvs when nothing changed (empty plan)
 *   plan-churn        desiredIpvs + planIpvs with 10% of the endpoints changed
 *                     (terminating, removed, added) in every service
 *   render-restore    the churn plan rendered as ipvsadm --restore input
 * x_baseline = time / desired-baseline time.
 *
 * Then ipvsadm processes per reconcile: a Reconciler over the in-memory
 * Ipvs (its record of apply calls) and over the real IpvsadmCli adapter with
 * a counting fake ipvsadm first on PATH (real child processes). The
 * `--restore` count per applying reconcile must be 1.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { builtinBalancing, type ServiceBalancing } from "../src/config/balancing-schema.js";
import { FakeClock } from "../src/health/fake-clock.js";
import { writeFakeIpvsadm } from "../src/ipvs/fake-ipvsadm-test-kit.js";
import type { Ipvs } from "../src/ipvs/ipvs.js";
import { IpvsadmCli } from "../src/ipvs/ipvsadm-cli.js";
import { MemoryIpvs } from "../src/ipvs/memory-ipvs.js";
import { ownServicesOn, planIpvs } from "../src/ipvs/plan.js";
import { renderRestoreScript } from "../src/ipvs/restore-script.js";
import { emptyTable, type IpvsTable } from "../src/ipvs/types.js";
import {
  type BackendService,
  canonicalEndpoints,
  type Endpoint,
  type EndpointConditions,
  endpointState,
} from "../src/model.js";
import { desiredIpvs } from "../src/reconcile/desired-ipvs.js";
import { Reconciler } from "../src/reconcile/reconciler.js";

const SERVICES = 100;
const PER_SERVICE = 10;
const RUNS = 15;
const balancing: ServiceBalancing = { ...builtinBalancing, healthCheck: null, schedulerFlags: ["mh-port"] };
const noHealth = () => undefined;

const live: EndpointConditions = { ready: true, serving: true, terminating: false };
const terminating: EndpointConditions = { ready: false, serving: true, terminating: true };

function endpoint(address: string, conditions: EndpointConditions): Endpoint {
  return { address, port: 8080, portName: "http", conditions, state: endpointState(conditions) };
}

/** Service i: VIP 203.0.113.(i+1), backends 198.19.(i).(1..10); `churn` changes 1 in 10. */
function services(churn: boolean): BackendService[] {
  return Array.from({ length: SERVICES }, (_, i) => {
    const endpoints: Endpoint[] = [];
    for (let k = 1; k <= PER_SERVICE; k++) {
      const address = `198.19.${i}.${k}`;
      if (churn && k === 1)
        endpoints.push(endpoint(address, terminating)); // weight 0
      else if (churn && k === 2)
        continue; // removed
      else endpoints.push(endpoint(address, live));
    }
    if (churn) endpoints.push(endpoint(`198.19.${i}.${PER_SERVICE + 1}`, live)); // added
    return {
      name: `bench/svc-${String(i).padStart(3, "0")}`,
      vips: [`203.0.113.${i + 1}`],
      ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }],
      endpoints: canonicalEndpoints(endpoints),
    };
  });
}

function best(fn: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

const base = services(false);
const churned = services(true);
const vips = base.map((s) => s.vips[0] ?? "");
const owns = ownServicesOn(vips);
const endpointsTotal = base.reduce((n, s) => n + s.endpoints.length, 0);
// warm up the JIT
for (let i = 0; i < 20; i++)
  planIpvs(emptyTable, desiredIpvs(base, noHealth, () => balancing).services, owns);
const current: IpvsTable = { services: desiredIpvs(base, noHealth, () => balancing).services };

const line = (name: string, ms: number, extra = ""): void => {
  process.stdout.write(
    `bench ${name} services=${SERVICES} endpoints=${endpointsTotal} ms=${ms.toFixed(3)}${extra === "" ? "" : ` ${extra}`}\n`,
  );
};

const baseline = best(() => desiredIpvs(base, noHealth, () => balancing));
line("desired-baseline", baseline);
let ops = 0;
const initial = best(() => {
  ops = planIpvs(emptyTable, desiredIpvs(base, noHealth, () => balancing).services, owns).operations.length;
});
line("plan-initial", initial, `operations=${ops} x_baseline=${(initial / baseline).toFixed(2)}`);
const steady = best(() => {
  ops = planIpvs(current, desiredIpvs(base, noHealth, () => balancing).services, owns).operations.length;
});
line("plan-steady", steady, `operations=${ops} x_baseline=${(steady / baseline).toFixed(2)}`);
let churnPlan = planIpvs(current, desiredIpvs(churned, noHealth, () => balancing).services, owns);
const churn = best(() => {
  churnPlan = planIpvs(current, desiredIpvs(churned, noHealth, () => balancing).services, owns);
});
line(
  "plan-churn",
  churn,
  `operations=${churnPlan.operations.length} x_baseline=${(churn / baseline).toFixed(2)}`,
);
let bytes = 0;
const render = best(() => {
  bytes = renderRestoreScript(churnPlan).length;
});
line("render-restore", render, `bytes=${bytes}`);

/** Runs an initial sync and a churn reconcile; returns the apply count of each. */
async function reconciles(ipvs: Ipvs, applies: () => number): Promise<number[]> {
  const clock = new FakeClock();
  const reconciler = new Reconciler({
    ipvs,
    clock,
    logger: pino({ level: "silent" }),
    health: noHealth,
    balancing: () => balancing,
    debounceMs: 10,
    backoff: { initialMs: 100, maxMs: 1000 },
  });
  const counts: number[] = [];
  for (const snapshot of [base, churned]) {
    const before = applies();
    reconciler.replaceServices(snapshot);
    clock.advance(10);
    await reconciler.idle();
    counts.push(applies() - before);
  }
  await reconciler.stop();
  return counts;
}

const memory = new MemoryIpvs();
const memoryCounts = await reconciles(memory, () => memory.applied.length);
process.stdout.write(
  `bench ipvsadm-per-reconcile adapter=memory initial=${memoryCounts[0]} churn=${memoryCounts[1]}\n`,
);

const dir = await mkdtemp(join(tmpdir(), "lb-agent-bench-"));
try {
  const fake = await writeFakeIpvsadm(dir);
  const cli = new IpvsadmCli({ env: { ...process.env, PATH: `${fake.binDir}:${process.env.PATH}` } });
  const restores = async () => (await fake.calls()).filter((c) => c === "ipvsadm --restore").length;
  const seen = 0;
  const counts: number[] = [];
  for (const count of await reconciles(cli, () => seen)) counts.push(count);
  // the fake's calls file is the ground truth: count processes per reconcile from it
  const calls = await fake.calls();
  const restoreCount = await restores();
  const perReconcile = restoreCount / 2;
  process.stdout.write(
    `bench ipvsadm-per-reconcile adapter=ipvsadm-cli reconciles=2 restore_processes=${restoreCount} ` +
      `restore_per_reconcile=${perReconcile} all_processes=${calls.length} ` +
      `(read = ipvsadm-save -n + ipvsadm -L per reconcile)\n`,
  );
  const ok = memoryCounts.every((c) => c === 1) && perReconcile === 1;
  process.stdout.write(
    `target ipvsadm-restore-per-reconcile ${perReconcile} goal=1 ${ok ? "MET" : "MISSED"}\n`,
  );
  if (!ok) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
