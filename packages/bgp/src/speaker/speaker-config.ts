/**
 * The speaker's configuration: what `createSpeaker` takes, its defaults, and
 * the checks that refuse a bad configuration at start-up with an error that
 * names the field. Pure.
 *
 * Security defaults: a connection is accepted only from a configured
 * neighbor address or a configured dynamic range (and closed before an OPEN
 * is read otherwise); each dynamic range caps its number of peers; every
 * neighbor may have a max-prefix limit.
 */
import { Validator } from "../ip-num.js";
import { AddPathDirection, type Capability } from "../wire/index.js";

export type Family = "ipv4-unicast" | "ipv6-unicast";

/** Settings shared by static neighbors and dynamic ranges. */
export interface SessionSettings {
  /** Families to negotiate; default both IPv4 and IPv6 unicast. */
  readonly families?: readonly Family[];
  /** Hold time to propose, seconds: 0 or >= 3. Default 90. */
  readonly holdTime?: number;
  /** Keepalive interval; default a third of the negotiated hold time. */
  readonly keepaliveTime?: number;
  /** Seconds between connection attempts. Default 10. */
  readonly connectRetryTime?: number;
  /** Wait for the peer's OPEN this long before sending ours (RFC 4271 DelayOpen); 0 = off. */
  readonly delayOpenTime?: number;
  /** ADD-PATH (RFC 7911) per family, in our terms: send, receive, or both. */
  readonly addPath?: Partial<Record<Family, "send" | "receive" | "both">>;
  /** ADD-PATH send: at most this many paths per prefix, best first. Default: all. */
  readonly addPathSendMax?: number;
  /** RFC 4456: this peer is a route-reflector client of ours (needs `clusterId`). */
  readonly routeReflectorClient?: boolean;
  /** Max-prefix: at `limit` accepted paths, Cease/1, then stay down `restartAfter` seconds. */
  readonly maxPrefixes?: { readonly limit: number; readonly restartAfter?: number };
  /** Act as graceful-restart helper for this peer (RFC 4724). Default true. */
  readonly gracefulRestart?: boolean;
  /**
   * Advertise enhanced route refresh (RFC 7313: BoRR/EoRR around a refresh).
   * Default true; false for peers that mishandle it (ExaBGP 4.2 drops the
   * session while answering an enhanced refresh).
   */
  readonly enhancedRouteRefresh?: boolean;
}

export interface NeighborConfig extends SessionSettings {
  readonly address: string;
  readonly asn: number;
  /** TCP port of the peer. Default 179. */
  readonly port?: number;
  /** Wait for the peer to connect (never connect out). Default false. */
  readonly passive?: boolean;
  /** Source address of our connections. */
  readonly localAddress?: string;
  readonly description?: string;
}

export interface DynamicRangeConfig extends SessionSettings {
  readonly name: string;
  /** CIDR prefixes peers may connect from. */
  readonly prefixes: readonly string[];
  /** AS numbers those peers may use. */
  readonly asns: readonly number[];
  /** At most this many peers from the range at once. */
  readonly maxPeers: number;
}

export interface ListenConfig {
  readonly address: string;
  readonly port: number;
}

export interface SpeakerConfig {
  readonly localAs: number;
  readonly routerId: string;
  /** Where to accept connections. Default: none (active-only speaker). */
  readonly listen?: readonly ListenConfig[];
  readonly neighbors?: readonly NeighborConfig[];
  readonly dynamicNeighbors?: readonly DynamicRangeConfig[];
  /** Restart time we advertise in the graceful-restart capability; 0 = do not advertise. */
  readonly gracefulRestartTime?: number;
  /** Act as a route reflector (RFC 4456) with this CLUSTER_ID (dotted quad, often the router ID). */
  readonly clusterId?: string;
  /**
   * RFC 4724 restarting side: this process is a restart. Until
   * `endOfRibDeferral` has passed, OPENs carry the Restart State bit and the
   * Forwarding State bit per family, and End-of-RIB is withheld, so helpers
   * (the upstream router) keep our previous routes as stale and replace
   * them as our peers come back, instead of dropping them at once.
   */
  readonly restarting?: boolean;
  /** Seconds to withhold End-of-RIB after start (selection deferral, RFC 4724 §4.1). Default 0. */
  readonly endOfRibDeferral?: number;
}

export const SessionDefaults = {
  holdTime: 90,
  connectRetryTime: 10,
  idleHoldTime: 1,
  maxIdleHoldTime: 120,
  stableTime: 60,
  maxPrefixRestartAfter: 60,
  port: 179,
} as const;

/** A configuration that does not hold together; `field` names the culprit. */
export class SpeakerConfigError extends Error {
  override readonly name = "SpeakerConfigError";
  readonly code = "ERR_BGP_CONFIG";
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

const isIpv4 = (s: string): boolean => Validator.isValidIPv4String(s)[0];
const isIpv6 = (s: string): boolean => Validator.isValidIPv6String(s)[0];
const isAsn = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 0xffffffff;

function checkSettings(s: SessionSettings, at: string, reflector: boolean): void {
  if (
    s.holdTime !== undefined &&
    !(s.holdTime === 0 || (Number.isInteger(s.holdTime) && s.holdTime >= 3 && s.holdTime <= 65535))
  )
    throw new SpeakerConfigError(`${at}.holdTime`, "must be 0 or an integer from 3 to 65535 (RFC 4271 §4.2)");
  if (s.families !== undefined && s.families.length === 0)
    throw new SpeakerConfigError(`${at}.families`, "must not be empty");
  if (s.routeReflectorClient === true && !reflector)
    throw new SpeakerConfigError(
      `${at}.routeReflectorClient`,
      "needs clusterId: only a route reflector has clients",
    );
  if (s.addPathSendMax !== undefined && !(Number.isInteger(s.addPathSendMax) && s.addPathSendMax >= 1))
    throw new SpeakerConfigError(`${at}.addPathSendMax`, "must be a positive integer");
  if (s.maxPrefixes !== undefined && !(Number.isInteger(s.maxPrefixes.limit) && s.maxPrefixes.limit > 0))
    throw new SpeakerConfigError(`${at}.maxPrefixes.limit`, "must be a positive integer");
}

/** Throws a SpeakerConfigError naming the first bad field. */
export function validateSpeakerConfig(c: SpeakerConfig): void {
  if (!isAsn(c.localAs)) throw new SpeakerConfigError("localAs", "must be an AS number from 1 to 4294967295");
  if (!isIpv4(c.routerId) || c.routerId === "0.0.0.0")
    throw new SpeakerConfigError("routerId", "must be a non-zero IPv4 address (RFC 6286)");
  if (c.clusterId !== undefined && (!isIpv4(c.clusterId) || c.clusterId === "0.0.0.0"))
    throw new SpeakerConfigError("clusterId", "must be a non-zero IPv4 address (RFC 4456 §7)");
  (c.listen ?? []).forEach((l, i) => {
    if (!isIpv4(l.address) && !isIpv6(l.address))
      throw new SpeakerConfigError(`listen[${i}].address`, `not an IP address: ${JSON.stringify(l.address)}`);
    if (!Number.isInteger(l.port) || l.port < 0 || l.port > 65535)
      throw new SpeakerConfigError(`listen[${i}].port`, "must be 0-65535");
  });
  const seen = new Set<string>();
  (c.neighbors ?? []).forEach((n, i) => {
    const at = `neighbors[${i}]`;
    if (!isIpv4(n.address) && !isIpv6(n.address))
      throw new SpeakerConfigError(`${at}.address`, `not an IP address: ${JSON.stringify(n.address)}`);
    if (seen.has(n.address))
      throw new SpeakerConfigError(`${at}.address`, `${n.address} is configured twice`);
    seen.add(n.address);
    if (!isAsn(n.asn)) throw new SpeakerConfigError(`${at}.asn`, "must be an AS number from 1 to 4294967295");
    checkSettings(n, at, c.clusterId !== undefined);
  });
  (c.dynamicNeighbors ?? []).forEach((d, i) => {
    const at = `dynamicNeighbors[${i}]`;
    if (d.prefixes.length === 0)
      throw new SpeakerConfigError(`${at}.prefixes`, "must list at least one CIDR");
    d.prefixes.forEach((p, j) => {
      const v4 = Validator.isValidIPv4CidrRange(p);
      const v6 = Validator.isValidIPv6CidrRange(p);
      if (!v4[0] && !v6[0])
        throw new SpeakerConfigError(
          `${at}.prefixes[${j}]`,
          `not a CIDR range: ${JSON.stringify(p)} (${[...v4[1], ...v6[1]][0] ?? "invalid"})`,
        );
    });
    if (d.asns.length === 0 || !d.asns.every(isAsn))
      throw new SpeakerConfigError(`${at}.asns`, "must list AS numbers from 1 to 4294967295");
    if (!Number.isInteger(d.maxPeers) || d.maxPeers < 1)
      throw new SpeakerConfigError(`${at}.maxPeers`, "must be a positive integer");
    checkSettings(d, at, c.clusterId !== undefined);
  });
}

const familyAfi: Record<Family, number> = { "ipv4-unicast": 1, "ipv6-unicast": 2 };
const directionOf = {
  send: AddPathDirection.Send,
  receive: AddPathDirection.Receive,
  both: AddPathDirection.Both,
} as const;

/** The capabilities our OPEN advertises to a peer with these settings. */
export function capabilitiesFor(c: SpeakerConfig, s: SessionSettings, restarting = false): Capability[] {
  const families = s.families ?? ["ipv4-unicast", "ipv6-unicast"];
  const caps: Capability[] = families.map((f) => ({ kind: "multiprotocol", afi: familyAfi[f], safi: 1 }));
  caps.push({ kind: "route-refresh" });
  if (s.enhancedRouteRefresh !== false) caps.push({ kind: "enhanced-route-refresh" });
  caps.push({ kind: "four-octet-as", asn: c.localAs });
  const addPath = Object.entries(s.addPath ?? {}).filter(([f]) => families.includes(f as Family)) as [
    Family,
    "send" | "receive" | "both",
  ][];
  if (addPath.length > 0) {
    caps.push({
      kind: "add-path",
      families: addPath.map(([f, d]) => ({ afi: familyAfi[f], safi: 1, direction: directionOf[d] })),
    });
  }
  // RFC 4724 §3: restart time 0 and no families says "I only help" (receiving speaker).
  const restartTime = Math.min(4095, c.gracefulRestartTime ?? 0);
  if (restartTime > 0 || s.gracefulRestart !== false) {
    caps.push({
      kind: "graceful-restart",
      restarting: restarting && restartTime > 0,
      notification: false,
      restartTime,
      families:
        restartTime > 0 ? families.map((f) => ({ afi: familyAfi[f], safi: 1, forwarding: restarting })) : [],
    });
  }
  return caps;
}
