/**
 * Parsers for `gobgp -j` output: `neighbor` (session_state is the gRPC enum,
 * a number in GoBGP 3's JSON, a name in some releases) and `global rib` /
 * `neighbor <addr> adj-in` (prefix → paths with typed path attributes, keyed
 * by attribute type code: 1 ORIGIN, 2 AS_PATH, 3 NEXT_HOP, 4 MED, 5
 * LOCAL_PREF, 8 COMMUNITIES, 14 MP_REACH_NLRI, 32 LARGE_COMMUNITY).
 */
import type { BgpRoute, Family, SessionState } from "./bgp-route.js";
import { asArray, asNumber, asRecord, asString, dig } from "./json.js";

const stateByNumber: readonly SessionState[] = [
  "Unknown",
  "Idle",
  "Connect",
  "Active",
  "OpenSent",
  "OpenConfirm",
  "Established",
];

/** The state of neighbor `peer` in `gobgp -j neighbor` output. */
export function gobgpSessionState(json: unknown, peer: string): SessionState {
  const entry = asArray(json).find(
    (n) =>
      asString(dig(n, "state", "neighbor_address")) === peer ||
      asString(dig(n, "conf", "neighbor_address")) === peer,
  );
  const raw = dig(entry, "state", "session_state");
  const n = asNumber(raw);
  if (n !== undefined) return stateByNumber[n] ?? "Unknown";
  const text = (asString(raw) ?? "").toLowerCase();
  return stateByNumber.find((s) => s.toLowerCase() === text) ?? "Unknown";
}

const origins = ["igp", "egp", "incomplete"] as const;

export function gobgpRoutes(json: unknown, family: Family): BgpRoute[] {
  const out: BgpRoute[] = [];
  for (const [prefix, paths] of Object.entries(asRecord(json) ?? {})) {
    for (const p of asArray(paths)) {
      const attrs = asArray(dig(p, "attrs")).map((a) => asRecord(a) ?? {});
      const attr = (type: number) => attrs.find((a) => asNumber(a.type) === type);
      const asns = asArray(attr(2)?.as_paths).flatMap((seg) =>
        asArray(dig(seg, "asns")).flatMap((a) => asNumber(a) ?? []),
      );
      const mpReach = attr(14);
      const nextHop =
        asString(attr(3)?.nexthop) ?? asString(mpReach?.nexthop) ?? asString(asArray(mpReach?.nexthops)[0]);
      const originCode = asNumber(attr(1)?.value);
      out.push({
        family,
        prefix,
        nextHop,
        asPath: asns,
        origin: originCode === undefined ? undefined : origins[originCode],
        med: asNumber(attr(4)?.metric),
        localPref: asNumber(attr(5)?.value),
        communities: asArray(attr(8)?.communities).flatMap((c) => {
          const v = asNumber(c);
          return v === undefined ? [] : [`${Math.floor(v / 65536)}:${v % 65536}`];
        }),
        largeCommunities: asArray(attr(32)?.value).flatMap((c) => {
          const r = asRecord(c);
          const parts = [
            r?.ASN ?? r?.global_admin,
            r?.LocalData1 ?? r?.local_data1,
            r?.LocalData2 ?? r?.local_data2,
          ].map((x) => asNumber(x));
          return parts.every((x) => x !== undefined) ? [parts.join(":")] : [];
        }),
        pathId: asNumber(dig(p, "id")) ?? asNumber(dig(p, "identifier")),
        peer: asString(dig(p, "neighbor-ip")),
        best: dig(p, "best") === true,
      });
    }
  }
  return out;
}
