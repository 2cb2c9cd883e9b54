/**
 * The JSON shapes of the admin API (`GET /neighbors`, `GET /routes`) and
 * the pure functions that build them from the speaker's status. Shared by
 * the server and the CLI, which formats them as tables. Absent values are
 * `null` (not missing) so every field shows in the JSON.
 */
import {
  type DownReason,
  describeNotification,
  type NeighborStatus,
  type NotificationMessage,
  type RouteInfo,
} from "@portlb/bgp";

export interface NotificationView {
  readonly code: number;
  readonly subcode: number;
  /** "Cease/Administrative Shutdown" (RFC names). */
  readonly name: string;
  /** RFC 9003 shutdown communication, if any. */
  readonly communication: string | null;
}

export interface LastErrorView {
  /** The FSM event that ended the session ("NotifMsg", "HoldTimerExpires", ...). */
  readonly event: string;
  readonly sent: NotificationView | null;
  readonly received: NotificationView | null;
}

export interface NeighborView {
  readonly address: string;
  readonly asn: number | readonly number[];
  /** The dynamic range it came from; null for an upstream (static) peer. */
  readonly range: string | null;
  readonly state: string;
  /** When the state last changed (ISO 8601), null if it never did. */
  readonly since: string | null;
  /** Seconds in the current state (uptime when Established). */
  readonly secondsInState: number | null;
  readonly prefixesReceived: number;
  readonly prefixesAdvertised: number;
  readonly updatesReceived: number;
  readonly updatesSent: number;
  /** The update group it is in (peers sharing one encoding of every UPDATE); null while down. */
  readonly updateGroup: number | null;
  readonly lastError: LastErrorView | null;
}

export interface PathView {
  readonly best: boolean;
  readonly multipath: boolean;
  readonly stale: boolean;
  /** The neighbor that sent it, or "local". */
  readonly peer: string;
  readonly pathId: number;
  readonly nextHop: string | null;
  readonly asPath: readonly number[];
  readonly localPref: number | null;
  readonly med: number | null;
  readonly communities: readonly number[];
  readonly originatorId: string | null;
  readonly clusterList: readonly string[];
}

export interface PrefixView {
  readonly prefix: string;
  readonly paths: readonly PathView[];
}

export function notificationView(n: NotificationMessage): NotificationView {
  return {
    code: n.code,
    subcode: n.subcode,
    name: describeNotification(n.code, n.subcode),
    communication: n.shutdownCommunication ?? null,
  };
}

export function lastErrorView(r: DownReason): LastErrorView {
  return {
    event: r.event,
    sent: r.sent === undefined ? null : notificationView(r.sent),
    received: r.received === undefined ? null : notificationView(r.received),
  };
}

export function neighborView(n: NeighborStatus, now: number): NeighborView {
  const changed = n.since > 0;
  return {
    address: n.address,
    asn: n.asn,
    range: n.dynamic ?? null,
    state: n.state,
    since: changed ? new Date(n.since).toISOString() : null,
    secondsInState: changed ? Math.max(0, Math.floor((now - n.since) / 1000)) : null,
    prefixesReceived: n.prefixesReceived,
    prefixesAdvertised: n.prefixesAdvertised,
    updatesReceived: n.updatesReceived,
    updatesSent: n.updatesSent,
    updateGroup: n.updateGroup ?? null,
    lastError: n.lastError === undefined ? null : lastErrorView(n.lastError),
  };
}

/** Groups the speaker's Loc-RIB paths by prefix, in the order they came. */
export function prefixViews(routes: readonly RouteInfo[]): PrefixView[] {
  const byPrefix = new Map<string, PathView[]>();
  for (const r of routes) {
    let paths = byPrefix.get(r.prefix);
    if (paths === undefined) {
      paths = [];
      byPrefix.set(r.prefix, paths);
    }
    paths.push({
      best: r.best,
      multipath: r.multipath,
      stale: r.stale,
      peer: r.peer,
      pathId: r.pathId,
      nextHop: r.nextHop ?? null,
      asPath: r.asPath,
      localPref: r.localPref ?? null,
      med: r.med ?? null,
      communities: r.communities,
      originatorId: r.originatorId ?? null,
      clusterList: r.clusterList,
    });
  }
  return [...byPrefix].map(([prefix, paths]) => ({ prefix, paths }));
}
