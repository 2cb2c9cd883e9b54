/**
 * gobgpd TOML configuration from a typed description: global AS/router ID/
 * listen port, neighbors (passive, ADD-PATH receive and send-max RFC 7911,
 * graceful restart RFC 4724, route-reflector client RFC 4456) and the
 * multipath switch. Connect retry defaults to 1 s (GoBGP's default is 120 s).
 */
import { type Family, familyOf } from "./bgp-route.js";

export interface GobgpNeighbor {
  readonly address: string;
  readonly as: number;
  readonly families?: readonly Family[];
  readonly localAddress?: string;
  readonly passive?: boolean;
  readonly remotePort?: number;
  readonly addPathReceive?: boolean;
  /** Send up to this many paths per prefix (ADD-PATH send). */
  readonly addPathSendMax?: number;
  readonly gracefulRestart?: boolean;
  readonly gracefulRestartTime?: number;
  readonly rrClient?: boolean;
  readonly holdTime?: number;
  readonly keepaliveInterval?: number;
}

export interface GobgpConfig {
  readonly as: number;
  readonly routerId: string;
  /** BGP listen port (default 179); -1 = do not listen. */
  readonly port?: number;
  readonly listenAddresses?: readonly string[];
  readonly neighbors: readonly GobgpNeighbor[];
  readonly multipath?: boolean;
  readonly clusterId?: string;
}

const afiSafiName: Record<Family, string> = { ipv4: "ipv4-unicast", ipv6: "ipv6-unicast" };

const q = (s: string): string => JSON.stringify(s);

export function gobgpConfig(config: GobgpConfig): string {
  const l = ["[global.config]", `  as = ${config.as}`, `  router-id = ${q(config.routerId)}`];
  if (config.port !== undefined) l.push(`  port = ${config.port}`);
  if (config.listenAddresses !== undefined) {
    l.push(`  local-address-list = [${config.listenAddresses.map(q).join(", ")}]`);
  }
  if (config.multipath) l.push("[global.use-multiple-paths.config]", "  enabled = true");
  for (const n of config.neighbors) {
    l.push(
      "[[neighbors]]",
      "  [neighbors.config]",
      `    neighbor-address = ${q(n.address)}`,
      `    peer-as = ${n.as}`,
    );
    l.push(
      "  [neighbors.timers.config]",
      "    connect-retry = 1",
      `    hold-time = ${n.holdTime ?? 9}`,
      `    keepalive-interval = ${n.keepaliveInterval ?? 3}`,
      "    idle-hold-time-after-reset = 1",
    );
    const transport: string[] = [];
    if (n.localAddress !== undefined) transport.push(`    local-address = ${q(n.localAddress)}`);
    if (n.passive) transport.push("    passive-mode = true");
    if (n.remotePort !== undefined) transport.push(`    remote-port = ${n.remotePort}`);
    if (transport.length > 0) l.push("  [neighbors.transport.config]", ...transport);
    if (n.gracefulRestart) {
      l.push("  [neighbors.graceful-restart.config]", "    enabled = true");
      l.push(`    restart-time = ${n.gracefulRestartTime ?? 120}`);
    }
    if (n.rrClient) {
      l.push("  [neighbors.route-reflector.config]", "    route-reflector-client = true");
      l.push(`    route-reflector-cluster-id = ${q(config.clusterId ?? config.routerId)}`);
    }
    for (const family of n.families ?? [familyOf(n.address)]) {
      l.push("  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]");
      l.push(`      afi-safi-name = ${q(afiSafiName[family])}`);
      if (n.addPathReceive || n.addPathSendMax !== undefined) {
        l.push("    [neighbors.afi-safis.add-paths.config]");
        if (n.addPathReceive) l.push("      receive = true");
        if (n.addPathSendMax !== undefined) l.push(`      send-max = ${n.addPathSendMax}`);
      }
      if (n.gracefulRestart)
        l.push("    [neighbors.afi-safis.mp-graceful-restart.config]", "      enabled = true");
    }
  }
  return `${l.join("\n")}\n`;
}
