/**
 * Renders a plan as ONE `ipvsadm --restore` input: one line per operation,
 * each the argument list of one ipvsadm invocation, in the plan's order.
 *
 *     -A -t 203.0.113.10:80 -s mh -b mh-port
 *     -a -t 203.0.113.10:80 -r 198.18.0.11:8080 -m -w 1
 *     -e -t 203.0.113.10:80 -r 198.18.0.12:8080 -m -w 5
 *     -d -t 203.0.113.10:80 -r 198.18.0.13:8080
 *     -D -f 43 -6
 *
 * `-E` and `-e` REPLACE every attribute of a service / real server (an edit
 * without `-m` turns a masquerading server into gatewaying, one without
 * `-p` drops persistence: measured with ipvsadm 1.31), so edits are always
 * rendered in full, exactly like adds. No comments and no blank lines:
 * `ipvsadm --restore` rejects both.
 */
import { prefixToIpv4Netmask } from "./ip-address.js";
import type { IpvsOperation, IpvsPlan } from "./plan.js";
import { addressFamilyOf, type RealServer, type ServiceKey, type ServiceSpec } from "./types.js";

const protocolSwitch = { tcp: "-t", udp: "-u", sctp: "--sctp-service" } as const;
const forwardingSwitch = { masq: "-m", tunnel: "-i", route: "-g" } as const;

function hostPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `-t 203.0.113.10:80`, `-t [2001:db8::10]:443`, `-f 42`, `-f 43 -6`. */
export function renderServiceKey(key: ServiceKey): string {
  if (key.kind === "fwmark") return key.family === "inet6" ? `-f ${key.fwmark} -6` : `-f ${key.fwmark}`;
  return `${protocolSwitch[key.protocol]} ${hostPort(key.address, key.port)}`;
}

function renderServiceOptions(spec: ServiceSpec): string {
  const parts = [`-s ${spec.scheduler}`];
  if (spec.persistence !== null) {
    parts.push(`-p ${spec.persistence.timeoutSeconds}`);
    const inet = addressFamilyOf(spec.key) === "inet";
    const prefix = spec.persistence.netmaskPrefix;
    if (prefix !== (inet ? 32 : 128)) parts.push(`-M ${inet ? prefixToIpv4Netmask(prefix) : prefix}`);
  }
  if (spec.schedulerFlags.length > 0) parts.push(`-b ${spec.schedulerFlags.join(",")}`);
  if (spec.persistenceEngine !== null) parts.push(`--pe ${spec.persistenceEngine}`);
  if (spec.onePacket) parts.push("-o");
  return parts.join(" ");
}

function renderServerOptions(server: RealServer): string {
  const parts = [`-r ${hostPort(server.address, server.port)}`, forwardingSwitch[server.forwarding]];
  parts.push(`-w ${server.weight}`);
  if (server.upperThreshold !== 0) parts.push(`-x ${server.upperThreshold}`);
  if (server.lowerThreshold !== 0) parts.push(`-y ${server.lowerThreshold}`);
  if (server.tunnel !== null) {
    parts.push(`--tun-type ${server.tunnel.type}`);
    if (server.tunnel.port !== 0) parts.push(`--tun-port ${server.tunnel.port}`);
    if (server.tunnel.checksum !== "nocsum") parts.push(`--tun-${server.tunnel.checksum}`);
  }
  return parts.join(" ");
}

export function renderOperation(op: IpvsOperation): string {
  switch (op.type) {
    case "add-service":
      return `-A ${renderServiceKey(op.service.key)} ${renderServiceOptions(op.service)}`;
    case "edit-service":
      return `-E ${renderServiceKey(op.service.key)} ${renderServiceOptions(op.service)}`;
    case "delete-service":
      return `-D ${renderServiceKey(op.key)}`;
    case "add-server":
      return `-a ${renderServiceKey(op.key)} ${renderServerOptions(op.server)}`;
    case "edit-server":
      return `-e ${renderServiceKey(op.key)} ${renderServerOptions(op.server)}`;
    case "delete-server":
      return `-d ${renderServiceKey(op.key)} -r ${hostPort(op.server.address, op.server.port)}`;
  }
}

/** The whole plan as `ipvsadm --restore` stdin ("" for an empty plan). */
export function renderRestoreScript(plan: IpvsPlan): string {
  return plan.operations.map((op) => `${renderOperation(op)}\n`).join("");
}
