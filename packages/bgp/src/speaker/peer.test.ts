/**
 * Peer: connection collision detection (RFC 4271 §6.8) between two peers
 * that connect to each other at the same moment, over in-memory streams.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { FsmConfig } from "../fsm/types.js";
import { State } from "../fsm/types.js";
import { memoryPair } from "../session/memory-pair.js";
import { Peer } from "./peer.js";

const flush = async (n = 10) => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

function fsm(localAs: number, routerId: string, peerAs: number): FsmConfig {
  return {
    localAs,
    routerId,
    peerAs,
    holdTime: 90,
    connectRetryTime: 30,
    passive: false,
    delayOpenTime: 0,
    dampPeerOscillations: true,
    idleHoldTime: 1,
    maxIdleHoldTime: 60,
    stableTime: 60,
    sendNotificationWithoutOpen: false,
    allowAutomaticStart: true,
    capabilities: [
      { kind: "multiprotocol", afi: 1, safi: 1 },
      { kind: "four-octet-as", asn: localAs },
    ],
  };
}

const log = pino({ level: "silent" });

/**
 * Two peers that dial each other at once: both connections are up (TCP
 * "connect" on both) before either side accepts, so both OPENs cross.
 */
function collidingPair(idA: string, idB: string) {
  const closes: string[] = [];
  const pending: (() => void)[] = [];
  let a!: Peer;
  let b!: Peer;
  const dial = (to: () => Peer, name: string) => () => {
    const [near, far] = memoryPair();
    near.on("close", () => closes.push(name));
    setImmediate(() => near.emit("connect"));
    pending.push(() => to().accept(far));
    if (pending.length === 2) {
      setImmediate(() =>
        setImmediate(() => {
          for (const f of pending.splice(0)) f();
        }),
      );
    }
    return near;
  };
  a = new Peer({
    address: "198.18.0.2",
    fsm: fsm(65001, idA, 65002),
    connect: dial(() => b, "a->b"),
    logger: log,
  });
  b = new Peer({
    address: "198.18.0.1",
    fsm: fsm(65002, idB, 65001),
    connect: dial(() => a, "b->a"),
    logger: log,
  });
  return { a, b, closes };
}

describe("Peer collision detection (RFC 4271 §6.8)", () => {
  it("keeps exactly one session, the one opened by the higher BGP identifier", async () => {
    const { a, b, closes } = collidingPair("198.18.0.1", "198.18.0.2");
    const established: string[] = [];
    a.on("established", () => established.push("a"));
    b.on("established", () => established.push("b"));
    a.start();
    b.start();
    await flush(30);
    expect(a.state).toBe(State.Established);
    expect(b.state).toBe(State.Established);
    expect(established.sort()).toEqual(["a", "b"]);
    // b has the higher identifier: the connection b opened survives, a's is closed.
    expect(closes).toEqual(["a->b"]);
  });

  it("is symmetric: with identifiers swapped the other connection survives", async () => {
    const { a, b, closes } = collidingPair("198.18.0.9", "198.18.0.2");
    a.start();
    b.start();
    await flush(30);
    expect([a.state, b.state]).toEqual([State.Established, State.Established]);
    expect(closes).toEqual(["b->a"]);
  });

  it("says goodbye on stop and does not reconnect", async () => {
    const { a, b } = collidingPair("198.18.0.1", "198.18.0.2");
    a.start();
    b.start();
    await flush(30);
    const downs: unknown[] = [];
    b.on("down", (r) => downs.push(r.received));
    a.stop("bye");
    await flush(30);
    expect(downs).toMatchObject([{ code: 6, subcode: 2, shutdownCommunication: "bye" }]);
    expect(a.state).toBe(State.Idle);
  });
});
