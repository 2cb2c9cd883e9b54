/**
 * Golden UPDATE vectors (golden/update-*.hex, hand-derived from the RFC
 * layouts): each decodes to the expected message, encodes back byte for byte
 * when its encoding is the canonical one, and survives encode -> decode.
 * A vector without an expectation, or an expectation without a vector,
 * fails the suite.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type CodecContext,
  decodeMessage,
  defaultContext,
  encodeUpdate,
  Ipv4Unicast,
  Ipv6Unicast,
  isEndOfRib,
  makeContext,
  type NlriList,
  nlriToEntries,
  type PathAttributes,
  type PrefixEntry,
  type UpdateMessage,
} from "../../packages/bgp/src/wire/index.js";
import { loadHexDir, toHex } from "./hex.js";

interface Expected {
  readonly withdrawn?: readonly (string | PrefixEntry)[];
  readonly attributes: PathAttributes;
  readonly nlri?: readonly (string | PrefixEntry)[];
  readonly mpReach?: Record<string, unknown> & { nlri: readonly (string | PrefixEntry)[] };
  readonly mpUnreach?: Record<string, unknown> & { nlri: readonly (string | PrefixEntry)[] };
}

interface Vector {
  readonly ctx: CodecContext;
  /** Encoding the decoded message gives the vector's bytes back. */
  readonly canonical: boolean;
  readonly expected: Expected;
  readonly endOfRib?: { afi: number; safi: number };
}

const ctx4 = makeContext({ fourOctetAs: true });
const seq = (...asns: number[]) => ({ type: 2 as const, asns });
const mandatory: PathAttributes = { origin: 0, asPath: [seq(65001)], nextHop: "198.18.0.1" };
const NH6 = "2001:db8::1";

const vectors: Record<string, Vector> = {
  "update-ipv4-2octet": {
    ctx: defaultContext,
    canonical: true,
    expected: {
      withdrawn: ["198.51.100.0/24"],
      attributes: {
        origin: 0,
        asPath: [seq(65001, 65002)],
        nextHop: "198.18.0.1",
        med: 100,
        localPref: 200,
        atomicAggregate: true,
        aggregator: { asn: 65001, address: "198.18.0.1" },
        communities: [((65001 << 16) | 100) >>> 0, 0xffffff01, 0xffff0000],
      },
      nlri: ["203.0.113.0/24", "203.0.113.128/25"],
    },
  },
  "update-ipv4-4octet": {
    ctx: ctx4,
    canonical: true,
    expected: {
      attributes: {
        origin: 1,
        asPath: [seq(4200000001, 65002), { type: 1, asns: [65010, 65011] }],
        nextHop: "198.18.0.2",
        aggregator: { asn: 4200000001, address: "198.18.0.2" },
        originatorId: "198.18.0.7",
        clusterList: ["198.18.0.100", "198.18.0.101"],
        extendedCommunities: [Uint8Array.of(0x00, 0x02, 0xfd, 0xe9, 0, 0, 0, 1)],
        largeCommunities: [{ globalAdmin: 4200000001, localData1: 1, localData2: 2 }],
      },
      nlri: ["203.0.113.5/32"],
    },
  },
  "update-as4-merge": {
    ctx: defaultContext,
    canonical: true,
    expected: {
      attributes: {
        origin: 0,
        asPath: [seq(4200000001, 65002)],
        nextHop: "198.18.0.1",
        aggregator: { asn: 4200000001, address: "198.18.0.2" },
      },
      nlri: ["203.0.113.0/24"],
    },
  },
  "update-as4-prepended": {
    ctx: defaultContext,
    canonical: false,
    expected: {
      attributes: { ...mandatory, asPath: [seq(65001, 4200000001, 4200000002)] },
      nlri: ["203.0.113.0/24"],
    },
  },
  "update-as4-longer": {
    ctx: defaultContext,
    canonical: false,
    expected: { attributes: mandatory, nlri: ["203.0.113.0/24"] },
  },
  "update-ipv6-nh16": {
    ctx: ctx4,
    canonical: true,
    expected: {
      attributes: { origin: 0, asPath: [seq(65001)], localPref: 100 },
      mpReach: { afi: 2, safi: 1, nextHop: NH6, nlri: ["2001:db8:1::/48", "2001:db8:2:1::/64"] },
    },
  },
  "update-ipv6-nh32": {
    ctx: ctx4,
    canonical: true,
    expected: {
      attributes: { origin: 0, asPath: [seq(65001)] },
      mpReach: { afi: 2, safi: 1, nextHop: NH6, linkLocalNextHop: "fe80::1", nlri: ["2001:db8:1::/48"] },
    },
  },
  "update-ipv6-unreach": {
    ctx: defaultContext,
    canonical: true,
    expected: { attributes: {}, mpUnreach: { afi: 2, safi: 1, nlri: ["2001:db8:1::/48"] } },
  },
  "update-addpath-ipv4": {
    ctx: makeContext({ addPathReceive: new Set([Ipv4Unicast]), addPathSend: new Set([Ipv4Unicast]) }),
    canonical: true,
    expected: {
      withdrawn: [{ prefix: "198.51.100.0/24", pathId: 3 }],
      attributes: mandatory,
      nlri: [
        { prefix: "203.0.113.1/32", pathId: 1 },
        { prefix: "203.0.113.1/32", pathId: 2 },
      ],
    },
  },
  "update-addpath-ipv6": {
    ctx: makeContext({ addPathReceive: new Set([Ipv6Unicast]), addPathSend: new Set([Ipv6Unicast]) }),
    canonical: true,
    expected: {
      attributes: { origin: 0, asPath: [seq(65001)] },
      mpReach: {
        afi: 2,
        safi: 1,
        nextHop: NH6,
        nlri: [
          { prefix: "2001:db8:1::/48", pathId: 1 },
          { prefix: "2001:db8:1::/48", pathId: 2 },
        ],
      },
    },
  },
  "update-eor-ipv4": {
    ctx: defaultContext,
    canonical: true,
    expected: { attributes: {} },
    endOfRib: { afi: 1, safi: 1 },
  },
  "update-eor-ipv6": {
    ctx: defaultContext,
    canonical: true,
    expected: { attributes: {}, mpUnreach: { afi: 2, safi: 1, nlri: [] } },
    endOfRib: { afi: 2, safi: 1 },
  },
  "update-unknown-transitive": {
    ctx: defaultContext,
    canonical: true,
    expected: {
      attributes: { ...mandatory, unknown: [{ flags: 0xc0, type: 99, value: Uint8Array.of(1, 2, 3) }] },
      nlri: ["203.0.113.0/24"],
    },
  },
  "update-extended-length-short": {
    ctx: defaultContext,
    canonical: false,
    expected: { attributes: mandatory, nlri: ["203.0.113.0/24"] },
  },
  "update-ipv4-rfc8950": {
    ctx: defaultContext,
    canonical: true,
    expected: {
      attributes: { origin: 0, asPath: [seq(65001)] },
      mpReach: { afi: 1, safi: 1, nextHop: NH6, nlri: ["203.0.113.0/24"] },
    },
  },
  "update-ipv4-mp-nexthop4": {
    ctx: defaultContext,
    canonical: true,
    expected: {
      attributes: { origin: 0, asPath: [seq(65001)] },
      mpReach: { afi: 1, safi: 1, nextHop: "198.18.0.1", nlri: ["203.0.113.0/24"] },
    },
  },
};

const entries = (list: readonly (string | PrefixEntry)[] = []): PrefixEntry[] =>
  list.map((e) => (typeof e === "string" ? { prefix: e, pathId: 0 } : e));

/** The decoded message in the vocabulary of `Expected` (NLRI as entries). */
function view(m: UpdateMessage): Record<string, unknown> {
  const nl = (l: NlriList) => nlriToEntries(l);
  return {
    withdrawn: nl(m.withdrawn),
    attributes: m.attributes,
    nlri: nl(m.nlri),
    ...(m.mpReach ? { mpReach: { ...m.mpReach, nlri: nl(m.mpReach.nlri) } } : {}),
    ...(m.mpUnreach ? { mpUnreach: { ...m.mpUnreach, nlri: nl(m.mpUnreach.nlri) } } : {}),
  };
}

function expectedView(e: Expected): Record<string, unknown> {
  return {
    withdrawn: entries(e.withdrawn),
    attributes: e.attributes,
    nlri: entries(e.nlri),
    ...(e.mpReach ? { mpReach: { ...e.mpReach, nlri: entries(e.mpReach.nlri) } } : {}),
    ...(e.mpUnreach ? { mpUnreach: { ...e.mpUnreach, nlri: entries(e.mpUnreach.nlri) } } : {}),
  };
}

const files = new Map(
  [...loadHexDir(join(import.meta.dirname, "golden"))].filter(([name]) => name.startsWith("update-")),
);

describe("golden UPDATE vectors", () => {
  it("has an expectation for every update-*.hex file and a file for every expectation", () => {
    expect([...files.keys()].sort()).toEqual(Object.keys(vectors).sort());
  });

  for (const [name, v] of Object.entries(vectors)) {
    describe(name, () => {
      const bytes = (): Uint8Array => {
        const b = files.get(name);
        if (b === undefined) throw new Error(`missing golden/${name}.hex`);
        return b;
      };
      const decode = () => decodeMessage(bytes(), v.ctx) as UpdateMessage;

      it("decodes to the expected message, cleanly", () => {
        const m = decode();
        expect(m.type).toBe(2);
        expect(view(m)).toStrictEqual(expectedView(v.expected));
        expect(m.issues).toEqual([]);
        expect(m.treatAsWithdraw).toBeUndefined();
        expect(m.rawAttributes).toBeInstanceOf(Uint8Array);
        expect(isEndOfRib(m)).toEqual(v.endOfRib ?? null);
      });

      if (v.canonical) {
        it("encodes back to the same octets", () => {
          expect(toHex(encodeUpdate(decode(), v.ctx))).toBe(toHex(bytes()));
        });
      }

      it("round-trips through encode and decode", () => {
        const m = decode();
        const again = decodeMessage(encodeUpdate(m, v.ctx), v.ctx) as UpdateMessage;
        expect(view(again)).toStrictEqual(view(m));
      });
    });
  }
});
