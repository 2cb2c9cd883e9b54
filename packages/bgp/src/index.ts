/**
 * @portlb/bgp — a BGP-4 speaker library, in layers (each imports only the
 * ones before it):
 *
 * - wire/    the pure codec: bytes <-> typed messages, RFC 7606 outcomes
 * - fsm/     the RFC 4271 §8 state machine as a pure function; OPEN negotiation
 * - rib/     Adj-RIB-In, Loc-RIB decision process, Adj-RIB-Out packing
 * - session/ the only layer with sockets and clocks
 * - speaker/ createSpeaker: sessions + RIBs + policy behind one small API
 */
export * from "./fsm/index.js";
export * from "./rib/index.js";
export * from "./session/index.js";
export * from "./speaker/index.js";
export * from "./wire/index.js";
