import { describe, expect, it } from "vitest";
import { decodeTcpSegment, TcpFlag } from "./packet-decoder.js";
import { detectCaptureFormat, LinkType, PcapFormatError, readCapture } from "./pcap-reader.js";

// --- tiny builders for hand-made captures ----------------------------------------

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >>> 8, n & 0xff);
}

function u32(n: number, little = false): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, little);
  return b;
}

function tcpHeader(srcPort: number, dstPort: number, seq: number, flags: number): Uint8Array {
  return concat(
    u16(srcPort),
    u16(dstPort),
    u32(seq),
    u32(0),
    Uint8Array.of(0x50, flags),
    u16(65535),
    u16(0),
    u16(0),
  );
}

function ipv4Packet(src: number[], dst: number[], tcp: Uint8Array): Uint8Array {
  const total = 20 + tcp.length;
  return concat(
    Uint8Array.of(0x45, 0, total >>> 8, total & 0xff, 0, 0, 0x40, 0, 64, 6, 0, 0),
    Uint8Array.from(src),
    Uint8Array.from(dst),
    tcp,
  );
}

function ipv6Packet(src: Uint8Array, dst: Uint8Array, tcp: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(0x60, 0, 0, 0), u16(tcp.length), Uint8Array.of(6, 64), src, dst, tcp);
}

function ethernet(ip: Uint8Array, etherType = 0x0800): Uint8Array {
  return concat(new Uint8Array(12).fill(2), u16(etherType), ip);
}

/** A classic pcap file, microsecond timestamps, in either byte order. */
function pcapFile(
  linkType: number,
  frames: { time: number; data: Uint8Array; orig?: number }[],
  little = true,
): Uint8Array {
  const header = concat(
    u32(0xa1b2c3d4, little),
    Uint8Array.of(...(little ? [2, 0, 4, 0] : [0, 2, 0, 4])),
    u32(0, little),
    u32(0, little),
    u32(65535, little),
    u32(linkType, little),
  );
  const records = frames.map((f) =>
    concat(
      u32(Math.floor(f.time), little),
      u32(Math.round((f.time % 1) * 1e6), little),
      u32(f.data.length, little),
      u32(f.orig ?? f.data.length, little),
      f.data,
    ),
  );
  return concat(header, ...records);
}

function pad4(b: Uint8Array): Uint8Array {
  return concat(b, new Uint8Array((4 - (b.length % 4)) % 4));
}

function block(type: number, body: Uint8Array, little: boolean): Uint8Array {
  const padded = pad4(body);
  const total = 12 + padded.length;
  return concat(u32(type, little), u32(total, little), padded, u32(total, little));
}

const syn = tcpHeader(40000, 179, 1000, TcpFlag.Syn);
const v4 = ipv4Packet([198, 18, 0, 1], [198, 18, 0, 2], syn);

describe("detectCaptureFormat", () => {
  it("knows both pcap byte orders, the nanosecond magic and pcapng", () => {
    expect(detectCaptureFormat(Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1))).toBe("pcap");
    expect(detectCaptureFormat(Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4))).toBe("pcap");
    expect(detectCaptureFormat(Uint8Array.of(0x4d, 0x3c, 0xb2, 0xa1))).toBe("pcap");
    expect(detectCaptureFormat(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a))).toBe("pcapng");
    expect(detectCaptureFormat(new Uint8Array(16).fill(0xff))).toBeUndefined();
    expect(detectCaptureFormat(Uint8Array.of(1))).toBeUndefined();
  });
});

describe("readCapture: classic pcap", () => {
  for (const little of [true, false]) {
    it(`reads a ${little ? "little" : "big"}-endian file with Ethernet frames`, () => {
      const file = pcapFile(LinkType.Ethernet, [{ time: 1700000000.25, data: ethernet(v4) }], little);
      const frames = [...readCapture(file)];
      expect(frames).toHaveLength(1);
      expect(frames[0]!.linkType).toBe(LinkType.Ethernet);
      expect(frames[0]!.time).toBeCloseTo(1700000000.25, 6);
      const seg = decodeTcpSegment(frames[0]!)!;
      expect(seg).toMatchObject({
        src: "198.18.0.1",
        dst: "198.18.0.2",
        srcPort: 40000,
        dstPort: 179,
        seq: 1000,
      });
      expect(seg.flags & TcpFlag.Syn).toBeTruthy();
    });
  }

  it("reads nanosecond timestamps", () => {
    const file = pcapFile(LinkType.Raw, [{ time: 10, data: v4 }]);
    file.set(Uint8Array.of(0x4d, 0x3c, 0xb2, 0xa1), 0);
    file.set(u32(500_000_000, true), 24 + 4);
    expect([...readCapture(file)][0]!.time).toBeCloseTo(10.5, 9);
  });

  it("rejects truncated records and unknown magic with PcapFormatError", () => {
    const file = pcapFile(LinkType.Raw, [{ time: 1, data: v4 }]);
    expect(() => [...readCapture(file.subarray(0, file.length - 1))]).toThrow(PcapFormatError);
    expect(() => [...readCapture(file.subarray(0, 30))]).toThrow(PcapFormatError);
    expect(() => [...readCapture(new Uint8Array(40))]).toThrow(PcapFormatError);
  });
});

describe("readCapture: pcapng", () => {
  for (const little of [true, false]) {
    it(`reads SHB, IDB (with if_tsresol), EPB and SPB, ${little ? "little" : "big"}-endian`, () => {
      const shb = block(
        0x0a0d0d0a,
        concat(
          u32(0x1a2b3c4d, little),
          little ? Uint8Array.of(1, 0, 0, 0) : Uint8Array.of(0, 1, 0, 0),
          new Uint8Array(8).fill(0xff),
        ),
        little,
      );
      // IDB: link type Raw, snaplen 0, option if_tsresol = 9 (nanoseconds), end of options.
      const tsresol = concat(
        little ? Uint8Array.of(9, 0, 1, 0) : Uint8Array.of(0, 9, 0, 1),
        Uint8Array.of(9, 0, 0, 0),
        new Uint8Array(4),
      );
      const idb = block(
        1,
        concat(
          little ? Uint8Array.of(LinkType.Raw, 0, 0, 0) : Uint8Array.of(0, LinkType.Raw, 0, 0),
          u32(0, little),
          tsresol,
        ),
        little,
      );
      const ns = 1_700_000_000_123_456_789n;
      const epb = block(
        6,
        concat(
          u32(0, little),
          u32(Number(ns >> 32n), little),
          u32(Number(ns & 0xffffffffn), little),
          u32(v4.length, little),
          u32(v4.length, little),
          pad4(v4),
        ),
        little,
      );
      const spb = block(3, concat(u32(v4.length, little), pad4(v4)), little);
      const unknown = block(0x0bad, Uint8Array.of(1, 2, 3, 4), little);
      const frames = [...readCapture(concat(shb, idb, unknown, epb, spb))];
      expect(frames).toHaveLength(2);
      expect(frames[0]!.time).toBeCloseTo(1700000000.123457, 6);
      expect(frames[0]!.data).toEqual(v4);
      expect(frames[1]!.time).toBeUndefined();
      expect(frames[1]!.data).toEqual(v4);
      expect(decodeTcpSegment(frames[1]!)).toMatchObject({ src: "198.18.0.1", dstPort: 179 });
    });
  }

  it("rejects a packet for an interface that was never described", () => {
    const shb = block(
      0x0a0d0d0a,
      concat(u32(0x1a2b3c4d, true), Uint8Array.of(1, 0, 0, 0), new Uint8Array(8).fill(0xff)),
      true,
    );
    const epb = block(
      6,
      concat(u32(3, true), u32(0, true), u32(0, true), u32(4, true), u32(4, true), new Uint8Array(4)),
      true,
    );
    expect(() => [...readCapture(concat(shb, epb))]).toThrow(/unknown interface 3/);
  });

  it("rejects a block whose trailing length disagrees", () => {
    const shb = block(
      0x0a0d0d0a,
      concat(u32(0x1a2b3c4d, true), Uint8Array.of(1, 0, 0, 0), new Uint8Array(8).fill(0xff)),
      true,
    );
    shb[shb.length - 1] = 0x7f;
    expect(() => [...readCapture(shb)]).toThrow(PcapFormatError);
  });
});

describe("decodeTcpSegment: link types", () => {
  const payload = Uint8Array.of(1, 2, 3);
  const tcp = concat(tcpHeader(179, 40000, 5, TcpFlag.Ack | TcpFlag.Psh), payload);
  const ip4 = ipv4Packet([198, 18, 0, 2], [198, 18, 0, 1], tcp);
  const a6 = new Uint8Array(16);
  a6.set([0x20, 0x01, 0x0d, 0xb8]);
  a6[15] = 1;
  const b6 = a6.slice();
  b6[15] = 2;
  const ip6 = ipv6Packet(a6, b6, tcp);

  const frame = (linkType: number, data: Uint8Array) => ({
    index: 0,
    time: 1,
    linkType,
    data,
    originalLength: data.length,
  });

  it("Ethernet, with an 802.1Q tag and trailing padding", () => {
    const tagged = concat(new Uint8Array(12), u16(0x8100), u16(7), u16(0x0800), ip4, new Uint8Array(6));
    const seg = decodeTcpSegment(frame(LinkType.Ethernet, tagged))!;
    expect(seg.payload).toEqual(payload);
    expect(seg.payloadLength).toBe(3);
  });

  it("Linux cooked v1 and v2", () => {
    const sll = concat(new Uint8Array(14), u16(0x86dd), ip6);
    const sll2 = concat(u16(0x0800), new Uint8Array(18), ip4);
    expect(decodeTcpSegment(frame(LinkType.LinuxSll, sll))).toMatchObject({
      src: "2001:db8::1",
      dst: "2001:db8::2",
      srcPort: 179,
    });
    expect(decodeTcpSegment(frame(LinkType.LinuxSll2, sll2))).toMatchObject({ src: "198.18.0.2", seq: 5 });
  });

  it("raw IP of either version, and BSD loopback", () => {
    expect(decodeTcpSegment(frame(LinkType.Raw, ip6))!.payload).toEqual(payload);
    expect(decodeTcpSegment(frame(LinkType.Raw, ip4))!.payload).toEqual(payload);
    expect(decodeTcpSegment(frame(LinkType.Null, concat(Uint8Array.of(2, 0, 0, 0), ip4)))!.dst).toBe(
      "198.18.0.1",
    );
  });

  it("reports the announced length when the snap length cut the payload", () => {
    const cut = ip4.subarray(0, ip4.length - 2);
    const seg = decodeTcpSegment(frame(LinkType.Raw, cut))!;
    expect(seg.payload).toEqual(payload.subarray(0, 1));
    expect(seg.payloadLength).toBe(3);
  });

  it("ignores non-TCP packets, fragments and unknown link types", () => {
    const udp = ip4.slice();
    udp[9] = 17;
    const fragment = ip4.slice();
    fragment[6] = 0x20; // more fragments
    expect(decodeTcpSegment(frame(LinkType.Raw, udp))).toBeUndefined();
    expect(decodeTcpSegment(frame(LinkType.Raw, fragment))).toBeUndefined();
    expect(decodeTcpSegment(frame(LinkType.Ethernet, ethernet(ip4, 0x0806)))).toBeUndefined();
    expect(decodeTcpSegment(frame(147, ip4))).toBeUndefined();
  });
});
