/**
 * Route reflection on raw attribute octets (RFC 4456 §8): a reflector passes
 * a route on with ORIGINATOR_ID set to the originator's BGP Identifier when
 * it is not already there, and its CLUSTER_ID prepended to CLUSTER_LIST
 * (which is created when absent). Every other attribute is copied octet for
 * octet, never re-encoded, except as RFC 4271 §5/§9.1.2 require of any
 * speaker passing a route on: unrecognised optional non-transitive
 * attributes are dropped and unrecognised optional transitive ones get the
 * Partial bit.
 *
 *     in:   [ORIGIN][AS_PATH][NEXT_HOP][LOCAL_PREF]            [COMMUNITIES]
 *     out:  [ORIGIN][AS_PATH][NEXT_HOP][LOCAL_PREF][ORIGINATOR_ID][CLUSTER_LIST][COMMUNITIES]
 *                                                      (if absent)  (id + old list)
 *
 * The input is `UpdateMessage.rawAttributes` (no MP attributes); new
 * attributes are slotted in by type code.
 */

import { ByteWriter, readU16 } from "./attributes/bytes.js";
import { isKnownAttribute } from "./attributes/table.js";
import { passOnFlags } from "./attributes/unknown.js";
import { AttrFlag, AttrType } from "./constants.js";

export interface ReflectOptions {
  /** BGP Identifier of the peer the route came from (dotted quad). */
  readonly originatorId: string;
  /** This reflector's CLUSTER_ID (dotted quad). */
  readonly clusterId: string;
}

/** New attribute octets for reflecting a route. Throws RangeError when `raw` is not a well-formed attribute list. */
export function reflectAttributes(raw: Uint8Array, opts: ReflectOptions): Uint8Array {
  const w = new ByteWriter(raw.length + 16);
  let originatorDone = false;
  let clusterDone = false;
  const hasOriginator = findAttribute(raw, AttrType.OriginatorId);
  const addOriginator = (): void => {
    originatorDone = true;
    if (hasOriginator) return;
    const m = w.begin(AttrFlag.Optional, AttrType.OriginatorId);
    w.ipv4(opts.originatorId);
    w.end(m);
  };
  const addCluster = (existing: Uint8Array): void => {
    clusterDone = true;
    const m = w.begin(AttrFlag.Optional, AttrType.ClusterList);
    w.ipv4(opts.clusterId);
    w.bytes(existing);
    w.end(m);
  };
  forEachAttribute(raw, (flags, type, at, vStart, vEnd) => {
    if (!originatorDone && type > AttrType.OriginatorId) addOriginator();
    if (type === AttrType.OriginatorId) originatorDone = true;
    if (!clusterDone && type > AttrType.ClusterList) addCluster(new Uint8Array(0));
    if (type === AttrType.ClusterList) {
      addCluster(raw.subarray(vStart, vEnd));
      return;
    }
    const span = raw.subarray(at, vEnd);
    if (isKnownAttribute(type)) {
      w.bytes(span);
      return;
    }
    const passed = passOnFlags(flags);
    if (passed === undefined) return;
    const start = w.pos;
    w.bytes(span);
    if (passed !== flags) patchFlags(w, start, passed);
  });
  if (!originatorDone) addOriginator();
  if (!clusterDone) addCluster(new Uint8Array(0));
  return w.finish();
}

function patchFlags(w: ByteWriter, at: number, flags: number): void {
  const end = w.pos;
  w.pos = at;
  w.u8(flags);
  w.pos = end;
}

function findAttribute(raw: Uint8Array, wanted: number): boolean {
  let found = false;
  forEachAttribute(raw, (_f, type) => {
    if (type === wanted) found = true;
  });
  return found;
}

function forEachAttribute(
  raw: Uint8Array,
  visit: (flags: number, type: number, at: number, vStart: number, vEnd: number) => void,
): void {
  for (let p = 0; p < raw.length; ) {
    const flags = raw[p]!;
    const header = flags & AttrFlag.ExtendedLength ? 4 : 3;
    if (raw.length - p < header) throw new RangeError(`attribute header cut short at octet ${p}`);
    const length = header === 4 ? readU16(raw, p + 2) : raw[p + 2]!;
    const vEnd = p + header + length;
    if (vEnd > raw.length) throw new RangeError(`attribute at octet ${p} overruns the attributes`);
    visit(flags, raw[p + 1]!, p, p + header, vEnd);
    p = vEnd;
  }
}
