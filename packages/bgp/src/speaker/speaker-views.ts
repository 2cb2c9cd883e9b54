/**
 * What the speaker shows of itself: neighbor status, Loc-RIB paths and
 * what was advertised, as plain data for CLIs, admin APIs and metrics.
 */
import type { DownReason, State } from "../fsm/types.js";
import { type LocRib, samePath } from "../rib/loc-rib.js";
import { type PrefixKey, prefixKeyFromText, prefixKeyToText } from "../rib/prefix-key.js";
import type { PathAttributes } from "../wire/index.js";
import type { UpdateGroupStatus } from "./route-engine.js";

export interface NeighborStatus {
  readonly address: string;
  readonly asn: number | readonly number[];
  readonly dynamic: string | undefined;
  readonly state: State;
  /** ms since the state last changed. */
  readonly since: number;
  readonly prefixesReceived: number;
  readonly prefixesAdvertised: number;
  /** UPDATE messages received / sent since the speaker started. */
  readonly updatesReceived: number;
  readonly updatesSent: number;
  /** The update group the neighbor is in (undefined while down). */
  readonly updateGroup: number | undefined;
  readonly lastError: DownReason | undefined;
}

/** One update group: neighbors that share an Adj-RIB-Out and every encoded UPDATE. */
export interface UpdateGroupInfo {
  readonly id: number;
  /** Neighbor addresses. */
  readonly members: readonly string[];
  /** False while its only member is still catching up with the table before joining a shared group. */
  readonly shared: boolean;
  /** Prefixes advertised to the group (all families). */
  readonly prefixes: number;
  /** UPDATE messages encoded for the group; each was written to every member. */
  readonly updatesEncoded: number;
}

export interface AdvertisedPath {
  readonly prefix: string;
  readonly pathId: number;
  readonly nextHop: string | undefined;
}

export interface RouteInfo {
  readonly prefix: string;
  readonly best: boolean;
  readonly multipath: boolean;
  readonly peer: string;
  readonly pathId: number;
  readonly nextHop: string | undefined;
  readonly asPath: readonly number[];
  readonly localPref: number | undefined;
  readonly med: number | undefined;
  readonly communities: readonly number[];
  readonly originatorId: string | undefined;
  readonly clusterList: readonly string[];
  readonly stale: boolean;
}

/** Loc-RIB paths, all or for one prefix (looked up directly, not scanned). */
export function routeInfos(rib: LocRib, filter?: { prefix?: string }): RouteInfo[] {
  let keys: Iterable<PrefixKey>;
  if (filter?.prefix === undefined) keys = rib.keys();
  else {
    let key: PrefixKey;
    try {
      key = prefixKeyFromText(filter.prefix);
    } catch {
      return [];
    }
    keys = [key];
  }
  const out: RouteInfo[] = [];
  for (const key of keys) {
    const candidates = rib.candidates(key);
    if (candidates.length === 0) continue;
    const prefix = prefixKeyToText(key);
    const best = rib.best(key);
    const multipath = rib.multipath(key);
    for (const p of candidates) {
      const a = p.attrs.attrs;
      out.push({
        prefix,
        best: samePath(p, best),
        multipath: multipath.some((m) => samePath(m, p)),
        peer: p.peer.local ? "local" : p.peer.address,
        pathId: p.pathId,
        nextHop: a.nextHop,
        asPath: (a.asPath ?? []).flatMap((s) => s.asns),
        localPref: a.localPref,
        med: a.med,
        communities: a.communities ?? [],
        originatorId: a.originatorId,
        clusterList: a.clusterList ?? [],
        stale: p.stale,
      });
    }
  }
  return out;
}

/** The engine's update groups, members named by address (`#id` for one no longer known). */
export function updateGroupInfos(
  groups: readonly UpdateGroupStatus[],
  addressOf: (id: number) => string | undefined,
): UpdateGroupInfo[] {
  return groups.map((g) => ({
    id: g.id,
    members: g.members.map((id) => addressOf(id) ?? `#${id}`),
    shared: g.shared,
    prefixes: g.prefixes,
    updatesEncoded: g.encoded,
  }));
}

/** What a neighbor was sent, as text. */
export function advertisedPaths(
  sent: readonly { readonly prefix: PrefixKey; readonly pathId: number; readonly attrs: PathAttributes }[],
): AdvertisedPath[] {
  return sent.map((a) => ({ prefix: prefixKeyToText(a.prefix), pathId: a.pathId, nextHop: a.attrs.nextHop }));
}
