import { describe, expect, it } from "vitest";
import { State } from "../fsm/types.js";
import type { PrefixKey } from "../rib/prefix-key.js";
import type { Session } from "../session/session.js";
import { OutboundPump, type PumpMember } from "./outbound-pump.js";
import type { RouteEngine } from "./route-engine.js";
import type { GroupFlush } from "./update-groups.js";

/** An engine that records what it is asked to settle and flushes `pending` messages once. */
function fakeEngine() {
  const settled: PrefixKey[][] = [];
  const pending: GroupFlush[] = [];
  const engine = {
    drain: (): PrefixKey[] => [],
    settle: (keys: readonly PrefixKey[], _report: unknown, from = 0, to = keys.length) => {
      settled.push(keys.slice(from, to));
    },
    flush: (): GroupFlush[] => pending.splice(0),
    busy: false,
  };
  return { engine: engine as unknown as RouteEngine, settled, pending };
}

/** A session whose stream records pause/resume and corked writes. */
function fakeSession() {
  const log: string[] = [];
  const stream = {
    pause: () => log.push("pause"),
    resume: () => log.push("resume"),
    cork: () => log.push("cork"),
    uncork: () => log.push("uncork"),
  };
  const session = {
    state: State.Established,
    stream,
    sendUpdate: (m: Uint8Array) => {
      log.push(`send ${m[0]}`);
      return true;
    },
  };
  return { session: session as unknown as Session, log };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const keys = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe("OutboundPump", () => {
  it("settles the prefixes of an UPDATE at once, while the turn's budget lasts", () => {
    const { engine, settled } = fakeEngine();
    const pump = new OutboundPump({ engine, member: () => undefined, report: () => undefined });
    pump.changed(keys(0, 700));
    expect(settled).toEqual([keys(0, 700)]);
  });

  it("past the budget, queues the rest, pauses the sender, and settles and resumes next turn", async () => {
    const { engine, settled } = fakeEngine();
    const { session, log } = fakeSession();
    const pump = new OutboundPump({ engine, member: () => undefined, report: () => undefined });
    let next = 0;
    while (settled.length === 0 || settled.at(-1)![0] === next - 1000) {
      pump.changed(keys(next, 1000));
      pump.received(session);
      next += 1000;
      if (next > 100_000) throw new Error("never queued");
    }
    // The budget (about 16,000 prefixes) ran out: the last UPDATE was queued and reading paused.
    const inline = settled.flat().length;
    expect(inline).toBeGreaterThanOrEqual(16_000);
    expect(inline).toBeLessThan(next);
    expect(log).toEqual(["pause"]);
    await turn();
    expect(settled.flat()).toEqual(keys(0, next));
    expect(log).toEqual(["pause", "resume"]);
  });

  it("writes a turn's UPDATEs to each member corked, as one write", async () => {
    const { engine, pending } = fakeEngine();
    const { session, log } = fakeSession();
    const member: PumpMember = { session, updatesOut: 0 };
    const pump = new OutboundPump({ engine, member: () => member, report: () => undefined });
    pending.push({ group: 1, members: [7], messages: [Uint8Array.of(1), Uint8Array.of(2)] });
    pump.schedule();
    await turn();
    expect(log).toEqual(["cork", "send 1", "send 2", "uncork"]);
    expect(member.updatesOut).toBe(2);
  });
});
