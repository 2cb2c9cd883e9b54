/**
 * The `net.ipv4.vs.*` sysctls an LB pod relies on, and one function that
 * applies them through /proc/sys.
 *
 * These are per network namespace (set them in the LB pod's namespace) and
 * exist only once the ip_vs module is loaded, so apply them after the first
 * successful ipvsadm run. The /proc/sys root is injectable for tests.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fail, IpvsError, IpvsErrorCode, type IpvsResult, ok } from "./ipvs-error.js";

export interface IpvsSysctl {
  /** Dotted name, e.g. `net.ipv4.vs.conntrack`. */
  readonly name: string;
  readonly value: string;
  /** Why production needs it. */
  readonly reason: string;
}

export const productionIpvsSysctls: readonly IpvsSysctl[] = [
  {
    name: "net.ipv4.vs.conntrack",
    value: "1",
    reason:
      "keep netfilter conntrack entries for IPVS connections, so that the nftables masquerade (SNAT) rule " +
      "in the LB pod applies to masqueraded (-m) flows and replies come back through this pod",
  },
  {
    name: "net.ipv4.vs.conn_reuse_mode",
    value: "1",
    reason:
      "a new connection that reuses the source port of an old one (TIME_WAIT) is scheduled afresh " +
      "instead of sticking to the old, maybe removed or drained, real server (the kernel default; safe " +
      "with conntrack=1 since Linux 5.9, older kernels add a 1 s delay: use 0 there)",
  },
  {
    name: "net.ipv4.vs.expire_nodest_conn",
    value: "1",
    reason:
      "expire connections whose real server was removed at their next packet, so clients get a reset " +
      "and reconnect to a live server instead of hanging",
  },
  {
    name: "net.ipv4.vs.expire_quiescent_template",
    value: "1",
    reason:
      "with persistence, drop the persistence template of a real server set to weight 0 (drained), so " +
      "new connections of that client go to a live server",
  },
  {
    name: "net.ipv4.vs.sloppy_tcp",
    value: "1",
    reason:
      "create IPVS state from any TCP packet, not only SYN: when ECMP moves a flow to another LB pod, " +
      "that pod has no connection entry, and mh sends the flow to the same real server",
  },
];

/** `net.ipv4.vs.conntrack` -> `<root>/net/ipv4/vs/conntrack`. */
export function sysctlPath(name: string, procSysRoot = "/proc/sys"): string {
  return join(procSysRoot, ...name.split("."));
}

/**
 * Writes every setting; tries all of them and reports every failure in one
 * `ERR_IPVS_SYSCTL_WRITE` (never throws).
 */
export async function applyIpvsSysctls(
  options: { readonly procSysRoot?: string; readonly settings?: readonly IpvsSysctl[] } = {},
): Promise<IpvsResult<void>> {
  const failures: string[] = [];
  for (const setting of options.settings ?? productionIpvsSysctls) {
    const path = sysctlPath(setting.name, options.procSysRoot);
    try {
      await writeFile(path, `${setting.value}\n`);
    } catch (error) {
      failures.push(`${setting.name} (${path}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length === 0) return ok(undefined);
  return fail(
    new IpvsError(
      IpvsErrorCode.SysctlWrite,
      `cannot set ${failures.length} IPVS sysctl(s): ${failures.join("; ")}`,
      {
        stderr: failures.join("\n"),
      },
    ),
  );
}
