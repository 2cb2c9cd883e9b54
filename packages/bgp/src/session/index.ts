/** The session shell: FSM actions over a Duplex stream, with an injectable clock. */
export * from "./clock.js";
export * from "./memory-pair.js";
export * from "./session.js";
