/**
 * The planner: idempotence, ownership, canonical order (incl. the mh/sh
 * re-ordering), edits as edits, and — as a property over generated tables —
 * that applying a plan (to MemoryIpvs) reaches the desired state, leaves
 * foreign services alone, and that planning again gives nothing to do.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IpvsError, IpvsErrorCode } from "./ipvs-error.js";
import { parseIpvsadmSave } from "./ipvsadm-save-parser.js";
import { MemoryIpvs } from "./memory-ipvs.js";
import { compareRealServers, type IpvsOperation, ownServicesOn, planIpvs } from "./plan.js";
import { renderRestoreScript } from "./restore-script.js";
import { type IpvsTable, type RealServerInput, type ServiceKey, serviceId, virtualService } from "./types.js";

const vip: ServiceKey = { kind: "address", protocol: "tcp", address: "203.0.113.10", port: 80 };
const foreignVip: ServiceKey = { kind: "address", protocol: "tcp", address: "203.0.113.99", port: 80 };
const backend = (last: number, weight = 1): RealServerInput => ({
  address: `198.18.0.${last}`,
  port: 8080,
  forwarding: "masq",
  weight,
});
const service = (scheduler: string, servers: RealServerInput[], key: ServiceKey = vip) =>
  virtualService({
    key,
    scheduler,
    schedulerFlags: scheduler === "mh" ? ["mh-port"] : [],
    realServers: servers,
  });
const table = (...services: ReturnType<typeof service>[]): IpvsTable => ({ services });
const ownsVip = ownServicesOn(["203.0.113.10"]);
const lines = (ops: readonly IpvsOperation[]) =>
  renderRestoreScript({ operations: ops }).trimEnd().split("\n");

describe("planIpvs", () => {
  it("is empty when current = desired (golden table with every flag)", () => {
    const golden = parseIpvsadmSave(
      readFileSync(new URL("./fixtures/ipvsadm-save-full.txt", import.meta.url), "utf8"),
    );
    // the golden mh service was built in non-canonical order; desired lists it in that same state
    expect(planIpvs(golden, golden.services, () => true).operations).toEqual([]);
    expect(
      planIpvs(
        table(service("mh", [backend(9), backend(11)])),
        [service("mh", [backend(11), backend(9)])],
        ownsVip,
      ).operations,
    ).toEqual([]);
  });

  it("adds a new service and its real servers in canonical (numeric) order", () => {
    const plan = planIpvs(table(), [service("mh", [backend(12), backend(9), backend(10)])], ownsVip);
    expect(lines(plan.operations)).toEqual([
      "-A -t 203.0.113.10:80 -s mh -b mh-port",
      "-a -t 203.0.113.10:80 -r 198.18.0.9:8080 -m -w 1",
      "-a -t 203.0.113.10:80 -r 198.18.0.10:8080 -m -w 1",
      "-a -t 203.0.113.10:80 -r 198.18.0.12:8080 -m -w 1",
    ]);
  });

  it("never touches services it does not own, even when they are not desired", () => {
    const current = table(service("rr", [backend(11)]), service("wlc", [backend(50)], foreignVip));
    const plan = planIpvs(current, [], ownsVip);
    expect(lines(plan.operations)).toEqual(["-D -t 203.0.113.10:80"]);
    const nothingOwned = planIpvs(current, [], () => false);
    expect(nothingOwned.operations).toEqual([]);
  });

  it("a desired service is managed even if the ownership predicate does not name it", () => {
    const plan = planIpvs(
      table(service("rr", [backend(11)])),
      [service("rr", [backend(11), backend(12)])],
      () => false,
    );
    expect(lines(plan.operations)).toEqual(["-a -t 203.0.113.10:80 -r 198.18.0.12:8080 -m -w 1"]);
  });

  it.each(["rr", "mh"])("a weight change is an edit, not delete + add (%s)", (scheduler) => {
    const plan = planIpvs(
      table(service(scheduler, [backend(11), backend(12)])),
      [service(scheduler, [backend(11, 5), backend(12)])],
      ownsVip,
    );
    expect(lines(plan.operations)).toEqual(["-e -t 203.0.113.10:80 -r 198.18.0.11:8080 -m -w 5"]);
  });

  it("removing a real server is a single delete; a scheduler change is one -E", () => {
    const plan = planIpvs(
      table(service("rr", [backend(11), backend(12)])),
      [virtualService({ key: vip, scheduler: "wrr", realServers: [backend(12)] })],
      ownsVip,
    );
    expect(lines(plan.operations)).toEqual([
      "-E -t 203.0.113.10:80 -s wrr",
      "-d -t 203.0.113.10:80 -r 198.18.0.11:8080",
    ]);
  });

  it("rr: a server that sorts first is simply added", () => {
    const plan = planIpvs(
      table(service("rr", [backend(11), backend(13)])),
      [service("rr", [backend(11), backend(12), backend(13)])],
      ownsVip,
    );
    expect(lines(plan.operations)).toEqual(["-a -t 203.0.113.10:80 -r 198.18.0.12:8080 -m -w 1"]);
  });

  it("mh: servers after an insertion point are re-added so the kernel order is canonical", () => {
    const plan = planIpvs(
      table(service("mh", [backend(11), backend(13)])),
      [service("mh", [backend(13, 2), backend(12), backend(11)])],
      ownsVip,
    );
    expect(lines(plan.operations)).toEqual([
      "-d -t 203.0.113.10:80 -r 198.18.0.13:8080",
      "-a -t 203.0.113.10:80 -r 198.18.0.12:8080 -m -w 1",
      "-a -t 203.0.113.10:80 -r 198.18.0.13:8080 -m -w 2",
    ]);
  });

  it("mh: a kernel order that is not canonical keeps the longest in-order prefix", () => {
    // added long ago as .12 then .11; canonical is .11, .12
    const plan = planIpvs(
      table(service("mh", [backend(12), backend(11)])),
      [service("mh", [backend(11), backend(12)])],
      ownsVip,
    );
    expect(lines(plan.operations)).toEqual([
      "-d -t 203.0.113.10:80 -r 198.18.0.12:8080",
      "-a -t 203.0.113.10:80 -r 198.18.0.12:8080 -m -w 1",
    ]);
  });

  it("rejects a desired set that names a service or real server twice", () => {
    const dup = () => planIpvs(table(), [service("rr", []), service("rr", [])], ownsVip);
    expect(dup).toThrow(IpvsError);
    try {
      planIpvs(table(), [service("rr", [backend(1), backend(1)])], ownsVip);
    } catch (error) {
      expect((error as IpvsError).code).toBe(IpvsErrorCode.DuplicateDesired);
    }
  });

  it("ownServicesOn compares canonical addresses and fwmarks", () => {
    const owns = ownServicesOn(["2001:DB8:0::10"], [42]);
    expect(owns({ kind: "address", protocol: "udp", address: "2001:db8::10", port: 53 })).toBe(true);
    expect(owns({ kind: "fwmark", family: "inet", fwmark: 42 })).toBe(true);
    expect(owns({ kind: "fwmark", family: "inet", fwmark: 43 })).toBe(false);
    expect(owns(vip)).toBe(false);
  });
});

describe("planIpvs properties", () => {
  const schedulers = ["rr", "wrr", "lc", "wlc", "sh", "mh"] as const;
  const arbServer = fc.record({
    last: fc.integer({ min: 1, max: 12 }),
    port: fc.constantFrom(80, 8080),
    weight: fc.integer({ min: 0, max: 3 }),
    forwarding: fc.constantFrom("masq" as const, "route" as const),
  });
  const arbService = (vips: readonly number[]) =>
    fc.record({
      vip: fc.constantFrom(...vips),
      scheduler: fc.constantFrom(...schedulers),
      servers: fc.uniqueArray(arbServer, { selector: (s) => `${s.last}/${s.port}`, maxLength: 6 }),
    });
  const build = (s: {
    vip: number;
    scheduler: string;
    servers: { last: number; port: number; weight: number; forwarding: "masq" | "route" }[];
  }) =>
    virtualService({
      key: { kind: "address", protocol: "tcp", address: `203.0.113.${s.vip}`, port: 80 },
      scheduler: s.scheduler,
      realServers: s.servers.map((r) => ({
        address: `198.18.0.${r.last}`,
        port: r.port,
        forwarding: r.forwarding,
        weight: r.weight,
      })),
    });
  const arbServices = (vips: readonly number[]) =>
    fc.uniqueArray(arbService(vips), { selector: (s) => s.vip, maxLength: 3 }).map((list) => list.map(build));

  it("applying the plan reaches desired, in canonical order for mh/sh, foreign untouched, replanning is empty", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbServices([1, 2, 3]),
        arbServices([1, 2, 3]),
        arbServices([7, 8]),
        async (current, desired, foreign) => {
          const owns = ownServicesOn(["203.0.113.1", "203.0.113.2", "203.0.113.3"]);
          const ipvs = new MemoryIpvs({ services: [...current, ...foreign] });
          const plan = planIpvs(ipvs.snapshot(), desired, owns);
          const applied = await ipvs.apply(plan);
          expect(applied.ok).toBe(true);
          const after = ipvs.snapshot();
          const owned = after.services.filter((s) => owns(s.key));
          expect(owned.map((s) => serviceId(s.key)).sort()).toEqual(
            desired.map((s) => serviceId(s.key)).sort(),
          );
          for (const want of desired) {
            const got = owned.find((s) => serviceId(s.key) === serviceId(want.key))!;
            const sortedWant = [...want.realServers].sort(compareRealServers);
            if (want.scheduler === "mh" || want.scheduler === "sh")
              expect(got.realServers).toEqual(sortedWant);
            else expect([...got.realServers].sort(compareRealServers)).toEqual(sortedWant);
          }
          expect(after.services.filter((s) => !owns(s.key))).toEqual(
            [...foreign].sort((a, b) => (serviceId(a.key) < serviceId(b.key) ? -1 : 1)),
          );
          expect(planIpvs(after, desired, owns).operations).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
