/**
 * The session shell over in-memory streams with a fake clock: no sockets,
 * no real timers. A "raw peer" is a hand-driven BGP speaker made of the
 * codec alone, so every byte the session sends is observed.
 */
import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import type { FsmConfig } from "../fsm/types.js";
import { State } from "../fsm/types.js";
import {
  Afi,
  type BgpMessage,
  type CodecContext,
  decodeMessage,
  defaultContext,
  emptyNlri,
  encodeMessage,
  Framer,
  MessageType,
  type OpenMessage,
} from "../wire/index.js";
import { FakeClock } from "./clock.js";
import { memoryPair } from "./memory-pair.js";
import { Session } from "./session.js";

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function config(over: Partial<FsmConfig> = {}): FsmConfig {
  return {
    localAs: 65001,
    routerId: "198.18.0.1",
    peerAs: 65002,
    holdTime: 9,
    connectRetryTime: 30,
    passive: false,
    delayOpenTime: 0,
    dampPeerOscillations: false,
    idleHoldTime: 5,
    maxIdleHoldTime: 60,
    stableTime: 60,
    sendNotificationWithoutOpen: false,
    allowAutomaticStart: false,
    capabilities: [
      { kind: "multiprotocol", afi: 1, safi: 1 },
      { kind: "four-octet-as", asn: over.localAs ?? 65001 },
    ],
    ...over,
  };
}

/** A speaker made only of the codec, for watching and poking a Session. */
class RawPeer {
  readonly received: BgpMessage[] = [];
  readonly framer = new Framer();
  ctx: CodecContext = defaultContext;
  constructor(readonly stream: Duplex) {
    stream.on("data", (chunk: Uint8Array) => {
      for (const f of this.framer.push(chunk)) this.received.push(decodeMessage(f, this.ctx));
    });
  }
  send(msg: BgpMessage): void {
    this.stream.write(encodeMessage(msg, this.ctx));
  }
  types(): number[] {
    return this.received.map((m) => m.type);
  }
}

const peerOpen: OpenMessage = {
  type: MessageType.Open,
  version: 4,
  myAs: 65002,
  holdTime: 9,
  bgpId: "198.18.0.2",
  capabilities: [
    { kind: "multiprotocol", afi: 1, safi: 1 },
    { kind: "four-octet-as", asn: 65002 },
  ],
};

/** A passive Session accepting a connection from a RawPeer, taken to Established. */
async function established(cfg: Partial<FsmConfig> = {}, highWaterMark?: number) {
  const clock = new FakeClock();
  const session = new Session({ config: config({ passive: true, ...cfg }), clock, jitter: (s) => s });
  const [ours, theirs] = memoryPair(highWaterMark);
  const peer = new RawPeer(theirs);
  session.start();
  session.accept(ours);
  peer.send(peerOpen);
  peer.send({ type: MessageType.Keepalive });
  await flush();
  expect(session.state).toBe(State.Established);
  expect(peer.types()).toEqual([MessageType.Open, MessageType.Keepalive]);
  return { clock, session, peer };
}

describe("Session", () => {
  it("two sessions, one active and one passive, reach Established and keep it with keepalives", async () => {
    const clock = new FakeClock();
    const [a, b] = memoryPair();
    const active = new Session({
      config: config(),
      clock,
      jitter: (s) => s,
      connect: () => {
        process.nextTick(() => a.emit("connect"));
        return a;
      },
    });
    const passive = new Session({
      config: config({ localAs: 65002, routerId: "198.18.0.2", peerAs: 65001, passive: true }),
      clock,
      jitter: (s) => s,
    });
    const established: string[] = [];
    active.on("established", () => established.push("active"));
    passive.on("established", () => established.push("passive"));
    passive.start();
    passive.accept(b);
    active.start();
    for (let i = 0; i < 5; i++) await flush();
    expect([active.state, passive.state]).toEqual([State.Established, State.Established]);
    expect(established.sort()).toEqual(["active", "passive"]);
    // 10 minutes of fake time: keepalives every 3 s keep both up.
    for (let t = 0; t < 600; t++) {
      clock.advance(1000);
      await flush();
    }
    expect([active.state, passive.state]).toEqual([State.Established, State.Established]);
  });

  it("delivers UPDATEs from the peer", async () => {
    const { session, peer } = await established();
    const got: number[] = [];
    session.on("update", (u) => got.push(u.nlri.count));
    peer.send({
      type: MessageType.Update,
      withdrawn: emptyNlri(Afi.Ipv4),
      attributes: { origin: 0, asPath: [{ type: 2, asns: [65002] }], nextHop: "198.18.0.2" },
      nlri: { afi: Afi.Ipv4, addPath: false, count: 1, words: Uint32Array.of(0, 0xcb00710a, 32) },
    });
    await flush();
    expect(got).toEqual([1]);
  });

  it("expires the hold timer of a silent peer with NOTIFICATION 4/0", async () => {
    const { clock, session, peer } = await established();
    const down: string[] = [];
    session.on("down", (r) => down.push(r.event));
    clock.advance(9000);
    await flush();
    expect(session.state).toBe(State.Idle);
    expect(down).toEqual(["HoldTimerExpires"]);
    expect(peer.received.at(-1)).toMatchObject({ type: MessageType.Notification, code: 4, subcode: 0 });
  });

  it("drops a peer that connects and never sends an OPEN after the large hold time", async () => {
    const clock = new FakeClock();
    const session = new Session({ config: config({ passive: true }), clock, jitter: (s) => s });
    const [ours, theirs] = memoryPair();
    const peer = new RawPeer(theirs);
    session.start();
    session.accept(ours);
    await flush();
    clock.advance(239_000);
    await flush();
    expect(session.state).toBe(State.OpenSent);
    clock.advance(1000);
    await flush();
    expect(session.state).toBe(State.Idle);
    expect(peer.received.map((m) => m.type)).toEqual([MessageType.Open, MessageType.Notification]);
  });

  it("answers a malformed message with its NOTIFICATION and ends only that session", async () => {
    const { session, peer } = await established();
    // An UPDATE whose withdrawn-routes length runs past the message.
    peer.stream.write(Uint8Array.from([...new Array(16).fill(0xff), 0, 23, 2, 0, 9, 0, 0]));
    await flush();
    expect(session.state).toBe(State.Idle);
    expect(peer.received.at(-1)).toMatchObject({ type: MessageType.Notification, code: 3, subcode: 1 });
  });

  it("answers a bad marker with NOTIFICATION 1/1", async () => {
    const { session, peer } = await established();
    peer.stream.write(new Uint8Array(19));
    await flush();
    expect(session.state).toBe(State.Idle);
    expect(peer.received.at(-1)).toMatchObject({ type: MessageType.Notification, code: 1, subcode: 1 });
  });

  it("says goodbye with Cease/Administrative Shutdown and an RFC 9003 message", async () => {
    const { session, peer } = await established();
    session.stop("maintenance window 42");
    await flush();
    expect(session.state).toBe(State.Idle);
    expect(peer.received.at(-1)).toMatchObject({
      type: MessageType.Notification,
      code: 6,
      subcode: 2,
      shutdownCommunication: "maintenance window 42",
    });
  });

  it("sees the peer's NOTIFICATION and goes down", async () => {
    const { session, peer } = await established();
    const reasons: unknown[] = [];
    session.on("down", (r) => reasons.push(r.received));
    peer.send({ type: MessageType.Notification, code: 6, subcode: 2, data: new Uint8Array(0) });
    await flush();
    expect(session.state).toBe(State.Idle);
    expect(reasons).toMatchObject([{ code: 6, subcode: 2 }]);
  });

  it("drops a peer that stops reading when the send hold timer expires (RFC 9687)", async () => {
    const { clock, session, peer } = await established({ holdTime: 0 }, 1024);
    peer.stream.pause();
    const update = {
      type: MessageType.Update,
      withdrawn: emptyNlri(Afi.Ipv4),
      attributes: { origin: 0, asPath: [], nextHop: "198.18.0.1" },
      nlri: { afi: Afi.Ipv4, addPath: false, count: 1, words: Uint32Array.of(0, 0xcb00710a, 32) },
    } as const;
    for (let i = 0; i < 200; i++) session.sendUpdate(update);
    await flush();
    clock.advance(479_000);
    await flush();
    expect(session.state).toBe(State.Established);
    clock.advance(1000);
    await flush();
    expect(session.state).toBe(State.Idle);
  });

  it("refuses a second connection while one is in progress", async () => {
    const { session } = await established();
    const [ours, theirs] = memoryPair();
    let closed = false;
    theirs.on("close", () => {
      closed = true;
    });
    session.accept(ours);
    await flush();
    expect(closed).toBe(true);
    expect(session.state).toBe(State.Established);
  });
});
