/**
 * Packet captures to BGP byte streams: a pure pcap/pcapng reader, link/IP/TCP
 * header decoding and TCP reassembly. Used by the `bgp-decode` CLI and the
 * capture vector tests; no dependency beyond the wire codec's address helpers.
 */
export * from "./packet-decoder.js";
export * from "./pcap-reader.js";
export * from "./tcp-streams.js";
