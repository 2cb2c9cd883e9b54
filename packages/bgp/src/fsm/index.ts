/** The RFC 4271 §8 FSM (pure) and OPEN negotiation. */
export * from "./negotiate.js";
export * from "./transition.js";
export * from "./types.js";
