/**
 * ExaBGP 4 configuration from a typed description, plus the environment it
 * needs to run as a private, unprivileged-looking foreground instance.
 *
 * Every neighbor is wired to one API process, the harness helper
 * (`exabgp-api-helper.sh`): ExaBGP writes what it receives (JSON encoder:
 * parsed UPDATEs, ROUTE-REFRESH and neighbor state changes) to the helper's stdin, which the
 * helper appends to a file; the helper copies whatever the harness writes
 * into a named pipe to its stdout, which ExaBGP reads as API commands.
 */
import { type Family, familyOf } from "./bgp-route.js";

export interface ExabgpNeighbor {
  readonly address: string;
  readonly localAddress: string;
  readonly localAs: number;
  readonly peerAs: number;
  readonly routerId: string;
  readonly families?: readonly Family[];
  /** Wait for the peer to connect (ExaBGP then listens on localAddress:179). */
  readonly passive?: boolean;
  readonly holdTime?: number;
  readonly addPath?: "send" | "receive" | "send/receive";
  /** Graceful restart capability with this restart time (RFC 4724). */
  readonly gracefulRestart?: number;
  /** API commands sent once at start-up, e.g. "announce route 203.0.113.4/32 next-hop self". */
  readonly initialCommands?: readonly string[];
}

export interface ExabgpConfig {
  readonly neighbors: readonly ExabgpNeighbor[];
}

export const exabgpProcessName = "harness";

export function exabgpConfig(
  config: ExabgpConfig,
  helper: { script: string; fifo: string; received: string },
): string {
  const l = [
    `process ${exabgpProcessName} {`,
    `  run /bin/sh ${helper.script} ${helper.fifo} ${helper.received};`,
    "  encoder json;",
    "}",
  ];
  for (const n of config.neighbors) {
    const families = (n.families ?? [familyOf(n.address)]).map((f) => `    ${f} unicast;`);
    const caps = ["    route-refresh;", "    asn4 enable;"];
    if (n.gracefulRestart !== undefined) caps.push(`    graceful-restart ${n.gracefulRestart};`);
    if (n.addPath !== undefined) caps.push(`    add-path ${n.addPath};`);
    l.push(
      `neighbor ${n.address} {`,
      `  router-id ${n.routerId};`,
      `  local-address ${n.localAddress};`,
      `  local-as ${n.localAs};`,
      `  peer-as ${n.peerAs};`,
      `  hold-time ${n.holdTime ?? 9};`,
      ...(n.passive ? ["  passive true;"] : []),
      "  family {",
      ...families,
      "  }",
      "  capability {",
      ...caps,
      "  }",
      "  api {",
      `    processes [ ${exabgpProcessName} ];`,
      "    neighbor-changes;",
      "    receive { parsed; update; refresh; }",
      "  }",
      "}",
    );
  }
  return `${l.join("\n")}\n`;
}

/** Environment for a private instance: no privilege drop, no CLI pipes, no API acks, logs to stdout. */
export function exabgpEnv(config: ExabgpConfig, pidFile: string): Record<string, string> {
  const listen = [...new Set(config.neighbors.filter((n) => n.passive).map((n) => n.localAddress))];
  return {
    "exabgp.daemon.user": "root",
    "exabgp.daemon.drop": "false",
    "exabgp.daemon.daemonize": "false",
    "exabgp.daemon.pid": pidFile,
    "exabgp.api.cli": "false",
    "exabgp.api.ack": "false",
    "exabgp.log.destination": "stdout",
    "exabgp.log.level": "INFO",
    "exabgp.tcp.bind": listen.join(" "),
  };
}

/**
 * The API helper. It holds the FIFO open read-write so it never sees EOF
 * there (and a writer never blocks), forwards it to ExaBGP, and appends
 * ExaBGP's messages to the file until ExaBGP closes its stdin. Both copies
 * run in the background so that a SIGTERM from ExaBGP at shutdown is handled
 * at once (a shell defers traps while a foreground child runs, and ExaBGP
 * waits for its API process to exit); the helper then ends the two `cat`s it
 * started. (An asynchronous command's stdin is /dev/null in a shell without
 * job control, hence the copy of stdin to fd 4.)
 */
export const exabgpApiHelperScript = `#!/bin/sh
# exabgp-api-helper.sh FIFO RECEIVED (written by the portlb test harness)
exec 3<>"$1" 4<&0
cat <&3 &
forwarder=$!
cat <&4 >>"$2" &
receiver=$!
trap 'kill "$forwarder" "$receiver" 2>/dev/null; exit 0' TERM INT HUP
wait "$receiver"
kill "$forwarder" 2>/dev/null
`;
