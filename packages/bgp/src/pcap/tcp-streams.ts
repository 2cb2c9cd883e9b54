/**
 * TCP stream reassembly for captured BGP sessions: turns TCP segments (in
 * capture order) into the ordered byte stream of each direction of each
 * connection, as the receiving BGP speaker read it (RFC 9293 §3.4 sequence
 * numbers, modulo 2^32).
 *
 * Minimal but correct for what a capture of a BGP session holds:
 * - the SYN fixes the initial sequence number; without one (capture started
 *   mid-session) the first segment seen does;
 * - retransmitted and overlapping octets are delivered once, the first copy
 *   wins;
 * - out-of-order segments wait until the hole before them is filled;
 * - a hole that is never filled (packet not captured) or a payload cut by the
 *   snap length is reported as `gap` on the next chunk, so a consumer can
 *   re-synchronise instead of mis-framing;
 * - a new SYN on a 4-tuple whose connection was closed (FIN/RST) or with a
 *   different ISN starts a new connection.
 *
 * Chunks come out in the order the segment that completed them was captured,
 * so the two directions of a connection interleave as on the wire.
 */
import type { TcpSegment } from "./packet-decoder.js";
import { TcpFlag } from "./packet-decoder.js";

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface TcpConnection {
  /** 0-based, in order of first appearance. */
  readonly id: number;
  /** endpoints[0] sent the SYN (or, without one, the first segment seen). */
  readonly endpoints: readonly [Endpoint, Endpoint];
}

export interface StreamChunk {
  readonly connection: number;
  /** 0: endpoints[0] -> endpoints[1]; 1: the reverse. */
  readonly direction: 0 | 1;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  /** Capture time of the segment that made these octets deliverable. */
  readonly time?: number;
  /** Offset of `data` in this direction's stream (octets since the SYN or the first segment seen). */
  readonly offset: number;
  readonly data: Uint8Array;
  /** Octets missing just before `data`: the stream is not contiguous here. */
  readonly gap?: number;
}

interface Pending {
  readonly seq: number;
  readonly data: Uint8Array;
  readonly missing: number;
  readonly fin: boolean;
  readonly time?: number;
}

interface DirectionState {
  isn: number | undefined;
  /** Next expected sequence number; undefined until the first segment. */
  next: number | undefined;
  /** Stream octets delivered (or skipped as gaps) so far. */
  offset: number;
  /** Octets lost before the next delivered chunk. */
  gap: number;
  finished: boolean;
  pending: Pending[];
}

interface ConnectionState {
  readonly connection: TcpConnection;
  readonly dirs: [DirectionState, DirectionState];
  reset: boolean;
}

/** Signed distance a - b in sequence space. */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

function endpointKey(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

function newDirection(): DirectionState {
  return { isn: undefined, next: undefined, offset: 0, gap: 0, finished: false, pending: [] };
}

export class TcpReassembler {
  #byTuple = new Map<string, ConnectionState>();
  #all: ConnectionState[] = [];

  /** Every connection seen so far, in order of first appearance. */
  get connections(): readonly TcpConnection[] {
    return this.#all.map((c) => c.connection);
  }

  /** Adds one segment (in capture order); returns the chunks it makes deliverable. */
  push(seg: TcpSegment): StreamChunk[] {
    const a = endpointKey(seg.src, seg.srcPort);
    const b = endpointKey(seg.dst, seg.dstPort);
    const tuple = a < b ? `${a}|${b}` : `${b}|${a}`;
    const syn = (seg.flags & TcpFlag.Syn) !== 0;
    const pureSyn = syn && (seg.flags & TcpFlag.Ack) === 0;
    let state = this.#byTuple.get(tuple);
    if (state !== undefined && pureSyn) {
      const dir =
        state.dirs[
          state.connection.endpoints[0].address === seg.src &&
          state.connection.endpoints[0].port === seg.srcPort
            ? 0
            : 1
        ];
      const closed = state.reset || (state.dirs[0].finished && state.dirs[1].finished);
      if (closed || (dir.isn !== undefined && dir.isn !== seg.seq)) state = undefined;
    }
    if (state === undefined) {
      state = {
        connection: {
          id: this.#all.length,
          endpoints: [
            { address: seg.src, port: seg.srcPort },
            { address: seg.dst, port: seg.dstPort },
          ],
        },
        dirs: [newDirection(), newDirection()],
        reset: false,
      };
      this.#byTuple.set(tuple, state);
      this.#all.push(state);
    }
    const first = state.connection.endpoints[0];
    const direction: 0 | 1 = first.address === seg.src && first.port === seg.srcPort ? 0 : 1;
    const dir = state.dirs[direction];
    if (syn && dir.isn === undefined) {
      dir.isn = seg.seq;
      if (dir.next === undefined) dir.next = (seg.seq + 1) >>> 0;
    }
    if ((seg.flags & TcpFlag.Rst) !== 0) state.reset = true;
    const dataSeq = syn ? (seg.seq + 1) >>> 0 : seg.seq;
    if (dir.next === undefined) dir.next = dataSeq;
    const fin = (seg.flags & TcpFlag.Fin) !== 0;
    if (seg.payloadLength === 0 && !fin) return [];
    const pending: Pending = {
      seq: dataSeq,
      data: seg.payload,
      missing: seg.payloadLength - seg.payload.length,
      fin,
      ...(seg.time === undefined ? {} : { time: seg.time }),
    };
    const out: StreamChunk[] = [];
    if (seqDiff(dataSeq, dir.next) > 0) {
      dir.pending.push(pending);
      return out;
    }
    this.#deliver(state, direction, pending, out);
    this.#drain(state, direction, out);
    return out;
  }

  /**
   * Ends the capture: whatever still waits behind a hole is delivered with
   * `gap` set, in sequence order.
   */
  finish(): StreamChunk[] {
    const out: StreamChunk[] = [];
    for (const state of this.#all) {
      for (const direction of [0, 1] as const) {
        const dir = state.dirs[direction];
        while (dir.pending.length > 0 && dir.next !== undefined) {
          const next = dir.next;
          dir.pending.sort((x, y) => seqDiff(x.seq, next) - seqDiff(y.seq, next));
          const head = dir.pending[0]!;
          const hole = seqDiff(head.seq, next);
          if (hole > 0) {
            dir.gap += hole;
            dir.offset += hole;
            dir.next = head.seq;
          }
          this.#drain(state, direction, out);
        }
      }
    }
    return out.sort((x, y) => (x.time ?? 0) - (y.time ?? 0));
  }

  /** Delivers whatever pending segments now start at or before `next`. */
  #drain(state: ConnectionState, direction: 0 | 1, out: StreamChunk[]): void {
    const dir = state.dirs[direction];
    let progressed = true;
    while (progressed && dir.pending.length > 0) {
      progressed = false;
      for (let i = 0; i < dir.pending.length; i++) {
        const p = dir.pending[i]!;
        if (seqDiff(p.seq, dir.next!) <= 0) {
          dir.pending.splice(i, 1);
          this.#deliver(state, direction, p, out);
          progressed = true;
          break;
        }
      }
    }
  }

  /** `p` starts at or before `next`: hands over its new octets. */
  #deliver(state: ConnectionState, direction: 0 | 1, p: Pending, out: StreamChunk[]): void {
    const dir = state.dirs[direction];
    const next = dir.next!;
    const length = p.data.length + p.missing;
    const skip = -seqDiff(p.seq, next);
    if (skip < length) {
      const fresh = p.data.subarray(Math.min(skip, p.data.length));
      if (fresh.length > 0) {
        const { endpoints } = state.connection;
        out.push({
          connection: state.connection.id,
          direction,
          src: endpoints[direction],
          dst: endpoints[1 - direction]!,
          ...(p.time === undefined ? {} : { time: p.time }),
          offset: dir.offset,
          data: fresh,
          ...(dir.gap > 0 ? { gap: dir.gap } : {}),
        });
        dir.gap = 0;
      }
      const advance = length - skip;
      // Octets the snap length cut off are lost: the next chunk reports them.
      dir.gap += Math.min(p.missing, advance);
      dir.offset += advance;
      dir.next = (next + advance) >>> 0;
    }
    if (p.fin && skip <= length && !dir.finished) {
      dir.finished = true;
      dir.next = (dir.next! + 1) >>> 0;
    }
  }
}

/** Reassembles every TCP connection in `segments` (capture order). */
export function* reassembleTcp(segments: Iterable<TcpSegment>): Generator<StreamChunk, TcpReassembler> {
  const r = new TcpReassembler();
  for (const seg of segments) yield* r.push(seg);
  yield* r.finish();
  return r;
}
