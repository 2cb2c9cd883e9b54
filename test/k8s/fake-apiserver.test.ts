/**
 * The API-server stand-in speaks the protocol the real client relies on:
 * list with resourceVersion and label selectors, chunked watch streams that
 * replay from a resourceVersion, selector transitions, bookmarks, 410 Gone in
 * both forms, authentication, and outages. (Traffic: 127.0.0.1 only.)
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./fake-apiserver.js";
import { slice } from "./slices.js";

interface WatchLine {
  type: string;
  object: { metadata: { name?: string; resourceVersion?: string }; code?: number };
}

const base = "/apis/discovery.k8s.io/v1";
let server: FakeApiServer;
const headers = { authorization: "Bearer t0" };

beforeEach(async () => {
  server = await FakeApiServer.start({ token: "t0" });
});
afterEach(async () => {
  await server.close();
});

async function list(
  path: string,
): Promise<{ metadata: { resourceVersion: string }; items: WatchLine["object"][] }> {
  const res = await fetch(`${server.url}${path}`, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as { metadata: { resourceVersion: string }; items: WatchLine["object"][] };
}

/** Opens a watch and collects lines until `count` have arrived. */
async function watch(query: string, count: number, during?: () => void): Promise<WatchLine[]> {
  const controller = new AbortController();
  const res = await fetch(`${server.url}${base}/namespaces/default/endpointslices?watch=true&${query}`, {
    headers,
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const lines: WatchLine[] = [];
  let buffered = "";
  during?.();
  const decoder = new TextDecoder();
  while (lines.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let nl = buffered.indexOf("\n");
    while (nl >= 0) {
      lines.push(JSON.parse(buffered.slice(0, nl)) as WatchLine);
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf("\n");
    }
  }
  controller.abort();
  return lines;
}

describe("FakeApiServer", () => {
  it("rejects requests without the bearer token", async () => {
    const res = await fetch(`${server.url}${base}/endpointslices`);
    expect(res.status).toBe(401);
  });

  it("lists with a resourceVersion, per namespace and across namespaces, filtered by label selector", async () => {
    server.store.apply(slice({ name: "web-1", service: "web", endpoints: [{ ip: "198.19.1.1" }] }));
    server.store.apply(slice({ name: "db-1", service: "db", endpoints: [{ ip: "198.19.1.2" }] }));
    server.store.apply(slice({ namespace: "other", name: "web-x", service: "web", endpoints: [] }));
    const all = await list(`${base}/endpointslices`);
    expect(all.items.map((i) => i.metadata.name).sort()).toEqual(["db-1", "web-1", "web-x"]);
    expect(all.metadata.resourceVersion).toBe(String(server.store.resourceVersion));
    const sel = encodeURIComponent("kubernetes.io/service-name in (web)");
    const ns = await list(`${base}/namespaces/default/endpointslices?labelSelector=${sel}`);
    expect(ns.items.map((i) => i.metadata.name)).toEqual(["web-1"]);
    const neq = await list(
      `${base}/endpointslices?labelSelector=${encodeURIComponent("kubernetes.io/service-name!=web")}`,
    );
    expect(neq.items.map((i) => i.metadata.name)).toEqual(["db-1"]);
  });

  it("streams changes after the given resourceVersion, including selector transitions", async () => {
    const a = server.store.apply(slice({ name: "web-1", service: "web", endpoints: [{ ip: "198.19.1.1" }] }));
    const from = a.metadata.resourceVersion!;
    server.store.apply(slice({ name: "web-2", service: "web", endpoints: [] }));
    const lines = await watch(
      `resourceVersion=${from}&labelSelector=kubernetes.io/service-name%3Dweb`,
      4,
      () => {
        server.store.apply(slice({ name: "web-2", service: "other", endpoints: [] })); // leaves the selector
        server.store.delete("default", "web-1");
        server.store.apply(slice({ name: "web-2", service: "web", endpoints: [] })); // comes back
      },
    );
    expect(lines.map((l) => `${l.type} ${l.object.metadata.name}`)).toEqual([
      "ADDED web-2",
      "DELETED web-2",
      "DELETED web-1",
      "ADDED web-2",
    ]);
  });

  it("sends synthetic ADDED events for a watch without resourceVersion, and bookmarks when asked", async () => {
    server.store.apply(slice({ name: "web-1", service: "web", endpoints: [] }));
    const lines = await watch("allowWatchBookmarks=true", 2, () =>
      setTimeout(() => server.sendBookmarks(), 20),
    );
    expect(lines[0]?.type).toBe("ADDED");
    expect(lines[1]).toEqual({
      type: "BOOKMARK",
      object: {
        kind: "EndpointSlice",
        apiVersion: "discovery.k8s.io/v1",
        metadata: { resourceVersion: "2" },
      },
    });
  });

  it("answers a watch from a compacted resourceVersion with an ERROR 410 event, or an HTTP 410", async () => {
    server.store.apply(slice({ name: "web-1", service: "web", endpoints: [] }));
    server.store.apply(slice({ name: "web-1", service: "web", endpoints: [{ ip: "198.19.1.1" }] }));
    server.store.compact();
    const lines = await watch("resourceVersion=1", 1);
    expect(lines[0]?.type).toBe("ERROR");
    expect(lines[0]?.object.code).toBe(410);
    await server.close();
    server = await FakeApiServer.start({ token: "t0", tooOldWatch: "http" });
    server.store.apply(slice({ name: "web-1", service: "web", endpoints: [] }));
    server.store.compact();
    server.store.apply(slice({ name: "web-2", service: "web", endpoints: [] }));
    const res = await fetch(
      `${server.url}${base}/namespaces/default/endpointslices?watch=true&resourceVersion=1`,
      {
        headers,
      },
    );
    expect(res.status).toBe(410);
    expect(((await res.json()) as { reason: string }).reason).toBe("Expired");
  });

  it("goes down and comes back on the same port", async () => {
    const url = server.url;
    await server.goDown();
    await expect(fetch(`${url}${base}/endpointslices`, { headers })).rejects.toThrow();
    await server.comeBack();
    expect(server.url).toBe(url);
    expect((await list(`${base}/endpointslices`)).items).toEqual([]);
  });
});
