/**
 * Runs INSIDE the QEMU guest (started by ipvs-smoke.sh, which built the
 * namespaces): drives the real kernel IPVS through our IpvsadmCli adapter.
 *
 * 1. applies the production net.ipv4.vs.* sysctls;
 * 2. plan 1: VIP 203.0.113.10:80, mh with mh-port, two masqueraded real
 *    servers; applied as ONE ipvsadm --restore; `ipvsadm-save -n` parsed with
 *    our parser matches the desired service (canonical order), the foreign
 *    service is untouched, and re-planning is empty;
 * 3. curl from the client namespace through the VIP reaches both backends;
 * 4. plan 2: weight edit on one server, the other removed: exactly an `-e`
 *    and a `-d`, as ONE more ipvsadm --restore; table checked again; traffic
 *    now reaches only the remaining backend.
 *
 * Prints `STEP <name>` lines as it goes and, at the end, one line
 * `PORTLB-VM-RESULT <json>`; exits non-zero on the first failed check.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import {
  applyIpvsSysctls,
  compareRealServers,
  IpvsadmCli,
  type IpvsPlan,
  type IpvsTable,
  ownServicesOn,
  parseIpvsadmSave,
  planIpvs,
  renderRestoreScript,
  serviceId,
  type VirtualService,
  virtualService,
} from "../../../packages/lb-agent/src/ipvs/index.js";

const run = promisify(execFile);
const ipvsadm = process.env.IPVSADM ?? "ipvsadm";
const callsFile = process.env.IPVSADM_CALLS ?? "/run/portlb-ipvsadm.calls";
const started = Date.now();
const owns = ownServicesOn(["203.0.113.10"]);
const foreignId = "tcp/203.0.113.99/80";

function step(name: string, detail = ""): void {
  process.stdout.write(`STEP ${name} +${Date.now() - started}ms ${detail}\n`);
}

function check(condition: boolean, what: string, detail: unknown = ""): void {
  if (!condition) {
    process.stdout.write(`FAIL ${what} ${typeof detail === "string" ? detail : JSON.stringify(detail)}\n`);
    process.exit(1);
  }
}

function restoreRuns(): number {
  return readFileSync(callsFile, "utf8")
    .split("\n")
    .filter((line) => line === "--restore").length;
}

function desiredService(servers: { last: number; weight: number }[]): VirtualService {
  return virtualService({
    key: { kind: "address", protocol: "tcp", address: "203.0.113.10", port: 80 },
    scheduler: "mh",
    schedulerFlags: ["mh-port"],
    realServers: servers.map((s) => ({
      address: `198.18.0.${s.last}`,
      port: 8080,
      forwarding: "masq",
      weight: s.weight,
    })),
  });
}

async function savedTable(): Promise<IpvsTable> {
  const { stdout } = await run("ipvsadm-save", ["-n"]);
  return parseIpvsadmSave(stdout);
}

async function applyAndVerify(cli: IpvsadmCli, desired: VirtualService, name: string): Promise<IpvsPlan> {
  const current = await cli.read();
  check(current.ok, `${name}: read`, current.ok ? "" : current.error.message);
  if (!current.ok) throw new Error("unreachable");
  const foreignBefore = current.value.services.find((s) => serviceId(s.key) === foreignId);
  const plan = planIpvs(current.value, [desired], owns);
  step(`${name}-plan`, JSON.stringify(renderRestoreScript(plan)));
  const before = restoreRuns();
  const applied = await cli.apply(plan);
  check(applied.ok, `${name}: apply`, applied.ok ? "" : applied.error);
  check(restoreRuns() === before + 1, `${name}: exactly one ipvsadm --restore`, {
    before,
    after: restoreRuns(),
  });

  // what ipvsadm-save says, parsed by our parser (it prints real servers sorted) ...
  const canonical = { ...desired, realServers: [...desired.realServers].sort(compareRealServers) };
  const saved = await savedTable();
  const ours = saved.services.find((s) => serviceId(s.key) === serviceId(desired.key));
  check(JSON.stringify(ours) === JSON.stringify(canonical), `${name}: ipvsadm-save matches desired`, {
    ours,
    canonical,
  });
  // ... and what the adapter reads: the kernel's own order, which must be the canonical one (mh)
  const after = await cli.read();
  check(after.ok, `${name}: re-read`);
  if (!after.ok) throw new Error("unreachable");
  const read = after.value.services.find((s) => serviceId(s.key) === serviceId(desired.key));
  check(JSON.stringify(read) === JSON.stringify(canonical), `${name}: kernel order is canonical`, {
    read,
    canonical,
  });
  const foreignAfter = after.value.services.find((s) => serviceId(s.key) === foreignId);
  check(JSON.stringify(foreignAfter) === JSON.stringify(foreignBefore), `${name}: foreign service untouched`);
  check(planIpvs(after.value, [desired], owns).operations.length === 0, `${name}: re-plan is empty`);
  step(`${name}-verified`);
  return plan;
}

async function fetchViaVip(
  times: number,
  until?: (seen: Set<string>) => boolean,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < times; i++) {
    const { stdout } = await run("ip", [
      "netns",
      "exec",
      "cl",
      "curl",
      "-s",
      "--max-time",
      "5",
      "http://203.0.113.10/",
    ]);
    const body = stdout.trim();
    counts.set(body, (counts.get(body) ?? 0) + 1);
    if (until?.(new Set(counts.keys()))) break;
  }
  return counts;
}

async function main(): Promise<void> {
  const cli = new IpvsadmCli({ ipvsadm });
  // ip_vs is loaded (the harness preloads it), so net.ipv4.vs.* exists
  const sysctls = await applyIpvsSysctls();
  check(sysctls.ok, "sysctls", sysctls.ok ? "" : sysctls.error.message);
  check(readFileSync("/proc/sys/net/ipv4/vs/sloppy_tcp", "utf8").trim() === "1", "sloppy_tcp set");
  step("sysctls");

  // listed in reverse on purpose: the planner adds them in canonical order
  const plan1 = await applyAndVerify(
    cli,
    desiredService([
      { last: 12, weight: 1 },
      { last: 11, weight: 1 },
    ]),
    "plan1",
  );
  check(plan1.operations.length === 3, "plan1: add-service + 2 add-server");

  const counts1 = await fetchViaVip(24, (seen) => seen.has("be1") && seen.has("be2"));
  step("traffic1", JSON.stringify(Object.fromEntries(counts1)));
  check(
    counts1.has("be1") && counts1.has("be2") && counts1.size === 2,
    "traffic reaches both backends",
    Object.fromEntries(counts1),
  );

  const plan2 = await applyAndVerify(cli, desiredService([{ last: 11, weight: 3 }]), "plan2");
  const types = plan2.operations.map((op) => op.type).sort();
  check(
    JSON.stringify(types) === JSON.stringify(["delete-server", "edit-server"]),
    "plan2: one -e and one -d",
    types,
  );

  const counts2 = await fetchViaVip(4);
  step("traffic2", JSON.stringify(Object.fromEntries(counts2)));
  check(
    counts2.size === 1 && counts2.get("be1") === 4,
    "traffic reaches only be1",
    Object.fromEntries(counts2),
  );

  const result = {
    ok: true,
    restoreRuns: restoreRuns(),
    traffic1: Object.fromEntries(counts1),
    traffic2: Object.fromEntries(counts2),
    plan2: renderRestoreScript(plan2),
    ms: Date.now() - started,
  };
  process.stdout.write(`PORTLB-VM-RESULT ${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stdout.write(
    `FAIL uncaught ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
