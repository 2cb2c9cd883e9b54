import { describe, expect, it } from "vitest";
import { Header, MessageHeaderSubcode, MessageType } from "./constants.js";
import { MessageHeaderError } from "./errors.js";
import { Framer } from "./framer.js";
import { writeHeader } from "./header.js";

function message(type: number, bodyLength: number, fill = 0xab): Uint8Array {
  const m = new Uint8Array(Header.length + bodyLength).fill(fill);
  writeHeader(m, 0, m.length, type as (typeof MessageType)[keyof typeof MessageType]);
  return m;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

const stream = [
  message(MessageType.Keepalive, 0),
  message(MessageType.Update, 4, 0),
  message(MessageType.Open, 10, 0),
  message(MessageType.Update, 4096 - Header.length, 0),
  message(MessageType.Notification, 2, 6),
  message(MessageType.RouteRefresh, 4, 1),
];
const bytes = concat(stream);

function expectFrames(frames: Uint8Array[]): void {
  expect(frames.map((f) => Buffer.from(f).toString("hex"))).toEqual(
    stream.map((f) => Buffer.from(f).toString("hex")),
  );
}

describe("Framer", () => {
  it("returns many messages pushed in one chunk", () => {
    const framer = new Framer();
    expectFrames(framer.push(bytes));
    expect(framer.buffered).toBe(0);
  });

  it("returns the same messages for every split of the stream into two chunks", () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const framer = new Framer();
      const frames = [...framer.push(bytes.subarray(0, cut)), ...framer.push(bytes.subarray(cut))];
      expectFrames(frames);
      expect(framer.buffered).toBe(0);
    }
  });

  it("assembles a stream dripped one octet at a time", () => {
    const framer = new Framer();
    const frames: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) frames.push(...framer.push(bytes.subarray(i, i + 1)));
    expectFrames(frames);
  });

  it("zero-copies frames that lie within one chunk", () => {
    const framer = new Framer();
    const frames = framer.push(bytes);
    expect(frames[0]!.buffer).toBe(bytes.buffer);
  });

  it("does not keep a reference to a frame's octets after returning it", () => {
    const framer = new Framer();
    const chunk = bytes.slice(0, 30);
    const [first] = framer.push(chunk);
    expect(first).toBeDefined();
    chunk.fill(0);
    expect(framer.push(bytes.subarray(30)).length).toBe(stream.length - 1);
  });

  it("rejects a length below 19 as soon as the header is in", () => {
    const bad = message(MessageType.Update, 4);
    bad[17] = 18;
    const framer = new Framer();
    expect(framer.push(bad.subarray(0, 18))).toEqual([]);
    try {
      framer.push(bad.subarray(18, 19));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MessageHeaderError);
      const e = err as MessageHeaderError;
      expect([e.errorCode, e.subcode, [...e.data]]).toEqual([
        1,
        MessageHeaderSubcode.BadMessageLength,
        [0, 18],
      ]);
    }
  });

  it("rejects a length above 4096 unless extended messages are negotiated", () => {
    const big = message(MessageType.Update, 5000 - Header.length, 0);
    expect(() => new Framer().push(big)).toThrow(MessageHeaderError);
    const framer = new Framer();
    framer.setMaxLength(Header.maxExtendedMessageLength);
    expect(framer.push(big).length).toBe(1);
  });

  it("never allows an OPEN or KEEPALIVE above 4096 even with extended messages (RFC 8654 §4)", () => {
    const framer = new Framer(Header.maxExtendedMessageLength);
    expect(() => framer.push(message(MessageType.Open, 5000))).toThrow(MessageHeaderError);
  });

  it("rejects a KEEPALIVE whose length is not 19", () => {
    expect(() => new Framer().push(message(MessageType.Keepalive, 1))).toThrow(/bad message length 20/);
  });

  it("rejects a marker that is not all ones with Connection Not Synchronized", () => {
    const bad = message(MessageType.Keepalive, 0);
    bad[3] = 0;
    expect(() => new Framer().push(bad)).toThrow(
      expect.objectContaining({ errorCode: 1, subcode: MessageHeaderSubcode.ConnectionNotSynchronized }),
    );
  });

  it("rejects an unknown type with Bad Message Type carrying the type", () => {
    const bad = message(9, 0);
    expect(() => new Framer().push(bad)).toThrow(
      expect.objectContaining({ subcode: MessageHeaderSubcode.BadMessageType, data: Uint8Array.of(9) }),
    );
  });

  it("rejects per-type minimum lengths (OPEN < 29, UPDATE < 23)", () => {
    expect(() => new Framer().push(message(MessageType.Open, 9))).toThrow(/bad message length 28/);
    expect(() => new Framer().push(message(MessageType.Update, 3))).toThrow(/bad message length 22/);
  });
});
