/**
 * How `bgp-decode` prints records: a readable text form (one line, or a short
 * indented block for OPEN and UPDATE, in the spirit of bgpdump and tshark
 * summaries) and a JSON form (one object per line; Uint8Array as hex, NLRI
 * lists as prefix arrays). Pure functions: records in, strings out.
 */

import type { Endpoint } from "../pcap/tcp-streams.js";
import { capabilityName } from "../wire/capabilities.js";
import {
  Afi,
  AsPathSegmentType,
  MessageType,
  Origin,
  RouteRefreshSubtype,
  Safi,
  WellKnownCommunity,
} from "../wire/constants.js";
import { isEndOfRib } from "../wire/end-of-rib.js";
import { BgpWireError } from "../wire/errors.js";
import type {
  AsPathSegment,
  BgpMessage,
  Capability,
  LargeCommunity,
  NotificationMessage,
  OpenMessage,
  PathAttributes,
  UpdateMessage,
} from "../wire/messages.js";
import type { NlriList } from "../wire/nlri.js";
import { formatIpv4, nlriToEntries, nlriToPrefixes } from "../wire/nlri.js";
import { describeNotification, notificationOf } from "../wire/notification.js";
import type { DecodeRecord } from "./decode-records.js";
import { toHex } from "./hex.js";

const messageTypeNames: Readonly<Record<number, string>> = {
  [MessageType.Open]: "OPEN",
  [MessageType.Update]: "UPDATE",
  [MessageType.Notification]: "NOTIFICATION",
  [MessageType.Keepalive]: "KEEPALIVE",
  [MessageType.RouteRefresh]: "ROUTE-REFRESH",
};

export function messageTypeName(type: number): string {
  return messageTypeNames[type] ?? `type ${type}`;
}

export function familyName(afi: number, safi: number): string {
  const a = afi === Afi.Ipv4 ? "ipv4" : afi === Afi.Ipv6 ? "ipv6" : `afi ${afi}`;
  const s = safi === Safi.Unicast ? "unicast" : safi === Safi.Multicast ? "multicast" : `safi ${safi}`;
  return `${a}/${s}`;
}

function afiName(afi: number): string {
  return afi === Afi.Ipv4 ? "ipv4" : afi === Afi.Ipv6 ? "ipv6" : `afi ${afi}`;
}

/** Capabilities the codec keeps as `unknown` but that real speakers send (IANA registry names). */
const otherCapabilityNames: Readonly<Record<number, string>> = {
  9: "bgp-role",
  71: "long-lived-graceful-restart",
  73: "fqdn",
  128: "route-refresh-cisco",
};

const addPathDirections: Readonly<Record<number, string>> = { 1: "receive", 2: "send", 3: "send/receive" };

export function formatCapability(cap: Capability): string {
  switch (cap.kind) {
    case "multiprotocol":
      return `mp ${familyName(cap.afi, cap.safi)}`;
    case "route-refresh":
    case "enhanced-route-refresh":
    case "extended-message":
      return cap.kind;
    case "extended-next-hop":
      return `extended-next-hop ${cap.entries.map((e) => `${familyName(e.afi, e.safi)} via ${afiName(e.nextHopAfi)}`).join(" ")}`;
    case "graceful-restart": {
      const flags = `${cap.restarting ? " restarting" : ""}${cap.notification ? " notification" : ""}`;
      const families = cap.families.map((f) => `${familyName(f.afi, f.safi)}${f.forwarding ? "(F)" : ""}`);
      return `graceful-restart time ${cap.restartTime}${flags}${families.length ? ` ${families.join(" ")}` : ""}`;
    }
    case "four-octet-as":
      return `4-octet-as ${cap.asn}`;
    case "add-path":
      return `add-path ${cap.families.map((f) => `${familyName(f.afi, f.safi)} ${addPathDirections[f.direction]}`).join(" ")}`;
    case "unknown": {
      const name = otherCapabilityNames[cap.code] ?? capabilityName(cap.code);
      const label = name.startsWith("capability ") ? name : `${name} (${cap.code})`;
      return cap.value.length > 0 ? `${label} 0x${toHex(cap.value)}` : label;
    }
  }
}

function formatOpen(msg: OpenMessage): string {
  const head = `OPEN version ${msg.version}, my AS ${msg.myAs}, hold time ${msg.holdTime}, id ${msg.bgpId}`;
  if (msg.capabilities.length === 0) return head;
  return `${head}\n  capabilities: ${msg.capabilities.map(formatCapability).join(", ")}`;
}

// --- UPDATE ------------------------------------------------------------------

const originNames: Readonly<Record<number, string>> = {
  [Origin.Igp]: "IGP",
  [Origin.Egp]: "EGP",
  [Origin.Incomplete]: "INCOMPLETE",
};

const wellKnownCommunityNames: ReadonlyMap<number, string> = new Map([
  [WellKnownCommunity.GracefulShutdown, "GRACEFUL_SHUTDOWN"],
  [WellKnownCommunity.AcceptOwn, "ACCEPT_OWN"],
  [WellKnownCommunity.LlgrStale, "LLGR_STALE"],
  [WellKnownCommunity.NoLlgr, "NO_LLGR"],
  [WellKnownCommunity.Blackhole, "BLACKHOLE"],
  [WellKnownCommunity.NoExport, "NO_EXPORT"],
  [WellKnownCommunity.NoAdvertise, "NO_ADVERTISE"],
  [WellKnownCommunity.NoExportSubconfed, "NO_EXPORT_SUBCONFED"],
  [WellKnownCommunity.NoPeer, "NO_PEER"],
]);

export function formatCommunity(c: number): string {
  return wellKnownCommunityNames.get(c) ?? `${c >>> 16}:${c & 0xffff}`;
}

export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c.globalAdmin}:${c.localData1}:${c.localData2}`;
}

/** RFC 4360 §3-§4 / RFC 5668: the common route-target and route-origin forms; anything else as hex. */
export function formatExtendedCommunity(c: Uint8Array): string {
  const type = c[0]! & 0xbf; // 0x40 only marks the non-transitive variant of the same form
  const subtype = c[1]!;
  const kind = subtype === 0x02 ? "rt" : subtype === 0x03 ? "soo" : undefined;
  const u16 = (p: number): number => (c[p]! << 8) | c[p + 1]!;
  const u32 = (p: number): number => ((c[p]! << 24) | (c[p + 1]! << 16) | (c[p + 2]! << 8) | c[p + 3]!) >>> 0;
  if (kind !== undefined && c.length === 8) {
    if (type === 0x00) return `${kind} ${u16(2)}:${u32(4)}`;
    if (type === 0x01) return `${kind} ${formatIpv4(u32(2))}:${u16(6)}`;
    if (type === 0x02) return `${kind} ${u32(2)}:${u16(6)}`;
  }
  return `0x${toHex(c)}`;
}

export function formatAsPath(segments: readonly AsPathSegment[]): string {
  if (segments.length === 0) return "(empty)";
  return segments
    .map((s) => {
      switch (s.type) {
        case AsPathSegmentType.AsSequence:
          return s.asns.join(" ");
        case AsPathSegmentType.AsSet:
          return `{${s.asns.join(",")}}`;
        case AsPathSegmentType.AsConfedSequence:
          return `(${s.asns.join(" ")})`;
        case AsPathSegmentType.AsConfedSet:
          return `[${s.asns.join(",")}]`;
        default:
          return `<segment ${s.type}: ${s.asns.join(" ")}>`;
      }
    })
    .join(" ");
}

export function formatNlri(list: NlriList): string {
  if (!list.addPath) return nlriToPrefixes(list).join(" ");
  return nlriToEntries(list)
    .map((e) => `${e.prefix} (path ${e.pathId})`)
    .join(" ");
}

export function formatAttributes(a: PathAttributes): string[] {
  const out: string[] = [];
  if (a.origin !== undefined) out.push(`origin ${originNames[a.origin] ?? a.origin}`);
  if (a.asPath !== undefined) out.push(`as-path ${formatAsPath(a.asPath)}`);
  if (a.nextHop !== undefined) out.push(`next-hop ${a.nextHop}`);
  if (a.med !== undefined) out.push(`med ${a.med}`);
  if (a.localPref !== undefined) out.push(`local-pref ${a.localPref}`);
  if (a.atomicAggregate) out.push("atomic-aggregate");
  if (a.aggregator !== undefined) out.push(`aggregator ${a.aggregator.asn} ${a.aggregator.address}`);
  if (a.communities !== undefined) out.push(`communities ${a.communities.map(formatCommunity).join(" ")}`);
  if (a.originatorId !== undefined) out.push(`originator-id ${a.originatorId}`);
  if (a.clusterList !== undefined) out.push(`cluster-list ${a.clusterList.join(" ")}`);
  if (a.extendedCommunities !== undefined)
    out.push(`extended-communities ${a.extendedCommunities.map(formatExtendedCommunity).join(" ")}`);
  if (a.largeCommunities !== undefined)
    out.push(`large-communities ${a.largeCommunities.map(formatLargeCommunity).join(" ")}`);
  for (const u of a.unknown ?? [])
    out.push(`attribute ${u.type} flags 0x${u.flags.toString(16).padStart(2, "0")} 0x${toHex(u.value)}`);
  return out;
}

function formatUpdate(msg: UpdateMessage): string {
  const eor = isEndOfRib(msg);
  if (eor !== null) return `UPDATE End-of-RIB ${familyName(eor.afi, eor.safi)}`;
  const lines = ["UPDATE"];
  if (msg.withdrawn.count > 0) lines.push(`  withdrawn: ${formatNlri(msg.withdrawn)}`);
  const attrs = formatAttributes(msg.attributes);
  if (attrs.length > 0) lines.push(`  attributes: ${attrs.join(", ")}`);
  if (msg.mpReach !== undefined) {
    const r = msg.mpReach;
    const nh = r.linkLocalNextHop === undefined ? r.nextHop : `${r.nextHop} ${r.linkLocalNextHop}`;
    lines.push(`  mp-reach ${familyName(r.afi, r.safi)} next-hop ${nh}: ${formatNlri(r.nlri)}`);
  }
  if (msg.mpUnreach !== undefined) {
    const u = msg.mpUnreach;
    lines.push(
      `  mp-unreach ${familyName(u.afi, u.safi)}: ${u.nlri.count > 0 ? formatNlri(u.nlri) : "(none)"}`,
    );
  }
  if (msg.nlri.count > 0) lines.push(`  nlri: ${formatNlri(msg.nlri)}`);
  if (msg.treatAsWithdraw) lines.push("  treat-as-withdraw (RFC 7606): every prefix above is withdrawn");
  for (const issue of msg.issues ?? [])
    lines.push(`  issue: ${issue.action} attribute ${issue.attrType}: ${issue.reason}`);
  return lines.join("\n");
}

// --- the rest ----------------------------------------------------------------

function formatNotification(msg: NotificationMessage): string {
  let s = `NOTIFICATION ${describeNotification(msg.code, msg.subcode)} (${msg.code}/${msg.subcode})`;
  if (msg.shutdownCommunication !== undefined)
    s += ` shutdown communication ${JSON.stringify(msg.shutdownCommunication)}`;
  if (msg.data.length > 0) s += ` data 0x${toHex(msg.data)}`;
  return s;
}

const refreshSubtypes: Readonly<Record<number, string>> = {
  [RouteRefreshSubtype.BeginningOfRefresh]: "BoRR",
  [RouteRefreshSubtype.EndOfRefresh]: "EoRR",
};

/** The text form of one message: a line, or a header line plus indented lines. */
export function formatMessage(msg: BgpMessage): string {
  switch (msg.type) {
    case MessageType.Open:
      return formatOpen(msg);
    case MessageType.Update:
      return formatUpdate(msg);
    case MessageType.Notification:
      return formatNotification(msg);
    case MessageType.Keepalive:
      return "KEEPALIVE";
    case MessageType.RouteRefresh: {
      const sub =
        msg.subtype === RouteRefreshSubtype.Normal
          ? ""
          : ` ${refreshSubtypes[msg.subtype] ?? `subtype ${msg.subtype}`}`;
      return `ROUTE-REFRESH ${familyName(msg.afi, msg.safi)}${sub}`;
    }
  }
}

/** An error as the NOTIFICATION it would make a speaker send (or as a plain error for local failures). */
export function formatError(error: unknown): string {
  if (error instanceof BgpWireError) {
    const n = notificationOf(error);
    const data = n.data.length > 0 ? ` data 0x${toHex(n.data)}` : "";
    return `ERROR ${error.code}: ${error.message} -> would send NOTIFICATION ${describeNotification(n.code, n.subcode)} (${n.code}/${n.subcode})${data}`;
  }
  return `ERROR ${error instanceof Error ? error.message : String(error)}`;
}

export function formatEndpoint(e: Endpoint): string {
  return e.address.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/**
 * One record as text. With a flow, the first line starts with
 * `[connection] time src > dst`; `t0` makes the time relative (tshark style).
 */
export function formatRecordText(rec: DecodeRecord, t0?: number): string {
  const body =
    rec.kind === "message"
      ? formatMessage(rec.message)
      : rec.kind === "error"
        ? formatError(rec.error)
        : `GAP ${rec.missing} octets missing from the capture; framing restarts at the next marker`;
  if (rec.flow === undefined) return body;
  const time = rec.time === undefined ? "-" : (rec.time - (t0 ?? 0)).toFixed(6);
  return `[${rec.flow.connection}] ${time} ${formatEndpoint(rec.flow.src)} > ${formatEndpoint(rec.flow.dst)} ${body}`;
}

// --- JSON --------------------------------------------------------------------

function isNlriList(v: object): v is NlriList {
  return "words" in v && (v as { words: unknown }).words instanceof Uint32Array && "afi" in v;
}

/**
 * A JSON-ready copy of a decoded value: Uint8Array -> hex string; NlriList ->
 * array of prefixes (objects `{prefix, pathId}` when it carries ADD-PATH
 * identifiers); everything else as is.
 */
export function toJsonValue(v: unknown): unknown {
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v !== null && typeof v === "object") {
    if (isNlriList(v)) return v.addPath ? nlriToEntries(v) : nlriToPrefixes(v);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJsonValue(x);
    return out;
  }
  return v;
}

function errorJson(error: unknown): unknown {
  if (error instanceof BgpWireError) {
    const n = notificationOf(error);
    return {
      code: error.code,
      message: error.message,
      notification: {
        code: n.code,
        subcode: n.subcode,
        name: describeNotification(n.code, n.subcode),
        data: toHex(n.data),
      },
    };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

/** One record as a JSON object (serialise with JSON.stringify for a JSON line). */
export function recordToJson(rec: DecodeRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (rec.flow !== undefined) {
    out.connection = rec.flow.connection;
    out.src = formatEndpoint(rec.flow.src);
    out.dst = formatEndpoint(rec.flow.dst);
  }
  if (rec.time !== undefined) out.time = rec.time;
  switch (rec.kind) {
    case "message": {
      out.type = messageTypeName(rec.message.type);
      if (rec.message.type === MessageType.Update) {
        const eor = isEndOfRib(rec.message);
        if (eor !== null) out.endOfRib = familyName(eor.afi, eor.safi);
      }
      if (rec.message.type === MessageType.Notification)
        out.name = describeNotification(rec.message.code, rec.message.subcode);
      out.message = toJsonValue(rec.message);
      out.raw = toHex(rec.raw);
      break;
    }
    case "error":
      out.type = "error";
      out.error = errorJson(rec.error);
      if (rec.raw !== undefined) out.raw = toHex(rec.raw);
      break;
    case "gap":
      out.type = "gap";
      out.missing = rec.missing;
      break;
  }
  return out;
}
