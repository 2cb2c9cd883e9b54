/**
 * The admin API over real HTTP on 127.0.0.1 (and a unix socket) in front of
 * a real speaker acting as the reflector, with a loopback LB speaker as its
 * dynamic client announcing 203.0.113.10/32: neighbors, routes (all, by
 * prefix, by bare address), health, and the error answers.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Speaker } from "@portlb/bgp";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateRrConfig } from "../config/load-config.js";
import { toSpeakerOptions } from "../config/speaker-options.js";
import { getJson } from "../show/admin-client.js";
import { lbSpeaker, startSpeaker, stopAll, until } from "../testing/loopback.js";
import { type AdminServer, normalizePrefix, startAdminServer } from "./admin-server.js";
import type { NeighborView, PrefixView } from "./admin-views.js";

const servers: AdminServer[] = [];
let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ts-rr-admin-"));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await stopAll();
  await rm(dir, { recursive: true, force: true });
});

async function reflectorWithClient(): Promise<Speaker> {
  const config = validateRrConfig(
    {
      localAs: 65001,
      routerId: "198.18.0.1",
      listen: { address: "127.0.40.1", port: 0 },
      dynamicRanges: [{ name: "lb", prefixes: ["127.0.41.0/24"], asns: [65001], maxPeers: 4 }],
    },
    "test",
  );
  const rr = await startSpeaker(toSpeakerOptions(config));
  const lb = await lbSpeaker(1, "127.0.41.1", { address: "127.0.40.1", port: rr.listening()[0]!.port });
  lb.announce({ prefix: "203.0.113.10/32", nextHop: "198.18.0.11" });
  await until("the path at the reflector", () => rr.routes().length === 1);
  return rr;
}

async function raw(port: number, path: string, method = "GET"): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, body: await res.json() };
}

describe("admin API", () => {
  it("serves neighbors, routes and health over HTTP on loopback", async () => {
    const rr = await reflectorWithClient();
    const admin = await startAdminServer({
      source: rr,
      endpoint: { kind: "tcp", host: "127.0.0.1", port: 0 },
      logger: pino({ level: "silent" }),
    });
    servers.push(admin);
    expect(admin.endpoint.kind).toBe("tcp");
    const port = admin.endpoint.kind === "tcp" ? admin.endpoint.port : 0;

    const neighbors = (await getJson(admin.endpoint, "/neighbors")) as NeighborView[];
    expect(neighbors).toEqual([
      {
        address: "127.0.41.1",
        asn: [65001],
        range: "lb",
        state: "Established",
        since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        secondsInState: expect.any(Number),
        prefixesReceived: 1,
        // Its own route, reflected back to its update group: a client drops it by
        // ORIGINATOR_ID (RFC 4456 §8); see packages/bgp/src/rib/update-group.ts.
        prefixesAdvertised: 1,
        updatesReceived: expect.any(Number),
        updatesSent: expect.any(Number),
        updateGroup: expect.any(Number),
        lastError: null,
      },
    ]);
    expect(neighbors[0]!.updatesReceived).toBeGreaterThanOrEqual(1);

    const expected: PrefixView[] = [
      {
        prefix: "203.0.113.10/32",
        paths: [
          {
            best: true,
            multipath: true,
            stale: false,
            peer: "127.0.41.1",
            pathId: 0,
            nextHop: "198.18.0.11",
            asPath: [],
            localPref: 100,
            med: null,
            communities: [],
            originatorId: null,
            clusterList: [],
          },
        ],
      },
    ];
    expect(await getJson(admin.endpoint, "/routes")).toMatchObject(expected);
    expect(await getJson(admin.endpoint, "/routes?prefix=203.0.113.10%2F32")).toMatchObject(expected);
    expect(await getJson(admin.endpoint, "/routes?prefix=203.0.113.10")).toMatchObject(expected);
    expect(await getJson(admin.endpoint, "/routes?prefix=203.0.113.11/32")).toEqual([]);

    expect(await getJson(admin.endpoint, "/healthz")).toEqual({
      status: "ok",
      bgpListening: [{ address: "127.0.40.1", port: rr.listening()[0]!.port }],
      neighbors: 1,
      established: 1,
    });

    expect(await raw(port, "/routes?prefix=not-a-prefix")).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^prefix: /) },
    });
    expect(await raw(port, "/nope")).toMatchObject({ status: 404 });
    expect(await raw(port, "/neighbors", "POST")).toMatchObject({
      status: 405,
      body: { error: expect.stringMatching(/read-only/) },
    });
    await expect(getJson(admin.endpoint, "/nope")).rejects.toThrow(/HTTP 404: no such endpoint/);
  });

  it("serves on a unix socket (mode 0660), replacing a stale socket file", async () => {
    const rr = await reflectorWithClient();
    const path = join(dir, "admin.sock");
    // A crashed daemon leaves its socket file behind: a child that listens and SIGKILLs itself.
    const child = spawnSync(process.execPath, [
      "-e",
      `require("node:net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`,
    ]);
    expect(child.signal).toBe("SIGKILL");
    expect((await stat(path)).isSocket()).toBe(true);
    const admin = await startAdminServer({
      source: rr,
      endpoint: { kind: "unix", path },
      logger: pino({ level: "silent" }),
    });
    servers.push(admin);
    expect((await stat(path)).mode & 0o777).toBe(0o660);
    const neighbors = (await getJson({ kind: "unix", path }, "/neighbors")) as NeighborView[];
    expect(neighbors.map((n) => n.address)).toEqual(["127.0.41.1"]);
  });

  it("reports an unreachable admin API as a typed error", async () => {
    await expect(
      getJson({ kind: "unix", path: join(dir, "missing.sock") }, "/neighbors"),
    ).rejects.toMatchObject({
      code: "ERR_RR_ADMIN",
      message: expect.stringMatching(/cannot reach the ts-rr admin API/),
    });
  });

  it("normalizes a bare address into a host prefix", () => {
    expect(normalizePrefix("203.0.113.10")).toBe("203.0.113.10/32");
    expect(normalizePrefix("2001:db8::10")).toBe("2001:db8::10/128");
    expect(normalizePrefix("203.0.113.0/24")).toBe("203.0.113.0/24");
    expect(normalizePrefix("203.0.113.0/40")).toBeNull();
  });
});
