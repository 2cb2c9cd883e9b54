/**
 * The public surface of lb-agent's IPVS layer, for the reconciler: table
 * types and constructors, the pure planner, the `ipvsadm --restore`
 * renderer, the `Ipvs` port with its ipvsadm and in-memory implementations,
 * the parsers, and the net.ipv4.vs.* sysctls. Names are explicit (no
 * `export *`) so the package entry stays free of clashes.
 */
export { canonicalAddress, compareAddresses } from "./ip-address.js";
export type { Ipvs } from "./ipvs.js";
export { IpvsError, IpvsErrorCode, type IpvsErrorDetails, type IpvsResult } from "./ipvs-error.js";
export { applyIpvsSysctls, type IpvsSysctl, productionIpvsSysctls, sysctlPath } from "./ipvs-sysctls.js";
export { IpvsadmCli, type IpvsadmCliOptions } from "./ipvsadm-cli.js";
export { mergeListing, parseIpvsadmThresholdListing } from "./ipvsadm-list-parser.js";
export { parseIpvsadmSave } from "./ipvsadm-save-parser.js";
export { MemoryIpvs } from "./memory-ipvs.js";
export {
  compareRealServers,
  type IpvsOperation,
  type IpvsPlan,
  isEmptyPlan,
  type Ownership,
  orderSensitiveSchedulers,
  ownServicesOn,
  planIpvs,
} from "./plan.js";
export { renderOperation, renderRestoreScript } from "./restore-script.js";
export {
  type AddressFamily,
  addressFamilyOf,
  defaultScheduler,
  emptyTable,
  type ForwardingMethod,
  type IpvsProtocol,
  type IpvsTable,
  type Persistence,
  type RealServer,
  type RealServerInput,
  realServer,
  realServerId,
  type Scheduler,
  type SchedulerFlag,
  type ServiceKey,
  type ServiceSpec,
  SupportedScheduler,
  sameRealServer,
  sameServiceSpec,
  serviceId,
  serviceSpec,
  type TunnelOptions,
  type VirtualService,
  type VirtualServiceInput,
  virtualService,
} from "./types.js";
