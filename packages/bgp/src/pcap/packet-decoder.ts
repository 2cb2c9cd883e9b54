/**
 * From a captured link-layer frame down to a TCP segment: strips Ethernet
 * (with 802.1Q/802.1ad tags), Linux cooked v1/v2, BSD loopback or nothing
 * (raw IP); then IPv4 (RFC 791) or IPv6 (RFC 8200, skipping the usual
 * extension headers); then reads the TCP header (RFC 9293 §3.1).
 *
 * Anything that is not TCP over IP — ARP, ICMP, UDP, IP fragments — gives
 * `undefined`: the caller only wants TCP streams. Lengths come from the IP
 * header, so Ethernet padding never leaks into the payload.
 */
import { formatIpv4, formatIpv6 } from "../wire/nlri.js";
import type { CapturedFrame } from "./pcap-reader.js";
import { LinkType } from "./pcap-reader.js";

export const TcpFlag = { Fin: 0x01, Syn: 0x02, Rst: 0x04, Psh: 0x08, Ack: 0x10 } as const;

export interface TcpSegment {
  readonly time?: number;
  /** Index of the frame in its capture file. */
  readonly frame: number;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  /** Sequence number of the first payload octet (of the SYN when SYN is set). */
  readonly seq: number;
  readonly flags: number;
  /** The payload octets that were captured. */
  readonly payload: Uint8Array;
  /** The payload length the IP header announces (more than `payload.length` when the snap length cut it). */
  readonly payloadLength: number;
}

const EtherType = { Ipv4: 0x0800, Ipv6: 0x86dd, Vlan: 0x8100, QinQ: 0x88a8, Vlan9100: 0x9100 } as const;
const IpProtocol = { Tcp: 6 } as const;
/** IPv6 extension headers that are `next header, length in 8-octet units - 1, ...`. */
const ipv6ExtensionHeaders = new Set([0 /* hop-by-hop */, 43 /* routing */, 60 /* destination options */]);
const ipv6Fragment = 44;
/** BSD loopback address families for IPv6 (they differ per BSD). */
const nullIpv6Families = new Set([24, 28, 30]);

/** The TCP segment inside `frame`, or undefined when it holds something else. */
export function decodeTcpSegment(frame: CapturedFrame): TcpSegment | undefined {
  const ip = ipPayloadOf(frame);
  if (ip === undefined) return undefined;
  const { data, offset, etherType } = ip;
  if (etherType === EtherType.Ipv4) return decodeIpv4(frame, data, offset);
  if (etherType === EtherType.Ipv6) return decodeIpv6(frame, data, offset);
  return undefined;
}

interface IpStart {
  readonly data: Uint8Array;
  readonly offset: number;
  readonly etherType: number;
}

function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

function versionEtherType(data: Uint8Array, offset: number): number {
  const version = (data[offset] ?? 0) >>> 4;
  return version === 4 ? EtherType.Ipv4 : version === 6 ? EtherType.Ipv6 : -1;
}

function ipPayloadOf(frame: CapturedFrame): IpStart | undefined {
  const d = frame.data;
  switch (frame.linkType) {
    case LinkType.Ethernet: {
      if (d.length < 14) return undefined;
      let p = 12;
      let type = u16(d, p);
      while (
        (type === EtherType.Vlan || type === EtherType.QinQ || type === EtherType.Vlan9100) &&
        p + 6 <= d.length
      ) {
        p += 4;
        type = u16(d, p);
      }
      return { data: d, offset: p + 2, etherType: type };
    }
    case LinkType.LinuxSll:
      // packet type (2), ARPHRD (2), address length (2), address (8), protocol (2).
      if (d.length < 16) return undefined;
      return { data: d, offset: 16, etherType: u16(d, 14) };
    case LinkType.LinuxSll2:
      // protocol (2), reserved (2), ifindex (4), ARPHRD (2), packet type (1), address length (1), address (8).
      if (d.length < 20) return undefined;
      return { data: d, offset: 20, etherType: u16(d, 0) };
    case LinkType.Raw:
      return { data: d, offset: 0, etherType: versionEtherType(d, 0) };
    case LinkType.Ipv4:
      return { data: d, offset: 0, etherType: EtherType.Ipv4 };
    case LinkType.Ipv6:
      return { data: d, offset: 0, etherType: EtherType.Ipv6 };
    case LinkType.Null: {
      if (d.length < 4) return undefined;
      // Host byte order of the capturing machine: accept either.
      const family = d[0] !== 0 ? d[0]! : d[3]!;
      const etherType = family === 2 ? EtherType.Ipv4 : nullIpv6Families.has(family) ? EtherType.Ipv6 : -1;
      return { data: d, offset: 4, etherType };
    }
    default:
      return undefined;
  }
}

function decodeIpv4(frame: CapturedFrame, d: Uint8Array, p: number): TcpSegment | undefined {
  if (p + 20 > d.length || d[p]! >>> 4 !== 4) return undefined;
  const headerLength = (d[p]! & 0x0f) * 4;
  const totalLength = u16(d, p + 2);
  const fragment = u16(d, p + 6);
  // More-fragments set or a non-zero offset: not a whole segment.
  if (fragment & 0x3fff) return undefined;
  if (d[p + 9] !== IpProtocol.Tcp) return undefined;
  if (headerLength < 20 || totalLength < headerLength) return undefined;
  return decodeTcp(
    frame,
    d,
    p + headerLength,
    p + totalLength,
    formatIpv4(u32(d, p + 12)),
    formatIpv4(u32(d, p + 16)),
  );
}

function decodeIpv6(frame: CapturedFrame, d: Uint8Array, p: number): TcpSegment | undefined {
  if (p + 40 > d.length || d[p]! >>> 4 !== 6) return undefined;
  const payloadLength = u16(d, p + 4);
  let next = d[p + 6]!;
  const src = formatIpv6(d, p + 8);
  const dst = formatIpv6(d, p + 24);
  const end = p + 40 + payloadLength;
  let q = p + 40;
  while (ipv6ExtensionHeaders.has(next)) {
    if (q + 8 > d.length) return undefined;
    next = d[q]!;
    q += (d[q + 1]! + 1) * 8;
  }
  if (next === ipv6Fragment || next !== IpProtocol.Tcp) return undefined;
  return decodeTcp(frame, d, q, end, src, dst);
}

function decodeTcp(
  frame: CapturedFrame,
  d: Uint8Array,
  p: number,
  end: number,
  src: string,
  dst: string,
): TcpSegment | undefined {
  if (p + 20 > d.length) return undefined;
  const headerLength = (d[p + 12]! >>> 4) * 4;
  if (headerLength < 20 || p + headerLength > end) return undefined;
  const payloadStart = p + headerLength;
  return {
    ...(frame.time === undefined ? {} : { time: frame.time }),
    frame: frame.index,
    src,
    dst,
    srcPort: u16(d, p),
    dstPort: u16(d, p + 2),
    seq: u32(d, p + 4),
    flags: d[p + 13]!,
    payload: d.subarray(Math.min(payloadStart, d.length), Math.min(end, d.length)),
    payloadLength: end - payloadStart,
  };
}
