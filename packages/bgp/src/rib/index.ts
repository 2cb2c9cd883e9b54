/**
 * @portlb/bgp rib — pure data structures and rules: prefix keys, interned
 * attribute sets, Adj-RIB-In, the decision process, Loc-RIB, Adj-RIB-Out
 * (coalescing, packing, ADD-PATH send) and policy defaults. No sockets,
 * timers or logging.
 *
 *     UPDATE ─> AdjRibIn.apply ─keys─> LocRib.update ─best/multipath─> policy ─> AdjRibOut.flush ─> UPDATEs
 */
export * from "./adj-rib-in.js";
export * from "./adj-rib-out.js";
export * from "./attr-intern.js";
export * from "./attr-set.js";
export * from "./decision.js";
export * from "./loc-rib.js";
export * from "./nlri-builder.js";
export * from "./path.js";
export * from "./policy.js";
export * from "./prefix-key.js";
export * from "./prefix-map.js";
export * from "./reflection.js";
