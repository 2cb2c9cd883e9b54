/** ts-rr's configuration: schema, loading, and the mapping onto @portlb/bgp's SpeakerOptions. */
export * from "./config-error.js";
export * from "./field-problems.js";
export * from "./listen-address.js";
export * from "./load-config.js";
export * from "./rr-config-schema.js";
export * from "./speaker-options.js";
