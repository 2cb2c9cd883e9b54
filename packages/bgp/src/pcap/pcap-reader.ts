/**
 * A pure reader for packet capture files: classic libpcap (both byte orders,
 * microsecond and nanosecond magic) and pcapng (Section Header, Interface
 * Description, Enhanced Packet, Simple Packet and the obsolete Packet block;
 * every other block is skipped). It yields link-layer frames with their link
 * type and timestamp; `packet-decoder.ts` takes them down to TCP segments and
 * `tcp-streams.ts` reassembles those.
 *
 * References: draft-ietf-opsawg-pcap (classic format), draft-ietf-opsawg-
 * pcapng (pcapng), tcpdump.org/linktypes.html (link types).
 *
 * No I/O: give it the whole file as bytes.
 */

/** A local failure (not a BGP protocol error): the file is not a capture we can read. */
export class PcapFormatError extends Error {
  override readonly name = "PcapFormatError";
  readonly code = "ERR_PCAP_FORMAT";
}

/** LINKTYPE_* values this package understands (tcpdump.org/linktypes.html). */
export const LinkType = {
  /** BSD loopback: 4-octet address family in host byte order. */
  Null: 0,
  Ethernet: 1,
  /** Raw IPv4/IPv6, no link header. */
  Raw: 101,
  /** Linux cooked capture v1 (`tcpdump -i any` before libpcap 1.10). */
  LinuxSll: 113,
  Ipv4: 228,
  Ipv6: 229,
  /** Linux cooked capture v2 (`tcpdump -i any` since libpcap 1.10). */
  LinuxSll2: 276,
} as const;

export interface CapturedFrame {
  /** 0-based position in the file. */
  readonly index: number;
  /** Seconds since the Unix epoch; absent for pcapng Simple Packet Blocks, which carry none. */
  readonly time?: number;
  readonly linkType: number;
  /** The captured octets (may be shorter than `originalLength` when the snap length cut them). */
  readonly data: Uint8Array;
  readonly originalLength: number;
}

export type CaptureFormat = "pcap" | "pcapng";

const pcapMagicMicro = 0xa1b2c3d4;
const pcapMagicNano = 0xa1b23c4d;
const pcapngSectionHeader = 0x0a0d0d0a;
const pcapngByteOrderMagic = 0x1a2b3c4d;

const Block = {
  InterfaceDescription: 1,
  Packet: 2,
  SimplePacket: 3,
  EnhancedPacket: 6,
} as const;

/** Option codes of the Interface Description Block. */
const IdbOption = { EndOfOptions: 0, TsResol: 9, TsOffset: 14 } as const;

/** Which capture format `buf` starts with, if any (by magic number). */
export function detectCaptureFormat(buf: Uint8Array): CaptureFormat | undefined {
  if (buf.length < 4) return undefined;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const be = view.getUint32(0, false);
  const le = view.getUint32(0, true);
  if (be === pcapngSectionHeader) return "pcapng";
  if (be === pcapMagicMicro || be === pcapMagicNano || le === pcapMagicMicro || le === pcapMagicNano)
    return "pcap";
  return undefined;
}

/** Every frame of a pcap or pcapng file, in file order. Throws `PcapFormatError`. */
export function* readCapture(buf: Uint8Array): Generator<CapturedFrame> {
  const format = detectCaptureFormat(buf);
  if (format === "pcap") yield* readPcap(buf);
  else if (format === "pcapng") yield* readPcapng(buf);
  else throw new PcapFormatError("not a pcap or pcapng file (unknown magic number)");
}

function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

// --- classic pcap ------------------------------------------------------------
//
//   Global header (24 octets): magic, version major/minor (2+2), thiszone (4),
//   sigfigs (4), snaplen (4), link type (4; FCS bits in the top nibble).
//   Record header (16 octets): ts seconds, ts micro/nanoseconds, captured
//   length, original length; then the captured octets.

function* readPcap(buf: Uint8Array): Generator<CapturedFrame> {
  if (buf.length < 24) throw new PcapFormatError("pcap global header truncated");
  const view = viewOf(buf);
  const magicBe = view.getUint32(0, false);
  const little = !(magicBe === pcapMagicMicro || magicBe === pcapMagicNano);
  const magic = view.getUint32(0, little);
  const fractionPerSecond = magic === pcapMagicNano ? 1e9 : 1e6;
  const linkType = view.getUint32(20, little) & 0xffff;
  let p = 24;
  let index = 0;
  while (p < buf.length) {
    if (p + 16 > buf.length)
      throw new PcapFormatError(`pcap record ${index} header truncated at offset ${p}`);
    const seconds = view.getUint32(p, little);
    const fraction = view.getUint32(p + 4, little);
    const captured = view.getUint32(p + 8, little);
    const originalLength = view.getUint32(p + 12, little);
    p += 16;
    if (p + captured > buf.length)
      throw new PcapFormatError(`pcap record ${index} data truncated at offset ${p}`);
    yield {
      index: index++,
      time: seconds + fraction / fractionPerSecond,
      linkType,
      data: buf.subarray(p, p + captured),
      originalLength,
    };
    p += captured;
  }
}

// --- pcapng --------------------------------------------------------------------
//
//   Every block: type (4), total length (4), body, total length again (4).
//   A Section Header Block sets the byte order (by its byte-order magic) and
//   starts a new list of interfaces; an IDB adds one (link type, timestamp
//   resolution and offset); EPB/SPB/PB carry packets for an interface.

interface Interface {
  readonly linkType: number;
  readonly snapLength: number;
  /** Timestamp units per second. */
  readonly unitsPerSecond: bigint;
  readonly offsetSeconds: number;
}

function* readPcapng(buf: Uint8Array): Generator<CapturedFrame> {
  const view = viewOf(buf);
  let little = true;
  let interfaces: Interface[] = [];
  let p = 0;
  let index = 0;
  while (p < buf.length) {
    if (p + 12 > buf.length) throw new PcapFormatError(`pcapng block truncated at offset ${p}`);
    const typeBe = view.getUint32(p, false);
    if (typeBe === pcapngSectionHeader) {
      if (p + 12 > buf.length) throw new PcapFormatError("pcapng section header truncated");
      const bom = view.getUint32(p + 8, true);
      if (bom === pcapngByteOrderMagic) little = true;
      else if (view.getUint32(p + 8, false) === pcapngByteOrderMagic) little = false;
      else throw new PcapFormatError(`bad pcapng byte-order magic at offset ${p + 8}`);
      interfaces = [];
    }
    const type = view.getUint32(p, little);
    const total = view.getUint32(p + 4, little);
    if (total < 12 || total % 4 !== 0 || p + total > buf.length)
      throw new PcapFormatError(`bad pcapng block length ${total} at offset ${p}`);
    if (view.getUint32(p + total - 4, little) !== total)
      throw new PcapFormatError(`pcapng block at offset ${p}: trailing length does not match`);
    const body = p + 8;
    const bodyEnd = p + total - 4;
    switch (type) {
      case pcapngSectionHeader:
        break;
      case Block.InterfaceDescription:
        interfaces.push(readInterface(buf, view, body, bodyEnd, little));
        break;
      case Block.EnhancedPacket: {
        if (bodyEnd - body < 20) throw new PcapFormatError(`pcapng EPB truncated at offset ${p}`);
        const ifc = interfaceAt(interfaces, view.getUint32(body, little), p);
        const captured = view.getUint32(body + 12, little);
        const originalLength = view.getUint32(body + 16, little);
        const data = body + 20;
        if (data + captured > bodyEnd)
          throw new PcapFormatError(`pcapng EPB data overruns its block at ${p}`);
        yield {
          index: index++,
          time: timeOf(ifc, view.getUint32(body + 4, little), view.getUint32(body + 8, little)),
          linkType: ifc.linkType,
          data: buf.subarray(data, data + captured),
          originalLength,
        };
        break;
      }
      case Block.Packet: {
        if (bodyEnd - body < 20) throw new PcapFormatError(`pcapng packet block truncated at offset ${p}`);
        const ifc = interfaceAt(interfaces, view.getUint16(body, little), p);
        const captured = view.getUint32(body + 12, little);
        const originalLength = view.getUint32(body + 16, little);
        const data = body + 20;
        if (data + captured > bodyEnd)
          throw new PcapFormatError(`pcapng packet data overruns its block at ${p}`);
        yield {
          index: index++,
          time: timeOf(ifc, view.getUint32(body + 4, little), view.getUint32(body + 8, little)),
          linkType: ifc.linkType,
          data: buf.subarray(data, data + captured),
          originalLength,
        };
        break;
      }
      case Block.SimplePacket: {
        if (bodyEnd - body < 4) throw new PcapFormatError(`pcapng SPB truncated at offset ${p}`);
        // SPB: always interface 0, no timestamp; captured length is implied.
        const ifc = interfaceAt(interfaces, 0, p);
        const originalLength = view.getUint32(body, little);
        let captured = Math.min(originalLength, bodyEnd - body - 4);
        if (ifc.snapLength > 0) captured = Math.min(captured, ifc.snapLength);
        yield {
          index: index++,
          linkType: ifc.linkType,
          data: buf.subarray(body + 4, body + 4 + captured),
          originalLength,
        };
        break;
      }
      default:
        // Name resolution, statistics, custom blocks...: not needed here.
        break;
    }
    p += total;
  }
}

function interfaceAt(interfaces: readonly Interface[], id: number, at: number): Interface {
  const ifc = interfaces[id];
  if (ifc === undefined)
    throw new PcapFormatError(`pcapng block at offset ${at} names unknown interface ${id}`);
  return ifc;
}

function readInterface(
  buf: Uint8Array,
  view: DataView,
  body: number,
  end: number,
  little: boolean,
): Interface {
  if (end - body < 8) throw new PcapFormatError(`pcapng IDB truncated at offset ${body - 8}`);
  const linkType = view.getUint16(body, little);
  const snapLength = view.getUint32(body + 4, little);
  let unitsPerSecond = 1_000_000n;
  let offsetSeconds = 0;
  let p = body + 8;
  while (p + 4 <= end) {
    const code = view.getUint16(p, little);
    const length = view.getUint16(p + 2, little);
    if (code === IdbOption.EndOfOptions) break;
    if (p + 4 + length > end) throw new PcapFormatError(`pcapng IDB option ${code} overruns its block`);
    if (code === IdbOption.TsResol && length >= 1) {
      const v = buf[p + 4]!;
      // MSB clear: 10^-v seconds; MSB set: 2^-(v & 0x7f) seconds.
      unitsPerSecond = v & 0x80 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
    } else if (code === IdbOption.TsOffset && length >= 8) {
      offsetSeconds = Number(view.getBigInt64(p + 4, little));
    }
    p += 4 + ((length + 3) & ~3);
  }
  return { linkType, snapLength, unitsPerSecond, offsetSeconds };
}

function timeOf(ifc: Interface, high: number, low: number): number {
  const units = (BigInt(high) << 32n) | BigInt(low);
  const whole = units / ifc.unitsPerSecond;
  const rest = units % ifc.unitsPerSecond;
  return ifc.offsetSeconds + Number(whole) + Number(rest) / Number(ifc.unitsPerSecond);
}
