/**
 * The Kubernetes source's snapshot stream through API-server trouble, with
 * the real @kubernetes/client-node against the stand-in (127.0.0.1):
 * - 410 Gone (as an ERROR event on a running watch, and as an HTTP 410 on a
 *   resumed watch) -> relist, and the stream goes straight from the old state
 *   to the new one: no intermediate snapshot, nothing lost;
 * - an outage -> the last snapshot stays, restarts back off (growing, capped),
 *   the failures are logged, and on recovery the changes made meanwhile arrive.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { slice } from "../../../../test/k8s/slices.js";
import type { SourceUpdate } from "../model.js";
import { type Kit, startKit, summary } from "./k8s-test-kit.js";

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const seed = (k: { store: { apply: (o: ReturnType<typeof slice>) => unknown } }) => {
  k.store.apply(
    slice({ namespace: "shop", name: "web-a", service: "web", endpoints: [{ ip: "198.19.1.1" }] }),
  );
  k.store.apply(
    slice({ namespace: "shop", name: "web-b", service: "web", endpoints: [{ ip: "198.19.2.1" }] }),
  );
};

const addresses = (u: SourceUpdate): string[] =>
  u.type === "service" ? u.service.endpoints.map((e) => e.address) : [];

describe("EndpointSliceSource under API-server trouble", () => {
  it("relists on an ERROR 410 event and publishes only the final state", async () => {
    kit = await startKit({ seed: (s) => seed(s) });
    const { server } = kit;
    await kit.service("shop/web", (s) => s.endpoints.length === 2);
    await vi.waitFor(() => expect(server.activeWatches).toBe(1), { interval: 5 });
    const mark = kit.recorder.items.length;
    server.expireWatches(); // compaction: ERROR {code: 410}, then the stream ends
    // Changes nobody is watching: only a relist can find them.
    server.store.delete("shop", "web-a");
    server.store.apply(
      slice({
        namespace: "shop",
        name: "web-b",
        service: "web",
        endpoints: [{ ip: "198.19.2.1" }, { ip: "198.19.2.2" }],
      }),
    );
    const after = await kit.service(
      "shop/web",
      (s) => s.endpoints.length === 2 && s.endpoints[1]?.address === "198.19.2.2",
    );
    expect(summary(after)).toEqual(["198.19.2.1:8080 live", "198.19.2.2:8080 live"]);
    expect(kit.recorder.items.slice(mark).map(addresses)).toEqual([["198.19.2.1", "198.19.2.2"]]);
    expect(server.lists()).toHaveLength(2);
    expect(kit.failures).toEqual([]); // 410 is the client's normal path, not a failure
  });

  it("relists when a resumed watch gets HTTP 410, without losing or flapping state", async () => {
    kit = await startKit({ seed: (s) => seed(s), server: { tooOldWatch: "http" } });
    const { server } = kit;
    await kit.service("shop/web", (s) => s.endpoints.length === 2);
    await vi.waitFor(() => expect(server.activeWatches).toBe(1), { interval: 5 });
    const mark = kit.recorder.items.length;
    server.dropWatches();
    server.store.apply(
      slice({
        namespace: "shop",
        name: "web-c",
        service: "web",
        endpoints: [{ ip: "198.19.3.1", ready: false, serving: true, terminating: true }],
      }),
    );
    server.store.compact();
    const after = await kit.service("shop/web", (s) => s.endpoints.length === 3);
    expect(summary(after)).toEqual([
      "198.19.1.1:8080 live",
      "198.19.2.1:8080 live",
      "198.19.3.1:8080 draining",
    ]);
    expect(kit.recorder.items.slice(mark)).toHaveLength(1);
    expect(server.lists()).toHaveLength(2);
    // The first watch, the resume refused with 410, the watch after the relist.
    await vi.waitFor(() => expect(server.watchRequests()).toHaveLength(3), { interval: 5 });
    expect(server.watchRequests()[1]?.query.resourceVersion).toBe(
      server.watchRequests()[0]?.query.resourceVersion,
    );
    expect(kit.failures).toHaveLength(1);
  });

  it("rides out an outage with backoff, keeps the last snapshot, and recovers the changes made meanwhile", async () => {
    kit = await startKit({ seed: (s) => seed(s), source: { random: () => 0 } });
    const { server } = kit;
    await kit.service("shop/web", (s) => s.endpoints.length === 2);
    await vi.waitFor(() => expect(server.activeWatches).toBe(1), { interval: 5 });
    const mark = kit.recorder.items.length;
    await server.goDown();
    // The cluster goes on changing while this agent cannot see it.
    server.store.apply(
      slice({
        namespace: "shop",
        name: "web-a",
        service: "web",
        endpoints: [{ ip: "198.19.1.1", ready: false, serving: false }],
      }),
    );
    server.store.apply(
      slice({ namespace: "shop", name: "web-d", service: "web", endpoints: [{ ip: "198.19.4.1" }] }),
    );
    await vi.waitFor(() => expect(kit?.failures.length).toBeGreaterThanOrEqual(5), {
      timeout: 5000,
      interval: 5,
    });
    const delays = kit.failures.map((f) => f.delayMs);
    expect(delays.slice(0, 5)).toEqual([20, 40, 80, 160, 160]);
    expect(kit.recorder.items.length).toBe(mark); // nothing published: last state stands
    expect(summary(kit.source.current()[0]!)).toEqual(["198.19.1.1:8080 live", "198.19.2.1:8080 live"]);
    const errors = kit.lines.filter((l) => l.event === "k8s.informer.error");
    expect(errors.length).toBeGreaterThanOrEqual(5);
    expect(errors.some((l) => String(l.err).includes("ECONNREFUSED"))).toBe(true);

    await server.comeBack();
    const after = await kit.service("shop/web", (s) => s.endpoints.length === 3);
    expect(summary(after)).toEqual(["198.19.1.1:8080 down", "198.19.2.1:8080 live", "198.19.4.1:8080 live"]);
    expect(server.lists()).toHaveLength(1); // resumed from its resourceVersion: history was still there
  });
});
