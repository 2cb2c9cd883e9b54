/**
 * MemoryIpvs applies plans with ipvsadm --restore semantics: ordered,
 * errors for duplicates/missing objects, the batch going on after a failure.
 */
import { describe, expect, it } from "vitest";
import { IpvsError, IpvsErrorCode } from "./ipvs-error.js";
import { MemoryIpvs } from "./memory-ipvs.js";
import { realServer, type ServiceKey, serviceSpec } from "./types.js";

const key: ServiceKey = { kind: "address", protocol: "tcp", address: "203.0.113.10", port: 80 };
const spec = serviceSpec({ key, scheduler: "rr" });
const server = realServer({ address: "198.18.0.11", port: 80, forwarding: "masq" });

describe("MemoryIpvs", () => {
  it("applies adds, edits and deletes in order", async () => {
    const ipvs = new MemoryIpvs();
    const second = realServer({ address: "198.18.0.12", port: 80, forwarding: "masq" });
    expect(
      await ipvs.apply({
        operations: [
          { type: "add-service", service: spec },
          { type: "add-server", key, server: second },
          { type: "add-server", key, server },
          { type: "edit-server", key, server: { ...server, weight: 7 } },
        ],
      }),
    ).toEqual({ ok: true, value: undefined });
    const table = (await ipvs.read()).ok ? ipvs.snapshot() : null;
    expect(table?.services[0]?.realServers.map((r) => [r.address, r.weight])).toEqual([
      ["198.18.0.12", 1],
      ["198.18.0.11", 7],
    ]);
    await ipvs.apply({ operations: [{ type: "delete-service", key }] });
    expect(ipvs.snapshot().services).toEqual([]);
  });

  it("adding a duplicate fails like the kernel, and the rest of the batch still runs", async () => {
    const ipvs = new MemoryIpvs({ services: [{ ...spec, realServers: [server] }] });
    const result = await ipvs.apply({
      operations: [
        { type: "add-service", service: spec },
        { type: "add-server", key, server },
        { type: "edit-server", key, server: { ...server, weight: 3 } },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(IpvsErrorCode.ServiceExists);
    expect(result.error.stderr).toBe("Service already exists\nDestination already exists");
    expect(result.error.line).toBe(1);
    expect(ipvs.snapshot().services[0]?.realServers[0]?.weight).toBe(3);
  });

  it("editing or deleting what does not exist fails", async () => {
    const ipvs = new MemoryIpvs();
    const r1 = await ipvs.apply({ operations: [{ type: "delete-service", key }] });
    expect(r1.ok ? null : r1.error.code).toBe(IpvsErrorCode.ServiceNotFound);
    await ipvs.apply({ operations: [{ type: "add-service", service: spec }] });
    const r2 = await ipvs.apply({ operations: [{ type: "delete-server", key, server }] });
    expect(r2.ok ? null : r2.error.code).toBe(IpvsErrorCode.ServerNotFound);
  });

  it("injected failures come back once, and every plan is recorded", async () => {
    const ipvs = new MemoryIpvs();
    const boom = new IpvsError(IpvsErrorCode.CommandFailed, "boom", { exitCode: 2, stderr: "boom" });
    ipvs.failNextRead(boom);
    ipvs.failNextApply(boom);
    expect(await ipvs.read()).toEqual({ ok: false, error: boom });
    expect((await ipvs.read()).ok).toBe(true);
    const plan = { operations: [{ type: "add-service", service: spec } as const] };
    expect(await ipvs.apply(plan)).toEqual({ ok: false, error: boom });
    expect(ipvs.snapshot().services).toEqual([]);
    expect((await ipvs.apply(plan)).ok).toBe(true);
    expect(ipvs.applied).toEqual([plan, plan]);
    expect(ipvs.reads).toBe(2);
  });
});
