/**
 * The LB pod's BGP side: one @portlb/bgp speaker that connects to the route
 * reflector(s) and announces each VIP the reconciler says may be announced
 * (VIP/32 or /128, NEXT_HOP = this node's IP), with `setAnnouncements`
 * semantics: every call replaces the whole set and only the difference is
 * sent. An empty set withdraws everything (the first step of SIGTERM); `stop`
 * says goodbye with Cease/Administrative Shutdown.
 *
 * The speaker does not listen (it only connects out) and imports nothing:
 * toward an eBGP reflector the RFC 8212 default-deny is lifted for export
 * only.
 */
import { createSpeaker, type LocalRoute, type Speaker, type SpeakerOptions } from "@portlb/bgp";
import type { Logger } from "pino";
import type { AgentConfig } from "../config/agent-config-schema.js";
import type { AnnounceHook } from "../reconcile/reconciler.js";

export type BgpSettings = NonNullable<AgentConfig["bgp"]>;

/** The speaker options for these settings (pure). Throws when no IPv4 router ID can be found. */
export function speakerOptions(
  bgp: BgpSettings,
  nodeIp: string | undefined,
  logger?: Logger,
): SpeakerOptions {
  const routerId = bgp.routerId ?? (nodeIp !== undefined && !nodeIp.includes(":") ? nodeIp : undefined);
  if (routerId === undefined) throw new Error("bgp.routerId is required when the node IP is not IPv4");
  const policies: Record<string, { export: "accept" }> = {};
  for (const rr of bgp.routeReflectors)
    if (rr.as !== bgp.localAS) policies[rr.address] = { export: "accept" };
  return {
    localAs: bgp.localAS,
    routerId,
    neighbors: bgp.routeReflectors.map((rr) => ({
      address: rr.address,
      asn: rr.as,
      port: rr.port,
      holdTime: rr.holdTimeSeconds ?? bgp.holdTimeSeconds,
      connectRetryTime: 5,
    })),
    policies,
    ...(logger === undefined ? {} : { logger }),
  };
}

/** The routes for a set of VIPs: host prefixes with this node as next hop (same family only). */
export function vipRoutes(vips: ReadonlySet<string>, nodeIp: string | undefined): LocalRoute[] {
  return [...vips].sort().map((vip) => {
    const v6 = vip.includes(":");
    const sameFamily = nodeIp !== undefined && nodeIp.includes(":") === v6;
    return { prefix: `${vip}/${v6 ? 128 : 32}`, ...(sameFamily ? { nextHop: nodeIp } : {}) };
  });
}

export class BgpAnnouncer {
  readonly speaker: Speaker;
  readonly #nodeIp: string | undefined;
  readonly #log: Logger;

  constructor(bgp: BgpSettings, nodeIp: string | undefined, logger: Logger) {
    this.#nodeIp = nodeIp;
    this.#log = logger;
    this.speaker = createSpeaker(speakerOptions(bgp, nodeIp, logger.child({ component: "bgp" })));
  }

  async start(): Promise<void> {
    await this.speaker.start();
  }

  /** The reconciler's announce hook. */
  readonly hook: AnnounceHook = (vips) => {
    const routes = vipRoutes(vips, this.#nodeIp);
    this.#log.info({ announced: routes.map((r) => r.prefix) }, "BGP announcements");
    this.speaker.setAnnouncements(routes);
  };

  async stop(message = "lb-agent shutting down"): Promise<void> {
    await this.speaker.stop(message);
  }
}
