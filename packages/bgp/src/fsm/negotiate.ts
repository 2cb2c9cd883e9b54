/**
 * OPEN checks and capability negotiation (RFC 4271 §6.2, RFC 5492, RFC 6286,
 * RFC 6793, RFC 7911, RFC 8654, RFC 4724).
 *
 * `negotiate(config, peerOpen)` either returns the one immutable
 * `Negotiated` record that the session uses from then on (its `ctx` becomes
 * the codec context), or throws the OpenMessageError whose NOTIFICATION must
 * be sent. The codec already rejected what is wrong with the OPEN on its own
 * (version, hold time 1-2, BGP Identifier 0); this checks it against us.
 */
import {
  AddPathDirection,
  AsTrans,
  type Capability,
  familyKey,
  Ipv4Unicast,
  makeContext,
  type OpenMessage,
  OpenMessageError,
  OpenMessageSubcode,
  parseIpv4,
} from "../wire/index.js";
import type { FsmConfig, Negotiated } from "./types.js";

/** The peer's real AS: the 4-octet AS capability's, else the 2-octet field (RFC 6793 §4.1). */
export function peerAsOf(open: OpenMessage): number {
  for (const c of open.capabilities) if (c.kind === "four-octet-as") return c.asn;
  return open.myAs;
}

function has(caps: readonly Capability[], kind: Capability["kind"]): boolean {
  return caps.some((c) => c.kind === kind);
}

/** Families a capability list declares; none at all means IPv4 unicast (RFC 4760 §8). */
export function familiesOf(caps: readonly Capability[]): number[] {
  const out: number[] = [];
  for (const c of caps) if (c.kind === "multiprotocol") out.push(familyKey(c.afi, c.safi));
  return out.length === 0 ? [Ipv4Unicast] : out;
}

function addPathOf(caps: readonly Capability[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const c of caps) {
    if (c.kind !== "add-path") continue;
    for (const f of c.families) out.set(familyKey(f.afi, f.safi), f.direction);
  }
  return out;
}

function asBytes(n: number): Uint8Array {
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

function ipBytes(ip: string): Uint8Array {
  const a = parseIpv4(ip);
  return Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
}

export function negotiate(config: FsmConfig, open: OpenMessage): Negotiated {
  const peerAs = peerAsOf(open);
  const allowed = typeof config.peerAs === "number" ? [config.peerAs] : config.peerAs;
  // RFC 6793 §4.1: with the capability, My AS must be AS_TRANS unless the ASN fits in 2 octets.
  const fourOctetCap = open.capabilities.find((c) => c.kind === "four-octet-as");
  const inconsistent =
    fourOctetCap !== undefined && peerAs <= 0xffff && open.myAs !== peerAs && open.myAs !== AsTrans;
  if (!allowed.includes(peerAs) || inconsistent) {
    throw new OpenMessageError(
      "ERR_BGP_BAD_PEER_AS",
      OpenMessageSubcode.BadPeerAs,
      `peer AS ${peerAs} is not ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(", ")}`}`,
      asBytes(open.myAs),
    );
  }
  const ibgp = peerAs === config.localAs;
  // RFC 6286 §2.2: an internal peer may not use our identifier.
  if (ibgp && open.bgpId === config.routerId) {
    throw new OpenMessageError(
      "ERR_BGP_BAD_BGP_IDENTIFIER",
      OpenMessageSubcode.BadBgpIdentifier,
      `internal peer uses our BGP identifier ${open.bgpId}`,
      ipBytes(open.bgpId),
    );
  }
  // RFC 4271 §4.2: the smaller of the two hold times.
  const holdTime = Math.min(config.holdTime, open.holdTime);
  if (config.minHoldTime !== undefined && config.minHoldTime > 0 && holdTime < config.minHoldTime) {
    throw new OpenMessageError(
      "ERR_BGP_UNACCEPTABLE_HOLD_TIME",
      OpenMessageSubcode.UnacceptableHoldTime,
      `hold time ${holdTime}s is below the configured minimum ${config.minHoldTime}s`,
      asBytes(open.holdTime),
    );
  }
  const keepaliveTime =
    holdTime === 0
      ? 0
      : Math.max(1, Math.min(config.keepaliveTime ?? Math.floor(holdTime / 3), Math.floor(holdTime / 3)));

  const ours = familiesOf(config.capabilities);
  const theirs = new Set(familiesOf(open.capabilities));
  const families = ours.filter((f) => theirs.has(f));
  if (families.length === 0) {
    throw new OpenMessageError(
      "ERR_BGP_NO_COMMON_FAMILY",
      OpenMessageSubcode.UnsupportedCapability,
      "no address family in common",
    );
  }

  const ourAddPath = addPathOf(config.capabilities);
  const theirAddPath = addPathOf(open.capabilities);
  const addPathReceive = new Set<number>();
  const addPathSend = new Set<number>();
  for (const f of families) {
    const o = ourAddPath.get(f) ?? 0;
    const t = theirAddPath.get(f) ?? 0;
    // RFC 7911 §4: receive when we said Receive and they said Send, and vice versa.
    if (o & AddPathDirection.Receive && t & AddPathDirection.Send) addPathReceive.add(f);
    if (o & AddPathDirection.Send && t & AddPathDirection.Receive) addPathSend.add(f);
  }

  const gr = open.capabilities.find((c) => c.kind === "graceful-restart");
  return Object.freeze({
    peerAs,
    peerBgpId: open.bgpId,
    ibgp,
    holdTime,
    keepaliveTime,
    families,
    routeRefresh: has(open.capabilities, "route-refresh") || has(open.capabilities, "enhanced-route-refresh"),
    enhancedRouteRefresh:
      has(open.capabilities, "enhanced-route-refresh") && has(config.capabilities, "enhanced-route-refresh"),
    ...(gr === undefined
      ? {}
      : {
          gracefulRestart: {
            restarting: gr.restarting,
            notification: gr.notification,
            restartTime: gr.restartTime,
            families: gr.families.map((f) => ({
              family: familyKey(f.afi, f.safi),
              forwarding: f.forwarding,
            })),
          },
        }),
    ctx: makeContext({
      fourOctetAs: fourOctetCap !== undefined && has(config.capabilities, "four-octet-as"),
      addPathReceive,
      addPathSend,
      extendedMessage:
        has(open.capabilities, "extended-message") && has(config.capabilities, "extended-message"),
    }),
    peerOpen: open,
  });
}
