/**
 * @portlb/bgp/wire — the pure BGP-4 codec. No sockets, timers or logging.
 */

export * from "./attributes/index.js";
export * from "./capabilities.js";
export * from "./codec.js";
export * from "./constants.js";
export * from "./context.js";
export * from "./end-of-rib.js";
export * from "./errors.js";
export * from "./framer.js";
export * from "./header.js";
export * from "./keepalive.js";
export type * from "./messages.js";
export * from "./nlri.js";
export * from "./notification.js";
export * from "./open.js";
export * from "./reflect-attributes.js";
export * from "./route-refresh.js";
export * from "./update.js";
export * from "./update-packer.js";
