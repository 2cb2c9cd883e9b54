/**
 * One neighbor as the speaker keeps it (its Peer, settings, counters and
 * graceful-restart timer), and the pure pieces built from its configuration:
 * the FSM settings, the RIB options of an established session, and the
 * graceful-restart helper rule (RFC 4724 §4.2).
 */
import net from "node:net";
import type { Logger } from "pino";
import type { DownReason, FsmConfig, Negotiated } from "../fsm/types.js";
import type { PeerRef } from "../rib/path.js";
import { acceptAll, acceptAllExport, type ExportPolicy, type ImportPolicy } from "../rib/policy.js";
import type { Clock } from "../session/clock.js";
import type { Session } from "../session/session.js";
import type { Capability } from "../wire/index.js";
import { Peer } from "./peer.js";
import type { PeerRibOptions } from "./route-engine.js";
import {
  type DynamicRangeConfig,
  type NeighborConfig,
  SessionDefaults,
  type SessionSettings,
} from "./speaker-config.js";
import type { NeighborStatus } from "./speaker-views.js";

/** Import/export policy for a neighbor; "accept" lifts the RFC 8212 default deny for eBGP. */
export interface PolicyConfig {
  readonly import?: "accept" | ImportPolicy;
  readonly export?: "accept" | ExportPolicy;
}

export interface PeerEntry {
  readonly peer: Peer;
  readonly address: string;
  readonly settings: SessionSettings;
  readonly asn: number | readonly number[];
  readonly dynamic: DynamicRangeConfig | undefined;
  policy: PolicyConfig | undefined;
  ref: PeerRef | undefined;
  id: number;
  session: Session | undefined;
  negotiated: Negotiated | undefined;
  staleTimer: NodeJS.Timeout | undefined;
  updatesIn: number;
  updatesOut: number;
}

/** Import/export policy by neighbor address or dynamic range name. */
export function policyOf(
  policies: Readonly<Record<string, PolicyConfig>> | undefined,
  key: string,
): PolicyConfig | undefined {
  return policies?.[key];
}

/** What `neighbors()` shows of one neighbor. */
export function statusOf(
  e: PeerEntry,
  counts: { readonly received: number; readonly advertised: number },
  updateGroup: number | undefined,
): NeighborStatus {
  return {
    address: e.address,
    asn: e.asn,
    dynamic: e.dynamic?.name,
    state: e.peer.state,
    since: e.peer.since,
    prefixesReceived: counts.received,
    prefixesAdvertised: counts.advertised,
    updatesReceived: e.updatesIn,
    updatesSent: e.updatesOut,
    updateGroup,
    lastError: e.peer.lastError,
  };
}

/** Seconds stale routes may outlive a re-established graceful restart without End-of-RIB. */
export const StaleRoutesTime = 360;

/** The FSM settings of a neighbor; `capabilities` is asked for at each OPEN (the Restart State bit changes). */
export function fsmConfigFor(
  base: { readonly localAs: number; readonly routerId: string },
  settings: SessionSettings,
  asn: number | readonly number[],
  passive: boolean,
  dynamic: boolean,
  capabilities: () => readonly Capability[],
): FsmConfig {
  return {
    localAs: base.localAs,
    routerId: base.routerId,
    peerAs: asn,
    holdTime: settings.holdTime ?? SessionDefaults.holdTime,
    ...(settings.keepaliveTime === undefined ? {} : { keepaliveTime: settings.keepaliveTime }),
    connectRetryTime: settings.connectRetryTime ?? SessionDefaults.connectRetryTime,
    passive: dynamic || passive,
    delayOpenTime: settings.delayOpenTime ?? 0,
    dampPeerOscillations: true,
    idleHoldTime: SessionDefaults.idleHoldTime,
    maxIdleHoldTime: SessionDefaults.maxIdleHoldTime,
    stableTime: SessionDefaults.stableTime,
    sendNotificationWithoutOpen: false,
    allowAutomaticStart: !dynamic,
    get capabilities() {
      return capabilities();
    },
  };
}

/** The Peer of a neighbor; it opens connections itself unless passive or dynamic (no `neighbor`). */
export function createPeer(
  address: string,
  fsm: FsmConfig,
  logger: Logger,
  clock: Clock | undefined,
  neighbor: NeighborConfig | undefined,
): Peer {
  const active = neighbor !== undefined && neighbor.passive !== true;
  return new Peer({
    address,
    fsm,
    logger,
    ...(clock === undefined ? {} : { clock }),
    ...(active
      ? {
          connect: () =>
            net.connect({
              host: address,
              port: neighbor.port ?? SessionDefaults.port,
              ...(neighbor.localAddress === undefined ? {} : { localAddress: neighbor.localAddress }),
            }),
        }
      : {}),
  });
}

/** (Re)arms a neighbor's graceful-restart timer: `expire` runs after `seconds` unless re-armed or cleared. */
export function armStaleTimer(e: PeerEntry, seconds: number, expire: () => void): void {
  if (e.staleTimer !== undefined) clearTimeout(e.staleTimer);
  e.staleTimer = setTimeout(() => {
    e.staleTimer = undefined;
    expire();
  }, seconds * 1000);
  e.staleTimer.unref();
}

/** The RIB options of an established session (`localAddress`: our end of it). */
export function ribOptionsFor(
  e: PeerEntry,
  ref: PeerRef,
  negotiated: Negotiated,
  localAddress: string,
): PeerRibOptions {
  const policy = e.policy;
  return {
    ref,
    ctx: negotiated.ctx,
    families: negotiated.families,
    ...(e.settings.addPathSendMax === undefined ? {} : { maxPaths: e.settings.addPathSendMax }),
    ...(localAddress.includes(":") ? { localIpv6: localAddress } : { localIpv4: localAddress }),
    ...(policy?.import === undefined
      ? {}
      : { importPolicy: policy.import === "accept" ? acceptAll : policy.import }),
    ...(policy?.export === undefined
      ? {}
      : { exportPolicy: policy.export === "accept" ? acceptAllExport : policy.export }),
  };
}

/**
 * RFC 4724 §4.2, helper side: a peer's routes are kept (stale) when it
 * negotiated graceful restart with a restart time and the TCP session ended
 * without a NOTIFICATION (we do not advertise RFC 8538's N bit, so any
 * NOTIFICATION means a real stop), unless we are stopping ourselves.
 */
export function keepsStale(e: PeerEntry, reason: DownReason, stopping: boolean): boolean {
  const gr = e.negotiated?.gracefulRestart;
  return (
    gr !== undefined &&
    e.settings.gracefulRestart !== false &&
    gr.restartTime > 0 &&
    !stopping &&
    reason.sent === undefined &&
    reason.received === undefined
  );
}
