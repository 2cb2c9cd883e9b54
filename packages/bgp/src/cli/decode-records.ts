/**
 * The decoding engine behind `bgp-decode`: bytes in, a sequence of records
 * out (a decoded message, or the error it caused), with no I/O and no
 * formatting.
 *
 * - `decodeStream`: one direction of a session as raw octets (or one message
 *   from hex). Frames by the header; a body that fails to decode is reported
 *   and decoding goes on with the next message; a broken header loses the
 *   framing, so the decoder looks for the next marker.
 * - `decodeCapture`: a pcap/pcapng file. Reassembles every TCP connection,
 *   frames each direction with its own Framer, remembers the two OPENs of
 *   each connection and decodes the rest with the context they negotiated
 *   (session-context.ts). A header error ends that direction; other flows go
 *   on. A hole in the capture restarts framing at the next marker.
 */

import { decodeTcpSegment } from "../pcap/packet-decoder.js";
import { readCapture } from "../pcap/pcap-reader.js";
import type { Endpoint, StreamChunk } from "../pcap/tcp-streams.js";
import { TcpReassembler } from "../pcap/tcp-streams.js";
import { decodeMessage } from "../wire/codec.js";
import { BgpPort, Header, MessageType } from "../wire/constants.js";
import type { CodecContext } from "../wire/context.js";
import { defaultContext, maxMessageLength } from "../wire/context.js";
import { Framer } from "../wire/framer.js";
import { checkHeader } from "../wire/header.js";
import type { BgpMessage, OpenMessage } from "../wire/messages.js";
import { contextForSender } from "./session-context.js";

export interface FlowInfo {
  /** TCP connection number in the capture, from 0. */
  readonly connection: number;
  readonly src: Endpoint;
  readonly dst: Endpoint;
}

interface RecordBase {
  /** Capture time (seconds since the epoch) of the segment that completed the message. */
  readonly time?: number;
  readonly flow?: FlowInfo;
}

export interface MessageRecord extends RecordBase {
  readonly kind: "message";
  readonly message: BgpMessage;
  /** The whole message as received. */
  readonly raw: Uint8Array;
  /** The context it was decoded with. */
  readonly context: CodecContext;
}

export interface ErrorRecord extends RecordBase {
  readonly kind: "error";
  /** A `BgpWireError` for protocol errors; anything else is a bug or a local failure. */
  readonly error: unknown;
  /** The octets that failed (the message, or what is left of the stream for a header error). */
  readonly raw?: Uint8Array;
}

/** Octets the capture lacks (lost packets, snap length): framing restarts at the next marker. */
export interface GapRecord extends RecordBase {
  readonly kind: "gap";
  readonly missing: number;
}

export type DecodeRecord = MessageRecord | ErrorRecord | GapRecord;

export interface StreamOptions {
  /** Context to decode with; default: derived from an OPEN in the stream (see below), else defaultContext. */
  readonly context?: CodecContext;
}

function isMarkerAt(buf: Uint8Array, at: number): boolean {
  if (at + Header.markerLength > buf.length) return false;
  for (let i = 0; i < Header.markerLength; i++) if (buf[at + i] !== 0xff) return false;
  return true;
}

/** Offset of the next 16-octet marker at or after `from`, or -1. */
export function findMarker(buf: Uint8Array, from: number): number {
  for (let at = from; at + Header.markerLength <= buf.length; at++) if (isMarkerAt(buf, at)) return at;
  return -1;
}

/**
 * Decodes a raw stream of messages (one speaker's side of a session). With
 * no explicit context, an OPEN in the stream sets it as if the peer had sent
 * the same capabilities — the best guess when only one side is there.
 */
export function* decodeStream(bytes: Uint8Array, options: StreamOptions = {}): Generator<DecodeRecord> {
  let ctx = options.context ?? defaultContext;
  let at = 0;
  while (at < bytes.length) {
    let length: number;
    try {
      if (bytes.length - at < Header.length)
        throw new RangeError(`${bytes.length - at} trailing octets are not a message`);
      length = checkHeader(bytes, at, maxMessageLength(ctx));
      if (at + length > bytes.length)
        throw new RangeError(
          `message of ${length} octets runs past the end of the input (${bytes.length - at} left)`,
        );
    } catch (error) {
      yield { kind: "error", error, raw: bytes.subarray(at) };
      const next = findMarker(bytes, at + 1);
      if (next < 0) return;
      at = next;
      continue;
    }
    const raw = bytes.subarray(at, at + length);
    at += length;
    try {
      const message = decodeMessage(raw, ctx);
      yield { kind: "message", message, raw, context: ctx };
      if (message.type === MessageType.Open && options.context === undefined)
        ctx = contextForSender(message, message);
    } catch (error) {
      yield { kind: "error", error, raw };
    }
  }
}

interface DirectionState {
  framer: Framer | undefined;
  /** Framing lost (header error or gap): skip to the next marker. */
  resync: boolean;
  broken: boolean;
  open: OpenMessage | undefined;
}

interface ConnectionState {
  readonly dirs: [DirectionState, DirectionState];
}

function newDirection(): DirectionState {
  return { framer: new Framer(), resync: false, broken: false, open: undefined };
}

export interface CaptureOptions {
  /** Context for flows whose OPENs are not in the capture (it started mid-session). */
  readonly fallbackContext?: CodecContext;
  /** TCP ports that carry BGP; segments between other ports are ignored. Default: 179. */
  readonly ports?: ReadonlySet<number>;
}

/** Decodes every BGP message of every TCP connection in a pcap/pcapng file. Throws `PcapFormatError`. */
export function* decodeCapture(bytes: Uint8Array, options: CaptureOptions = {}): Generator<DecodeRecord> {
  const fallback = options.fallbackContext ?? defaultContext;
  const ports = options.ports ?? new Set([BgpPort]);
  const reassembler = new TcpReassembler();
  const connections = new Map<number, ConnectionState>();

  const contextOf = (conn: ConnectionState, direction: 0 | 1): CodecContext => {
    const mine = conn.dirs[direction].open;
    const theirs = conn.dirs[1 - direction]!.open;
    if (mine !== undefined && theirs !== undefined) return contextForSender(mine, theirs);
    if (mine !== undefined) return contextForSender(mine, mine);
    return fallback;
  };

  function* onChunk(chunk: StreamChunk): Generator<DecodeRecord> {
    let conn = connections.get(chunk.connection);
    if (conn === undefined) {
      conn = { dirs: [newDirection(), newDirection()] };
      connections.set(chunk.connection, conn);
    }
    const dir = conn.dirs[chunk.direction];
    const flow: FlowInfo = { connection: chunk.connection, src: chunk.src, dst: chunk.dst };
    const meta = { ...(chunk.time === undefined ? {} : { time: chunk.time }), flow };
    if (chunk.gap !== undefined) {
      yield { kind: "gap", missing: chunk.gap, ...meta };
      if (!dir.broken) dir.resync = true;
    }
    if (dir.broken) return;
    let data = chunk.data;
    if (dir.resync) {
      const at = findMarker(data, 0);
      if (at < 0) return;
      data = data.subarray(at);
      dir.resync = false;
      dir.framer = new Framer(maxMessageLength(contextOf(conn, chunk.direction)));
    }
    const framer = dir.framer!;
    let frames: Uint8Array[];
    try {
      frames = framer.push(data);
    } catch (error) {
      // The framer cannot find the next message boundary: this direction is done.
      dir.broken = true;
      yield { kind: "error", error, raw: data, ...meta };
      return;
    }
    for (const raw of frames) {
      const ctx = contextOf(conn, chunk.direction);
      try {
        const message = decodeMessage(raw, ctx);
        if (message.type === MessageType.Open) {
          dir.open = message;
          const other = conn.dirs[1 - chunk.direction]!;
          // RFC 8654: raise both framers' limits once both sides agreed.
          const max = maxMessageLength(contextOf(conn, chunk.direction));
          framer.setMaxLength(max);
          other.framer?.setMaxLength(max);
        }
        yield { kind: "message", message, raw, context: ctx, ...meta };
      } catch (error) {
        yield { kind: "error", error, raw, ...meta };
      }
    }
  }

  for (const frame of readCapture(bytes)) {
    const segment = decodeTcpSegment(frame);
    if (segment === undefined || !(ports.has(segment.srcPort) || ports.has(segment.dstPort))) continue;
    for (const chunk of reassembler.push(segment)) yield* onChunk(chunk);
  }
  for (const chunk of reassembler.finish()) yield* onChunk(chunk);
}
