/**
 * ExaBGP's JSON API messages (one object per line) folded into what a test
 * asks: the current session state per neighbor, and the routes currently
 * received (announce adds, withdraw removes, a session going down clears that
 * neighbor's routes). Pure: input is the text of the received-messages file.
 *
 *   {"type":"state","neighbor":{"address":{"peer":"198.18.0.3"},"state":"up"}}
 *   {"type":"update","neighbor":{"address":{"peer":…},"message":{"update":{
 *     "attribute":{"origin":"igp","as-path":[64514],"med":7,"community":[[65000,1]]},
 *     "announce":{"ipv4 unicast":{"198.18.0.3":[{"nlri":"203.0.113.3/32","path-information":"0.0.0.1"}]}},
 *     "withdraw":{"ipv4 unicast":[{"nlri":"203.0.113.3/32"}]}}}}}
 *   {"type":"refresh","neighbor":{"address":{"peer":…},"direction":"receive",
 *     "route-refresh":{"afi":""ipv4"","safi":""unicast"","subtype":""query""}}}
 *
 * (ExaBGP 4.2 quotes the ROUTE-REFRESH fields twice, as shown; parseLine mends that.)
 */
import { type BgpRoute, type Family, parseOrigin, type SessionState } from "./bgp-route.js";
import { asArray, asNumber, asRecord, asString, dig, type JsonRecord } from "./json.js";

/** Line the driver appends before each start, so a SIGKILLed run leaves no stale state. */
export const harnessStartType = "harness-start";

export interface ExabgpView {
  readonly states: ReadonlyMap<string, SessionState>;
  readonly routes: readonly BgpRoute[];
  /** Number of UPDATE messages seen (announce or withdraw), for "something arrived" waits. */
  readonly updates: number;
  /** ROUTE-REFRESH messages received (RFC 2918), oldest first. */
  readonly refreshes: readonly ExabgpRefresh[];
}

export interface ExabgpRefresh {
  /** The neighbor that sent it. */
  readonly peer: string;
  /** "ipv4", "ipv6" as ExaBGP prints the AFI. */
  readonly afi: string;
  readonly safi: string;
  /** "query" for a plain request; "begin" / "end" mark an enhanced refresh (RFC 7313). */
  readonly subtype: string;
}

const familyOfKey = (key: string): Family | undefined =>
  key === "ipv4 unicast" ? "ipv4" : key === "ipv6 unicast" ? "ipv6" : undefined;

export function foldExabgpMessages(text: string): ExabgpView {
  const states = new Map<string, SessionState>();
  const routes = new Map<string, BgpRoute>();
  let updates = 0;
  const refreshes: ExabgpRefresh[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    const msg = parseLine(line);
    if (msg === undefined) continue; // a line cut short by a concurrent write: the next read sees it whole
    if (msg?.type === harnessStartType) {
      // The harness (re)started ExaBGP: nothing from the previous run is current.
      states.clear();
      routes.clear();
      refreshes.length = 0;
      continue;
    }
    const peer = asString(dig(msg, "neighbor", "address", "peer"));
    if (msg === undefined || peer === undefined) continue;
    if (msg.type === "state") {
      const state = asString(dig(msg, "neighbor", "state"));
      states.set(peer, state === "up" ? "Established" : state === "connected" ? "OpenSent" : "Idle");
      if (state !== "up") for (const [k, r] of routes) if (r.peer === peer) routes.delete(k);
    } else if (msg.type === "update") {
      updates++;
      applyUpdate(routes, peer, asRecord(dig(msg, "neighbor", "message", "update")) ?? {});
    } else if (msg.type === "refresh") {
      const r = dig(msg, "neighbor", "route-refresh");
      refreshes.push({
        peer,
        afi: asString(dig(r, "afi")) ?? "",
        safi: asString(dig(r, "safi")) ?? "",
        subtype: asString(dig(r, "subtype")) ?? "",
      });
    }
  }
  return { states, routes: [...routes.values()], updates, refreshes };
}

/** One JSON line; failing that, with ExaBGP 4.2's doubled quotes in ROUTE-REFRESH fields (`""ipv4""`) mended. */
function parseLine(line: string): JsonRecord | undefined {
  for (const text of [line, line.replace(/""([\w-]+)""/g, '"$1"')]) {
    try {
      return asRecord(JSON.parse(text));
    } catch {
      // try the mended text, then give up
    }
  }
  return undefined;
}

function applyUpdate(routes: Map<string, BgpRoute>, peer: string, update: JsonRecord): void {
  const key = (family: Family, prefix: string, pathId: number | undefined): string =>
    `${peer}|${family}|${prefix}|${pathId ?? ""}`;
  for (const [afKey, nlris] of Object.entries(asRecord(update.withdraw) ?? {})) {
    const family = familyOfKey(afKey);
    if (family === undefined) continue;
    for (const n of asArray(nlris)) {
      const prefix = asString(dig(n, "nlri"));
      if (prefix !== undefined) routes.delete(key(family, prefix, pathIdOf(n)));
    }
  }
  const attr = asRecord(update.attribute) ?? {};
  for (const [afKey, byNextHop] of Object.entries(asRecord(update.announce) ?? {})) {
    const family = familyOfKey(afKey);
    if (family === undefined) continue;
    for (const [nextHop, nlris] of Object.entries(asRecord(byNextHop) ?? {})) {
      for (const n of asArray(nlris)) {
        const prefix = asString(dig(n, "nlri"));
        if (prefix === undefined) continue;
        const pathId = pathIdOf(n);
        routes.set(key(family, prefix, pathId), {
          family,
          prefix,
          nextHop,
          asPath: asArray(attr["as-path"]).flatMap((a) => asNumber(a) ?? []),
          origin: parseOrigin(asString(attr.origin)),
          med: asNumber(attr.med),
          localPref: asNumber(attr["local-preference"]),
          communities: asArray(attr.community).map((c) => asArray(c).join(":")),
          largeCommunities: asArray(attr["large-community"]).map((c) => asArray(c).join(":")),
          pathId,
          peer,
          best: true,
        });
      }
    }
  }
}

/** ADD-PATH id: ExaBGP prints it as a dotted quad ("0.0.0.1"). */
function pathIdOf(nlri: unknown): number | undefined {
  const text = asString(dig(nlri, "path-information"));
  if (text === undefined) return undefined;
  return text.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}
