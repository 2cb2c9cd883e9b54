/**
 * Parsers for FRR's vtysh JSON: `show bgp neighbors <addr> json` (session
 * state) and `show bgp <afi> unicast <prefix> json` (every path of a prefix
 * with its attributes). FRR's JSON changes a little between releases; fields
 * are read defensively (e.g. `bestpath` is a boolean in table output and an
 * object in detail output).
 */
import { type BgpRoute, type Family, parseOrigin, type SessionState } from "./bgp-route.js";
import { asArray, asNumber, asRecord, asString, dig } from "./json.js";

const states: readonly SessionState[] = [
  "Idle",
  "Connect",
  "Active",
  "OpenSent",
  "OpenConfirm",
  "Established",
];

/** From `show bgp neighbors <addr> json`: `{ "<addr>": { "bgpState": "Established", … } }`. */
export function frrSessionState(json: unknown, peer: string): SessionState {
  const entry = asRecord(json)?.[peer] ?? Object.values(asRecord(json) ?? {})[0];
  const text = asString(dig(entry, "bgpState")) ?? "";
  return states.find((s) => text.startsWith(s)) ?? "Unknown";
}

/** From `show bgp <afi> unicast json`: the prefixes of the table. */
export function frrTablePrefixes(json: unknown): string[] {
  return Object.keys(asRecord(dig(json, "routes")) ?? {});
}

/** From `show bgp <afi> unicast <prefix> json`: one route per path. */
export function frrPrefixRoutes(json: unknown, family: Family): BgpRoute[] {
  const prefix = asString(dig(json, "prefix"));
  if (prefix === undefined) return [];
  return asArray(dig(json, "paths")).map((p) => {
    const path = asRecord(p) ?? {};
    const asPathText = asString(dig(path, "aspath", "string")) ?? asString(path.path) ?? "";
    const peerId = asString(dig(path, "peer", "peerId")) ?? asString(path.peerId);
    const best = dig(path, "bestpath");
    const nexthops = asArray(path.nexthops).map((n) => asString(dig(n, "ip")));
    return {
      family,
      prefix,
      nextHop: nexthops.find((n) => n !== undefined && !n.startsWith("fe80")) ?? nexthops[0],
      asPath: asPathText
        .replace(/[{}()]/g, " ")
        .split(/\s+/)
        .filter((t) => /^\d+$/.test(t))
        .map(Number),
      origin: parseOrigin(asString(path.origin)),
      med: asNumber(path.metric) ?? asNumber(path.med),
      localPref: asNumber(path.locPrf) ?? asNumber(path.localpref),
      communities: words(asString(dig(path, "community", "string"))),
      largeCommunities: words(asString(dig(path, "largeCommunity", "string"))),
      pathId: asNumber(path.addpathRxId),
      peer: peerId === undefined || peerId === "(unspec)" || peerId === "0.0.0.0" ? undefined : peerId,
      best: best === true || asRecord(best)?.overall === true,
    };
  });
}

function words(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(/\s+/).filter((w) => w !== "");
}
