import { describe, expect, it } from "vitest";
import { type PathAttributes, WellKnownCommunity } from "../wire/index.js";
import { AttrInterner } from "./attr-intern.js";
import { localPeerRef, makePeerRef, Path, type PeerRef } from "./path.js";
import {
  accept,
  acceptAll,
  defaultImportPolicy,
  exportPath,
  mayAdvertise,
  modify,
  reject,
  rejectAll,
  sanitizeReceived,
} from "./policy.js";
import { prefixKeyFromText } from "./prefix-key.js";

const interner = new AttrInterner();
const base: PathAttributes = { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: "198.18.0.1" };
const ref = (id: number, ibgp: boolean, rrClient = false): PeerRef =>
  makePeerRef({
    id,
    address: `198.18.0.${id}`,
    asn: ibgp ? 65000 : 65100 + id,
    bgpId: `198.18.0.${id}`,
    ibgp,
    rrClient,
  });
const ibgpA = ref(1, true);
const ibgpB = ref(2, true);
const client = ref(3, true, true);
const ebgpA = ref(4, false);
const ebgpB = ref(5, false);
const local = localPeerRef("198.18.0.200", 65000);
const route = (from: PeerRef, extra: Partial<PathAttributes> = {}) =>
  new Path(prefixKeyFromText("203.0.113.10/32"), 0, from, interner.intern({ ...base, ...extra }));

describe("split horizon and well-known communities", () => {
  it.each([
    ["iBGP -> iBGP is not sent (RFC 4271 §9.2)", route(ibgpA), ibgpB, false],
    ["iBGP -> RR client is not sent without reflection", route(ibgpA), client, false],
    ["iBGP -> eBGP is sent", route(ibgpA), ebgpA, true],
    ["eBGP -> iBGP is sent", route(ebgpA), ibgpA, true],
    ["eBGP -> other eBGP is sent", route(ebgpA), ebgpB, true],
    ["never back to the source peer", route(ebgpA), ebgpA, false],
    ["local -> iBGP is sent", route(local), ibgpA, true],
    [
      "NO_ADVERTISE goes nowhere",
      route(ebgpA, { communities: [WellKnownCommunity.NoAdvertise] }),
      ibgpA,
      false,
    ],
    [
      "NO_EXPORT stays inside the AS",
      route(ibgpA, { communities: [WellKnownCommunity.NoExport] }),
      ebgpA,
      false,
    ],
    [
      "NO_EXPORT still goes to iBGP",
      route(ebgpA, { communities: [WellKnownCommunity.NoExport] }),
      ibgpA,
      true,
    ],
  ] as const)("%s", (_name, path, to, expected) => {
    expect(mayAdvertise(path, to)).toBe(expected);
  });

  it("the reflection hook decides iBGP -> iBGP", () => {
    const toClients = (_p: Path, to: PeerRef) => to.rrClient;
    expect(mayAdvertise(route(ibgpA), client, toClients)).toBe(true);
    expect(mayAdvertise(route(ibgpA), ibgpB, toClients)).toBe(false);
  });
});

describe("export policy", () => {
  it("RFC 8212: nothing goes to an eBGP peer without a policy", () => {
    expect(exportPath(route(ibgpA), ebgpA)).toBe(reject);
    expect(exportPath(route(local), ebgpA)).toBe(reject);
    expect(exportPath(route(ebgpA), ibgpA)).toBe(accept);
  });

  it("a configured policy accepts, rejects or rewrites; split horizon still applies first", () => {
    const prepend = modify({ ...base, med: 5 });
    const policy = (p: Path) => (p.attrs.attrs.med === undefined ? prepend : reject);
    expect(exportPath(route(ibgpA), ebgpA, { policy })).toBe(prepend);
    expect(exportPath(route(ibgpA, { med: 1 }), ebgpA, { policy })).toBe(reject);
    expect(exportPath(route(ebgpA), ebgpA, { policy: () => accept })).toBe(reject);
  });
});

describe("import defaults", () => {
  it("RFC 8212: accept iBGP, reject eBGP", () => {
    expect(defaultImportPolicy(ibgpA)).toBe(acceptAll);
    expect(defaultImportPolicy(local)).toBe(acceptAll);
    expect(defaultImportPolicy(ebgpA)).toBe(rejectAll);
  });

  it("sanitizeReceived drops eBGP LOCAL_PREF, refuses AS loops, keeps iBGP attributes as they are", () => {
    const withPref = { ...base, localPref: 300 };
    expect(sanitizeReceived(withPref, ibgpA, 65000)).toBe(withPref);
    expect(sanitizeReceived(withPref, ebgpA, 65000)).toEqual(base);
    const loop = { ...base, asPath: [{ type: 2 as const, asns: [65001, 65000] }] };
    expect(sanitizeReceived(loop, ebgpA, 65000)).toBeUndefined();
    expect(sanitizeReceived(base, ebgpA, 65000)).toBe(base);
  });
});
