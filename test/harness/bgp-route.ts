/**
 * The one route shape every daemon driver returns, so an interop test can
 * compare what BIRD, FRR, GoBGP and ExaBGP received without caring which CLI
 * it came from. Communities are "asn:value" and large communities
 * "global:local1:local2", the notation of RFC 1997 / RFC 8092 tooling.
 */

export type Family = "ipv4" | "ipv6";

export type Origin = "igp" | "egp" | "incomplete";

export interface BgpRoute {
  readonly family: Family;
  /** CIDR as the daemon prints it: "203.0.113.10/32", "2001:db8:1::/48". */
  readonly prefix: string;
  /** The BGP NEXT_HOP (global address for IPv6). */
  readonly nextHop: string | undefined;
  readonly asPath: readonly number[];
  readonly origin: Origin | undefined;
  readonly med: number | undefined;
  readonly localPref: number | undefined;
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  /** ADD-PATH path identifier (RFC 7911) when the daemon shows it. */
  readonly pathId: number | undefined;
  /** Address of the neighbor it was learned from; undefined for a local route. */
  readonly peer: string | undefined;
  /** Selected as best by the daemon (ExaBGP has no decision process: always true). */
  readonly best: boolean;
}

/** The state a driver reports for one neighbor, in RFC 4271 §8.2.2 names. */
export type SessionState =
  | "Idle"
  | "Connect"
  | "Active"
  | "OpenSent"
  | "OpenConfirm"
  | "Established"
  | "Unknown";

export function familyOf(prefixOrAddress: string): Family {
  return prefixOrAddress.includes(":") ? "ipv6" : "ipv4";
}

/** Routes for `prefix`, matching "203.0.113.10" against "203.0.113.10/32". */
export function routesFor(routes: readonly BgpRoute[], prefix: string): BgpRoute[] {
  const want = prefix.includes("/") ? prefix : `${prefix}/${prefix.includes(":") ? 128 : 32}`;
  return routes.filter((r) => r.prefix.toLowerCase() === want.toLowerCase());
}

/** Origin names as CLIs spell them ("IGP", "i", "?", "incomplete"). */
export function parseOrigin(text: string | undefined): Origin | undefined {
  switch (text?.toLowerCase()) {
    case "igp":
    case "i":
      return "igp";
    case "egp":
    case "e":
      return "egp";
    case "incomplete":
    case "?":
      return "incomplete";
    default:
      return undefined;
  }
}

/** What every driver offers to a test. */
export interface BgpDaemon {
  /** "bird", "frr", "gobgp", "exabgp". */
  readonly kind: string;
  readonly name: string;
  /** The session state towards neighbor `peer` (its address). */
  sessionState(peer: string): Promise<SessionState>;
  /** Resolves once the session with `peer` is Established; the timeout error carries the logs. */
  waitEstablished(peer: string, timeoutMs?: number): Promise<void>;
  /** Routes the daemon holds (received and, where the CLI shows them, local). */
  routes(family?: Family): Promise<BgpRoute[]>;
  stop(): Promise<void>;
  /** Stop and start again with the same config (graceful-restart tests). */
  restart(): Promise<void>;
  /** Captured stdout/stderr of the daemon process(es). */
  logs(): string;
}
