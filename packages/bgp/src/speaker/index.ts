/** The public speaker API: createSpeaker, its configuration and route engine. */
export * from "./neighbor-match.js";
export * from "./peer.js";
export * from "./reconfigure.js";
export * from "./route-engine.js";
export * from "./speaker.js";
export * from "./speaker-config.js";
export * from "./speaker-views.js";
