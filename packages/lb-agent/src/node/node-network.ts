/**
 * The LB pod's node-level setup, as the reconciler's `NodeSync` port:
 * VIPs made local (vip-routes.ts), the masquerade rule for masquerading
 * services (nft-masquerade.ts), and the net.ipv4.vs.* sysctls
 * (ipvs/ipvs-sysctls.ts), plus `cleanup()` for shutdown.
 *
 * The sysctls are written once, at the first sync (the reconciler syncs the
 * node only after a successful ipvsadm run, so ip_vs is loaded and the
 * net.ipv4.vs.* files exist). A failure to write them is logged as a
 * warning, not retried: in a pod /proc/sys is usually read-only and the
 * values come from the pod spec's `securityContext.sysctls` (deploy/).
 */
import type { Logger } from "pino";
import { applyIpvsSysctls } from "../ipvs/ipvs-sysctls.js";
import { AgentLogEvent } from "../log-events.js";
import type { LocalFailure, NodeSync, NodeSyncTarget } from "../reconcile/reconciler.js";
import { NftMasquerade } from "./nft-masquerade.js";
import { NodeError } from "./node-error.js";
import { type CommandRunner, commandRunner } from "./run-command.js";
import { VipRoutes } from "./vip-routes.js";

export interface NodeNetworkOptions {
  readonly logger: Logger;
  readonly device: string;
  readonly run?: CommandRunner;
  readonly ip?: readonly string[];
  readonly nft?: readonly string[];
  /** Where the sysctls are written (default /proc/sys); null: do not write them. */
  readonly procSysRoot?: string | null;
}

export class NodeNetwork implements NodeSync {
  readonly #log: Logger;
  readonly #routes: VipRoutes;
  readonly #nft: NftMasquerade;
  readonly #procSysRoot: string | null;
  #sysctlsDone = false;

  constructor(options: NodeNetworkOptions) {
    this.#log = options.logger.child({ component: "node" });
    const run = options.run ?? commandRunner();
    this.#routes = new VipRoutes({
      run,
      device: options.device,
      ...(options.ip === undefined ? {} : { ip: options.ip }),
    });
    this.#nft = new NftMasquerade({ run, ...(options.nft === undefined ? {} : { nft: options.nft }) });
    this.#procSysRoot = options.procSysRoot === undefined ? "/proc/sys" : options.procSysRoot;
  }

  async sync(target: NodeSyncTarget): Promise<LocalFailure | null> {
    await this.#sysctlsOnce();
    const routes = await this.#routes.sync(target.localVips);
    if (routes instanceof NodeError) return routes;
    const nft = await this.#nft.sync(target.masqueradeVips);
    if (nft instanceof NodeError) return nft;
    if (routes.added.length + routes.removed.length > 0 || nft) {
      this.#log.info(
        { event: AgentLogEvent.nodeSynced, ...routes, masquerade: target.masqueradeVips, nftLoaded: nft },
        "node network updated",
      );
    }
    if (routes.foreign.length > 0) {
      this.#log.debug({ foreign: routes.foreign }, "VIPs already local through routes that are not ours");
    }
    return null;
  }

  /** Removes our VIP routes and the nftables table. Never throws; logs what failed. */
  async cleanup(): Promise<boolean> {
    const routes = await this.#routes.removeAll();
    const nft = await this.#nft.remove();
    const failures = [routes instanceof NodeError ? routes : null, nft].filter((e) => e !== null);
    for (const e of failures) {
      this.#log.error(
        { event: AgentLogEvent.nodeCleanupFailed, code: e.code, command: e.command, stderr: e.stderr },
        `cleanup failed: ${e.message}`,
      );
    }
    if (failures.length === 0) {
      this.#log.info(
        { event: AgentLogEvent.nodeCleanup, removed: routes instanceof NodeError ? [] : routes.removed },
        "VIP routes and nftables table removed",
      );
    }
    return failures.length === 0;
  }

  async #sysctlsOnce(): Promise<void> {
    if (this.#sysctlsDone || this.#procSysRoot === null) return;
    this.#sysctlsDone = true;
    const result = await applyIpvsSysctls({ procSysRoot: this.#procSysRoot });
    if (result.ok) this.#log.info({ event: AgentLogEvent.sysctlsApplied }, "IPVS sysctls set");
    else
      this.#log.warn(
        { event: AgentLogEvent.sysctlsFailed, code: result.error.code, stderr: result.error.stderr },
        `${result.error.message} (set them in the pod spec: securityContext.sysctls)`,
      );
  }
}
