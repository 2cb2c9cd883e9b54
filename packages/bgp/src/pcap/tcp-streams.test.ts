import { describe, expect, it } from "vitest";
import type { TcpSegment } from "./packet-decoder.js";
import { TcpFlag } from "./packet-decoder.js";
import type { StreamChunk } from "./tcp-streams.js";
import { TcpReassembler } from "./tcp-streams.js";

const A = "198.18.0.1";
const B = "198.18.0.2";

let frameNo = 0;
function seg(
  src: string,
  seq: number,
  flags: number,
  data: number[] = [],
  payloadLength = data.length,
): TcpSegment {
  const fromA = src === A;
  return {
    time: frameNo,
    frame: frameNo++,
    src,
    dst: fromA ? B : A,
    srcPort: fromA ? 40000 : 179,
    dstPort: fromA ? 179 : 40000,
    seq: seq >>> 0,
    flags,
    payload: Uint8Array.from(data),
    payloadLength,
  };
}

function run(segments: TcpSegment[]): { chunks: StreamChunk[]; r: TcpReassembler } {
  const r = new TcpReassembler();
  const chunks = segments.flatMap((s) => r.push(s));
  chunks.push(...r.finish());
  return { chunks, r };
}

function streamOf(chunks: StreamChunk[], connection: number, direction: 0 | 1): number[] {
  return chunks
    .filter((c) => c.connection === connection && c.direction === direction)
    .flatMap((c) => [...c.data]);
}

const handshake = (isnA: number, isnB: number): TcpSegment[] => [
  seg(A, isnA, TcpFlag.Syn),
  seg(B, isnB, TcpFlag.Syn | TcpFlag.Ack),
  seg(A, isnA + 1, TcpFlag.Ack),
];

describe("TcpReassembler", () => {
  it("delivers both directions in order, with the SYN sender as endpoint 0", () => {
    const { chunks, r } = run([
      ...handshake(100, 900),
      seg(A, 101, TcpFlag.Ack, [1, 2, 3]),
      seg(B, 901, TcpFlag.Ack, [9]),
      seg(A, 104, TcpFlag.Ack, [4]),
    ]);
    expect(streamOf(chunks, 0, 0)).toEqual([1, 2, 3, 4]);
    expect(streamOf(chunks, 0, 1)).toEqual([9]);
    expect(r.connections).toEqual([
      {
        id: 0,
        endpoints: [
          { address: A, port: 40000 },
          { address: B, port: 179 },
        ],
      },
    ]);
    expect(chunks.map((c) => c.offset)).toEqual([0, 0, 3]);
    expect(chunks[1]).toMatchObject({
      src: { address: B, port: 179 },
      dst: { address: A, port: 40000 },
      direction: 1,
    });
  });

  it("drops retransmissions and trims overlaps (first copy wins)", () => {
    const { chunks } = run([
      ...handshake(100, 900),
      seg(A, 101, TcpFlag.Ack, [1, 2, 3]),
      seg(A, 101, TcpFlag.Ack, [1, 2, 3]),
      seg(A, 102, TcpFlag.Ack, [7, 7, 4, 5]),
    ]);
    expect(streamOf(chunks, 0, 0)).toEqual([1, 2, 3, 4, 5]);
  });

  it("holds out-of-order segments until the hole is filled", () => {
    const r = new TcpReassembler();
    for (const s of handshake(100, 900)) r.push(s);
    expect(r.push(seg(A, 104, TcpFlag.Ack, [4, 5]))).toEqual([]);
    expect(r.push(seg(A, 106, TcpFlag.Ack, [6]))).toEqual([]);
    const out = r.push(seg(A, 101, TcpFlag.Ack, [1, 2, 3]));
    expect(out.flatMap((c) => [...c.data])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.finish()).toEqual([]);
  });

  it("follows sequence numbers across the 2^32 wrap", () => {
    const { chunks } = run([
      ...handshake(0xfffffffe, 5),
      seg(A, 0xffffffff, TcpFlag.Ack, [1, 2]),
      seg(A, 1, TcpFlag.Ack, [3]),
    ]);
    expect(streamOf(chunks, 0, 0)).toEqual([1, 2, 3]);
  });

  it("reports a hole that is never filled as a gap at the end", () => {
    const { chunks } = run([
      ...handshake(100, 900),
      seg(A, 101, TcpFlag.Ack, [1]),
      seg(A, 105, TcpFlag.Ack, [5]),
    ]);
    expect(chunks.map((c) => ({ data: [...c.data], gap: c.gap, offset: c.offset }))).toEqual([
      { data: [1], gap: undefined, offset: 0 },
      { data: [5], gap: 3, offset: 4 },
    ]);
  });

  it("reports octets cut by the snap length as a gap before the next chunk", () => {
    const { chunks } = run([
      ...handshake(100, 900),
      seg(A, 101, TcpFlag.Ack, [1, 2], 4),
      seg(A, 105, TcpFlag.Ack, [5]),
    ]);
    expect(chunks.map((c) => ({ data: [...c.data], gap: c.gap }))).toEqual([
      { data: [1, 2], gap: undefined },
      { data: [5], gap: 2 },
    ]);
  });

  it("starts mid-stream at the first segment when there is no SYN", () => {
    const { chunks, r } = run([
      seg(B, 5000, TcpFlag.Ack, [1]),
      seg(A, 7000, TcpFlag.Ack, [2]),
      seg(B, 5001, TcpFlag.Ack, [3]),
    ]);
    expect(r.connections[0]!.endpoints[0].address).toBe(B);
    expect(streamOf(chunks, 0, 0)).toEqual([1, 3]);
    expect(streamOf(chunks, 0, 1)).toEqual([2]);
  });

  it("counts a new connection on the same 4-tuple after FIN, and after a new ISN", () => {
    const { chunks, r } = run([
      ...handshake(100, 900),
      seg(A, 101, TcpFlag.Ack, [1]),
      seg(A, 102, TcpFlag.Fin | TcpFlag.Ack),
      seg(B, 901, TcpFlag.Fin | TcpFlag.Ack),
      seg(A, 103, TcpFlag.Ack),
      ...handshake(5000, 6000),
      seg(A, 5001, TcpFlag.Ack, [2]),
      seg(A, 8000, TcpFlag.Syn),
      seg(A, 8001, TcpFlag.Ack, [3]),
    ]);
    expect(r.connections.map((c) => c.id)).toEqual([0, 1, 2]);
    expect(streamOf(chunks, 0, 0)).toEqual([1]);
    expect(streamOf(chunks, 1, 0)).toEqual([2]);
    expect(streamOf(chunks, 2, 0)).toEqual([3]);
  });

  it("ignores a retransmitted SYN", () => {
    const { r } = run([
      seg(A, 100, TcpFlag.Syn),
      seg(A, 100, TcpFlag.Syn),
      seg(B, 900, TcpFlag.Syn | TcpFlag.Ack),
    ]);
    expect(r.connections).toHaveLength(1);
  });
});
