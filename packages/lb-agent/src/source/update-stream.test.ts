/**
 * The update stream: unchanged snapshots are dropped, a new subscriber first
 * gets the current state, a slow subscriber gets only the latest snapshot of
 * each service (bounded memory), removals are delivered, and close() ends
 * every subscription after what is pending.
 */
import { describe, expect, it } from "vitest";
import type { BackendService, SourceUpdate } from "../model.js";
import { UpdateStream } from "./update-stream.js";

const svc = (name: string, addresses: string[]): BackendService => ({
  name,
  vips: ["203.0.113.10"],
  ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }],
  endpoints: addresses.map((address) => ({
    address,
    port: 8080,
    portName: "http",
    conditions: { ready: true, serving: true, terminating: false },
    state: "live" as const,
  })),
});

async function drain(it: AsyncIterableIterator<SourceUpdate>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) break;
    const u = r.value;
    out.push(
      u.type === "service"
        ? `${u.service.name}=${u.service.endpoints.map((e) => e.address).join(",")}`
        : `-${u.name}`,
    );
  }
  return out;
}

describe("UpdateStream", () => {
  it("drops unchanged snapshots and starts new subscribers from the current state", async () => {
    const stream = new UpdateStream();
    expect(stream.publish(svc("a/x", ["198.19.1.1"]))).toBe(true);
    expect(stream.publish(svc("a/x", ["198.19.1.1"]))).toBe(false);
    stream.publish(svc("a/w", []));
    const sub = stream.subscribe();
    expect(await drain(sub, 2)).toEqual(["a/w=", "a/x=198.19.1.1"]);
  });

  it("coalesces per service for a slow subscriber and delivers removals", async () => {
    const stream = new UpdateStream();
    const sub = stream.subscribe();
    for (let i = 1; i <= 50; i++) stream.publish(svc("a/x", [`198.19.1.${i}`]));
    stream.publish(svc("a/y", ["198.19.2.1"]));
    stream.remove("a/y");
    expect(stream.remove("a/nothing")).toBe(false);
    expect(await drain(sub, 2)).toEqual(["a/x=198.19.1.50", "-a/y"]);
    expect(stream.current().map((s) => s.name)).toEqual(["a/x"]);
  });

  it("wakes a waiting subscriber, ends on close after pending items, and supports early return", async () => {
    const stream = new UpdateStream();
    const sub = stream.subscribe();
    const waiting = sub.next();
    stream.publish(svc("a/x", ["198.19.1.1"]));
    expect((await waiting).done).toBe(false);
    stream.publish(svc("a/x", ["198.19.1.2"]));
    stream.close();
    expect(await drain(sub, 5)).toEqual(["a/x=198.19.1.2"]);
    const other = new UpdateStream();
    const early = other.subscribe();
    await early.return?.();
    other.publish(svc("a/z", []));
    expect((await early.next()).done).toBe(true);
    // Subscribing after close still yields the last state, then ends.
    expect(await drain(stream.subscribe(), 5)).toEqual(["a/x=198.19.1.2"]);
  });
});
