/**
 * @portlb/bgp — a BGP-4 speaker library. For now: the wire codec.
 */
export * from "./wire/index.js";
export * from "./rib/index.js";
