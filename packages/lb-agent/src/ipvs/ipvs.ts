/**
 * The port through which the agent drives the kernel's IPVS table (after
 * kube-proxy's injectable `Ipvs` interface): read the whole table, apply a
 * plan in one go. Two implementations: `IpvsadmCli` (the real one, through
 * the ipvsadm CLI) and `MemoryIpvs` (for unit tests of the reconciler).
 *
 * Neither ever throws or rejects: failures come back as `IpvsResult` with a
 * typed `IpvsError`, which the reconciler logs and retries with backoff,
 * re-reading the table first (an apply may have been applied in part).
 */
import type { IpvsResult } from "./ipvs-error.js";
import type { IpvsPlan } from "./plan.js";
import type { IpvsTable } from "./types.js";

export interface Ipvs {
  /** The whole table (every service, owned or not), real servers in addition order. */
  read(): Promise<IpvsResult<IpvsTable>>;
  /** Applies every operation of the plan, in order, as one batch. An empty plan does nothing. */
  apply(plan: IpvsPlan): Promise<IpvsResult<void>>;
}
