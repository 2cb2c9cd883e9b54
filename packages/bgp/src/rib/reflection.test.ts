import { describe, expect, it } from "vitest";
import { AttrInterner } from "./attr-intern.js";
import { makePeerRef, Path } from "./path.js";
import { accept } from "./policy.js";
import {
  isReflectionLoop,
  reflectedAttributes,
  reflectionRule,
  withReflectionLoopCheck,
} from "./reflection.js";

const interner = new AttrInterner();
const peer = (id: number, rrClient: boolean, ibgp = true) =>
  makePeerRef({
    id,
    address: `198.18.0.${id}`,
    asn: ibgp ? 65001 : 65002,
    bgpId: `198.19.0.${id}`,
    ibgp,
    rrClient,
  });
const client1 = peer(1, true);
const client2 = peer(2, true);
const nonClient3 = peer(3, false);
const nonClient4 = peer(4, false);
const path = (from: ReturnType<typeof peer>, originatorId?: string) =>
  new Path(
    1,
    0,
    from,
    interner.intern({
      origin: 0,
      asPath: [],
      nextHop: "198.18.0.9",
      ...(originatorId ? { originatorId } : {}),
    }),
  );

describe("RFC 4456 §6 reflection rules", () => {
  it.each([
    ["client -> client", client1, client2, true],
    ["client -> non-client", client1, nonClient3, true],
    ["non-client -> client", nonClient3, client1, true],
    ["non-client -> non-client", nonClient3, nonClient4, false],
  ] as const)("%s", (_name, from, to, expected) => {
    expect(reflectionRule(path(from), to)).toBe(expected);
  });

  it("does not reflect a route to the peer that originated it", () => {
    expect(reflectionRule(path(nonClient3, "198.19.0.2"), client2)).toBe(false);
    expect(reflectionRule(path(nonClient3, "198.19.0.1"), client2)).toBe(true);
  });
});

describe("RFC 4456 §8 attributes and loop prevention", () => {
  it("sets ORIGINATOR_ID once and prepends the CLUSTER_ID; NEXT_HOP untouched", () => {
    const once = reflectedAttributes({ origin: 0, nextHop: "198.18.0.9" }, client1, "198.18.0.100");
    expect(once).toEqual({
      origin: 0,
      nextHop: "198.18.0.9",
      originatorId: "198.19.0.1",
      clusterList: ["198.18.0.100"],
    });
    const twice = reflectedAttributes(once, nonClient3, "198.18.0.200");
    expect(twice.originatorId).toBe("198.19.0.1");
    expect(twice.clusterList).toEqual(["198.18.0.200", "198.18.0.100"]);
  });

  it("drops routes with our router ID as ORIGINATOR_ID or our CLUSTER_ID in CLUSTER_LIST", () => {
    expect(isReflectionLoop({ originatorId: "198.18.0.1" }, "198.18.0.1", undefined)).toBe(true);
    expect(
      isReflectionLoop({ clusterList: ["198.18.0.7", "198.18.0.100"] }, "198.18.0.1", "198.18.0.100"),
    ).toBe(true);
    expect(isReflectionLoop({ clusterList: ["198.18.0.7"] }, "198.18.0.1", "198.18.0.100")).toBe(false);
    const policy = withReflectionLoopCheck(() => accept, "198.18.0.1", "198.18.0.100");
    expect(policy({ prefix: 1, pathId: 0, attrs: { originatorId: "198.18.0.1" } }, client1).action).toBe(
      "reject",
    );
    expect(policy({ prefix: 1, pathId: 0, attrs: {} }, client1).action).toBe("accept");
  });
});
