/**
 * Parsers for birdc text output: `show protocols` (protocol name, state and
 * BGP session state) and `show route all` (every route of every table with
 * its BGP attributes). birdc prints text only; these parsers accept what
 * BIRD 2.0 prints and skip any line they do not recognise.
 */
import { type BgpRoute, type Family, parseOrigin, type SessionState } from "./bgp-route.js";

export interface BirdProtocol {
  readonly name: string;
  readonly proto: string;
  /** "up", "start", "down", … */
  readonly state: string;
  /** The Info column: "Established", "Active  Socket: Connection refused", … */
  readonly info: string;
}

export function parseBirdProtocols(text: string): BirdProtocol[] {
  const out: BirdProtocol[] = [];
  for (const line of text.split("\n")) {
    // Name Proto Table State Since Info; "Since" is a time or date (may contain a space before the time).
    const m =
      /^(\S+)\s+(\S+)\s+(\S+)\s+(up|down|start|stop|flush)\s+(\S+(?:\s+\d\d:\d\d:\d\d\S*)?)\s*(.*)$/.exec(
        line,
      );
    if (m === null || m[1] === "Name") continue;
    out.push({ name: m[1] ?? "", proto: m[2] ?? "", state: m[4] ?? "", info: (m[6] ?? "").trim() });
  }
  return out;
}

const sessionStates: readonly SessionState[] = [
  "Idle",
  "Connect",
  "Active",
  "OpenSent",
  "OpenConfirm",
  "Established",
];

/** The BGP state out of a protocol's Info column. */
export function birdSessionState(protocol: BirdProtocol | undefined): SessionState {
  const word = protocol?.info.split(/\s+/)[0] ?? "";
  return sessionStates.find((s) => s === word) ?? (protocol?.state === "down" ? "Idle" : "Unknown");
}

interface RouteDraft {
  family: Family;
  prefix: string;
  protocol: string;
  best: boolean;
  vias: string[];
  attrs: Map<string, string>;
}

/**
 * `show route all` → routes. `peerOf` maps a protocol name to its neighbor
 * address (undefined for static and other local protocols).
 */
export function parseBirdRoutes(text: string, peerOf: (protocol: string) => string | undefined): BgpRoute[] {
  const drafts: RouteDraft[] = [];
  let family: Family = "ipv4";
  let prefix = "";
  let cur: RouteDraft | undefined;
  for (const line of text.split("\n")) {
    const table = /^Table (\S+):/.exec(line);
    if (table !== null) {
      family = table[1]?.endsWith("6") ? "ipv6" : "ipv4";
      continue;
    }
    const head = /^(\S+)?\s+(unicast|blackhole|unreachable|prohibited)\s+\[(\S+)[^\]]*\]\s*(\*)?/.exec(line);
    if (head !== null) {
      if (head[1] !== undefined) prefix = head[1];
      cur = { family, prefix, protocol: head[3] ?? "", best: head[4] === "*", vias: [], attrs: new Map() };
      drafts.push(cur);
      continue;
    }
    if (cur === undefined) continue;
    const via = /^\s+via (\S+)/.exec(line);
    if (via?.[1] !== undefined) {
      cur.vias.push(via[1]);
      continue;
    }
    const attr = /^\s+BGP\.(\w+):\s?(.*)$/.exec(line);
    if (attr?.[1] !== undefined) cur.attrs.set(attr[1], (attr[2] ?? "").trim());
  }
  return drafts.map((d) => toRoute(d, peerOf));
}

function toRoute(d: RouteDraft, peerOf: (protocol: string) => string | undefined): BgpRoute {
  const num = (key: string): number | undefined => {
    const v = d.attrs.get(key);
    return v === undefined || v === "" ? undefined : Number(v);
  };
  const asPath = (d.attrs.get("as_path") ?? "")
    .replace(/[{}]/g, " ")
    .split(/\s+/)
    .filter((t) => /^\d+$/.test(t))
    .map(Number);
  return {
    family: d.family,
    prefix: d.prefix,
    nextHop: d.attrs.get("next_hop")?.split(/\s+/)[0] ?? d.vias[0],
    asPath,
    origin: parseOrigin(d.attrs.get("origin")),
    med: num("med"),
    localPref: num("local_pref"),
    communities: tuples(d.attrs.get("community")),
    largeCommunities: tuples(d.attrs.get("large_community")),
    pathId: undefined,
    peer: peerOf(d.protocol),
    best: d.best,
  };
}

/** "(65000,100) (65535, 65281)" → ["65000:100", "65535:65281"]. */
function tuples(text: string | undefined): string[] {
  if (text === undefined) return [];
  return [...text.matchAll(/\(([^)]*)\)/g)].map((m) =>
    (m[1] ?? "")
      .split(",")
      .map((s) => s.trim())
      .join(":"),
  );
}
