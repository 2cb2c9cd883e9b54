/**
 * Real sessions between BIRD, FRR, GoBGP and ExaBGP (test/captures/
 * make-captures.sh) decoded end to end: pcap -> TCP reassembly -> framing ->
 * decodeMessage with the context the two OPENs negotiated. Every message
 * must decode, and the fields below must agree with tshark's own dissection
 * of the same file, run at test time.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BgpMessage, Capability } from "@portlb/bgp";
import {
  AttrType,
  capabilityCode,
  formatIpv4,
  formatIpv6Words,
  MessageType,
  type NlriList,
  nlriToEntries,
  parseIpv6,
} from "@portlb/bgp";
import { describe, expect, it } from "vitest";
import type { DecodeRecord, MessageRecord } from "../../packages/bgp/src/cli/decode-records.js";
import { decodeCapture } from "../../packages/bgp/src/cli/decode-records.js";
import { formatEndpoint } from "../../packages/bgp/src/cli/format.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "captures");
const pcaps = readdirSync(dir)
  .filter((f) => f.endsWith(".pcap") || f.endsWith(".pcapng"))
  .sort();

// --- one normalised summary per message, built from either side ------------------

interface Summary {
  type: number;
  open?: { version: number; myAs: number; holdTime: number; bgpId: string; capabilities: number[] };
  update?: {
    withdrawn: string[];
    nlri: string[];
    origin?: number;
    asPath?: number[][];
    nextHop?: string;
    med?: number;
    localPref?: number;
    communities?: number[];
    largeCommunities?: string[];
    mpReach?: { afi: number; safi: number; nextHop: string; linkLocal?: string; nlri: string[] };
    mpUnreach?: { afi: number; safi: number; nlri: string[] };
  };
  notification?: { code: number; subcode: number; communication?: string };
  refresh?: { afi: number; safi: number; subtype: number };
}

/** Addresses compared by value: "::ffff:c612:3" and "::ffff:198.18.0.3" are one address. */
function addr(text: string): string {
  if (!text.includes(":")) return text;
  const w = parseIpv6(text);
  return formatIpv6Words(w[0]!, w[1]!, w[2]!, w[3]!);
}

function ourPrefixes(list: NlriList): string[] {
  return nlriToEntries(list).map(
    (e) => `${addr(e.prefix.split("/")[0]!)}/${e.prefix.split("/")[1]}${list.addPath ? `#${e.pathId}` : ""}`,
  );
}

function capCode(c: Capability): number {
  return c.kind === "unknown" ? c.code : capabilityCode(c);
}

function ours(msg: BgpMessage): Summary {
  switch (msg.type) {
    case MessageType.Open:
      return {
        type: msg.type,
        open: {
          version: msg.version,
          myAs: msg.myAs,
          holdTime: msg.holdTime,
          bgpId: msg.bgpId,
          capabilities: msg.capabilities.map(capCode).sort((a, b) => a - b),
        },
      };
    case MessageType.Update: {
      const a = msg.attributes;
      const u: NonNullable<Summary["update"]> = {
        withdrawn: ourPrefixes(msg.withdrawn),
        nlri: ourPrefixes(msg.nlri),
      };
      if (a.origin !== undefined) u.origin = a.origin;
      if (a.asPath !== undefined) u.asPath = a.asPath.map((s) => [s.type, ...s.asns]);
      if (a.nextHop !== undefined) u.nextHop = a.nextHop;
      if (a.med !== undefined) u.med = a.med;
      if (a.localPref !== undefined) u.localPref = a.localPref;
      if (a.communities !== undefined) u.communities = [...a.communities].sort((x, y) => x - y);
      if (a.largeCommunities !== undefined)
        u.largeCommunities = a.largeCommunities
          .map((c) => `${c.globalAdmin}:${c.localData1}:${c.localData2}`)
          .sort();
      if (msg.mpReach !== undefined) {
        const r = msg.mpReach;
        u.mpReach = { afi: r.afi, safi: r.safi, nextHop: addr(r.nextHop), nlri: ourPrefixes(r.nlri) };
        if (r.linkLocalNextHop !== undefined) u.mpReach.linkLocal = addr(r.linkLocalNextHop);
      }
      if (msg.mpUnreach !== undefined)
        u.mpUnreach = {
          afi: msg.mpUnreach.afi,
          safi: msg.mpUnreach.safi,
          nlri: ourPrefixes(msg.mpUnreach.nlri),
        };
      return { type: msg.type, update: u };
    }
    case MessageType.Notification: {
      const n: NonNullable<Summary["notification"]> = { code: msg.code, subcode: msg.subcode };
      if (msg.shutdownCommunication !== undefined) n.communication = msg.shutdownCommunication;
      return { type: msg.type, notification: n };
    }
    case MessageType.RouteRefresh:
      return { type: msg.type, refresh: { afi: msg.afi, safi: msg.safi, subtype: msg.subtype } };
    case MessageType.Keepalive:
      return { type: msg.type };
  }
}

// --- tshark's side -----------------------------------------------------------------

type Json = string | Json[] | { [k: string]: Json };

/** Every (key, leaf value) under `node`, in document order. */
function leaves(node: Json | undefined, out: [string, string][] = [], key = ""): [string, string][] {
  if (node === undefined) return out;
  if (typeof node === "string") out.push([key, node]);
  else if (Array.isArray(node)) for (const x of node) leaves(x, out, key);
  else for (const [k, v] of Object.entries(node)) leaves(v, out, k);
  return out;
}

function first(ls: [string, string][], key: string): string | undefined {
  return ls.find(([k]) => k === key)?.[1];
}

function all(ls: [string, string][], key: string): string[] {
  return ls.filter(([k]) => k === key).map(([, v]) => v);
}

function asArray(x: Json | undefined): Json[] {
  return x === undefined ? [] : Array.isArray(x) ? x : [x];
}

const prefixKeys = new Set([
  "bgp.nlri_prefix",
  "bgp.withdrawn_prefix",
  "bgp.mp_reach_nlri_ipv4_prefix",
  "bgp.mp_reach_nlri_ipv6_prefix",
  "bgp.mp_unreach_nlri_ipv4_prefix",
  "bgp.mp_unreach_nlri_ipv6_prefix",
]);

/** Prefixes of one NLRI subtree: each entry is path id?, length, prefix. */
function tsharkPrefixes(node: Json | undefined): string[] {
  const out: string[] = [];
  let length = "";
  let pathId: string | undefined;
  for (const [k, v] of leaves(node)) {
    if (k === "bgp.nlri_path_id") pathId = v;
    else if (k === "bgp.prefix_length") length = v;
    else if (prefixKeys.has(k)) {
      out.push(`${addr(v)}/${length}${pathId === undefined ? "" : `#${pathId}`}`);
      pathId = undefined;
    }
  }
  return out;
}

function attr(a: Json, suffix: string): string | undefined {
  return first(leaves(a), `bgp.update.path_attribute.${suffix}`);
}

function theirs(m: { [k: string]: Json }): Summary {
  const type = Number(m["bgp.type"]);
  const ls = leaves(m);
  switch (type) {
    case MessageType.Open:
      return {
        type,
        open: {
          version: Number(first(ls, "bgp.open.version")),
          myAs: Number(first(ls, "bgp.open.myas")),
          holdTime: Number(first(ls, "bgp.open.holdtime")),
          bgpId: first(ls, "bgp.open.identifier")!,
          capabilities: all(ls, "bgp.cap.type")
            .map(Number)
            .sort((a, b) => a - b),
        },
      };
    case MessageType.Update: {
      const u: NonNullable<Summary["update"]> = {
        withdrawn: tsharkPrefixes(m["bgp.update.withdrawn_routes"]),
        nlri: tsharkPrefixes(m["bgp.update.nlri"]),
      };
      const attrs = asArray(
        (m["bgp.update.path_attributes"] as { [k: string]: Json } | undefined)?.["bgp.update.path_attribute"],
      );
      for (const a of attrs) {
        const al = leaves(a);
        switch (Number(attr(a, "type_code"))) {
          case AttrType.Origin:
            u.origin = Number(attr(a, "origin"));
            break;
          case AttrType.AsPath: {
            const segments: number[][] = [];
            for (const [k, v] of al) {
              if (k === "bgp.update.path_attribute.as_path_segment.type") segments.push([Number(v)]);
              else if (
                k === "bgp.update.path_attribute.as_path_segment.as4" ||
                k === "bgp.update.path_attribute.as_path_segment.as2"
              )
                segments[segments.length - 1]!.push(Number(v));
            }
            u.asPath = segments;
            break;
          }
          case AttrType.NextHop:
            u.nextHop = attr(a, "next_hop")!;
            break;
          case AttrType.MultiExitDisc:
            u.med = Number(attr(a, "multi_exit_disc"));
            break;
          case AttrType.LocalPref:
            u.localPref = Number(attr(a, "local_pref"));
            break;
          case AttrType.Communities: {
            const values: number[] = all(al, "bgp.update.path_attribute.community_wellknown").map(
              (v) => Number(v) >>> 0,
            );
            const as = all(al, "bgp.update.path_attribute.community_as");
            const val = all(al, "bgp.update.path_attribute.community_value");
            for (const [i, x] of as.entries()) values.push(((Number(x) << 16) | Number(val[i])) >>> 0);
            u.communities = values.sort((x, y) => x - y);
            break;
          }
          case AttrType.LargeCommunity: {
            const ga = all(al, "bgp.large_communities.ga");
            const l1 = all(al, "bgp.large_communities.ldp1");
            const l2 = all(al, "bgp.large_communities.ldp2");
            u.largeCommunities = ga.map((g, i) => `${g}:${l1[i]}:${l2[i]}`).sort();
            break;
          }
          case AttrType.MpReachNlri: {
            const nh =
              attr(a, "mp_reach_nlri.next_hop.ipv6") ??
              attr(a, "mp_reach_nlri.next_hop.ipv4") ??
              "(no next hop)";
            const r: NonNullable<NonNullable<Summary["update"]>["mpReach"]> = {
              afi: Number(attr(a, "mp_reach_nlri.afi")),
              safi: Number(attr(a, "mp_reach_nlri.safi")),
              nextHop: addr(nh),
              nlri: tsharkPrefixes((a as { [k: string]: Json })["bgp.update.path_attribute.mp_reach_nlri"]),
            };
            const ll = attr(a, "mp_reach_nlri.next_hop.ipv6.link_local");
            if (ll !== undefined) r.linkLocal = addr(ll);
            u.mpReach = r;
            break;
          }
          case AttrType.MpUnreachNlri:
            u.mpUnreach = {
              afi: Number(attr(a, "mp_unreach_nlri.afi")),
              safi: Number(attr(a, "mp_unreach_nlri.safi")),
              nlri: tsharkPrefixes((a as { [k: string]: Json })["bgp.update.path_attribute.mp_unreach_nlri"]),
            };
            break;
        }
      }
      return { type, update: u };
    }
    case MessageType.Notification: {
      const minor = ls.find(([k]) => k.startsWith("bgp.notify.minor_error"))?.[1];
      const n: NonNullable<Summary["notification"]> = {
        code: Number(first(ls, "bgp.notify.major_error")),
        subcode: Number(minor),
      };
      const text = first(ls, "bgp.notify.communication");
      if (text !== undefined) n.communication = text;
      return { type, notification: n };
    }
    case MessageType.RouteRefresh:
      return {
        type,
        refresh: {
          afi: Number(first(ls, "bgp.route_refresh.afi")),
          safi: Number(first(ls, "bgp.route_refresh.safi")),
          subtype: Number(first(ls, "bgp.route_refresh.subtype") ?? 0),
        },
      };
    default:
      return { type };
  }
}

/** tshark's messages, grouped by flow "src > dst". */
function tsharkFlows(file: string): Map<string, Summary[]> {
  const out = execFileSync("tshark", ["-r", file, "-Y", "bgp", "-T", "json", "--no-duplicate-keys"], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const flows = new Map<string, Summary[]>();
  for (const packet of JSON.parse(out) as { _source: { layers: { [k: string]: Json } } }[]) {
    const l = packet._source.layers;
    const ip = (l.ip ?? l.ipv6) as { [k: string]: Json };
    const tcp = l.tcp as { [k: string]: Json };
    const src = (ip["ip.src"] ?? ip["ipv6.src"]) as string;
    const dst = (ip["ip.dst"] ?? ip["ipv6.dst"]) as string;
    const key = `${formatEndpoint({ address: src, port: Number(tcp["tcp.srcport"]) })} > ${formatEndpoint({ address: dst, port: Number(tcp["tcp.dstport"]) })}`;
    const list = flows.get(key) ?? [];
    for (const m of asArray(l.bgp)) list.push(theirs(m as { [k: string]: Json }));
    flows.set(key, list);
  }
  return flows;
}

function decodeFile(file: string): DecodeRecord[] {
  return [...decodeCapture(new Uint8Array(readFileSync(file)))];
}

function flowKey(r: DecodeRecord): string {
  return `${formatEndpoint(r.flow!.src)} > ${formatEndpoint(r.flow!.dst)}`;
}

// --- the tests -------------------------------------------------------------------

describe("real captures", () => {
  it("finds captures", () => {
    expect(pcaps.length).toBeGreaterThan(0);
  });

  describe.each(pcaps)("%s", (name) => {
    const file = join(dir, name);
    const records = decodeFile(file);

    it("decodes every message without an error", () => {
      const bad = records.filter((r) => r.kind !== "message");
      expect(bad).toEqual([]);
      expect(records.length).toBeGreaterThan(4);
    });

    it("agrees with tshark on every flow, message by message", () => {
      const expected = tsharkFlows(file);
      const actual = new Map<string, Summary[]>();
      for (const r of records) {
        if (r.kind !== "message") continue;
        const list = actual.get(flowKey(r)) ?? [];
        list.push(ours(r.message));
        actual.set(flowKey(r), list);
      }
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      const total = [...expected.values()].reduce((n, l) => n + l.length, 0);
      expect(total).toBe(records.length);
      for (const [key, list] of expected)
        expect({ flow: key, messages: actual.get(key) }).toEqual({ flow: key, messages: list });
    });
  });

  it("together hold what the issue asks for", () => {
    const messages: MessageRecord[] = pcaps
      .flatMap((n) => decodeFile(join(dir, n)))
      .filter((r) => r.kind === "message");
    const opens = messages.flatMap((r) => (r.message.type === MessageType.Open ? [r.message] : []));
    const updates = messages.flatMap((r) => (r.message.type === MessageType.Update ? [r.message] : []));
    // An OPEN from each daemon, recognised by the BGP identifiers make-captures.sh gives them.
    const ids = new Set(opens.map((o) => o.bgpId));
    const daemons = {
      bird: ["198.18.0.1", "198.18.0.7"],
      frr: ["198.18.0.2", "198.18.0.5"],
      gobgp: ["198.18.0.3", "198.18.0.6"],
      exabgp: ["198.18.0.4", "198.18.0.8"],
    };
    for (const [daemon, addresses] of Object.entries(daemons))
      expect(
        addresses.some((a) => ids.has(a)),
        `an OPEN from ${daemon}`,
      ).toBe(true);
    expect(opens.some((o) => o.capabilities.some((c) => c.kind === "four-octet-as" && c.asn > 0xffff))).toBe(
      true,
    );
    expect(messages.some((r) => r.message.type === MessageType.RouteRefresh)).toBe(true);
    expect(
      messages.some(
        (r) =>
          r.message.type === MessageType.Notification && (r.message.shutdownCommunication ?? "").length > 0,
      ),
    ).toBe(true);
    const isEor = (u: (typeof updates)[number]) =>
      u.withdrawn.count === 0 &&
      u.nlri.count === 0 &&
      u.mpReach === undefined &&
      Object.keys(u.attributes).length === 0;
    expect(
      updates.some((u) => isEor(u) && u.mpUnreach === undefined),
      "IPv4 End-of-RIB",
    ).toBe(true);
    expect(
      updates.some((u) => isEor(u) && u.mpUnreach?.nlri.count === 0),
      "MP End-of-RIB",
    ).toBe(true);
    expect(
      updates.some((u) => u.mpReach?.afi === 2 && u.mpReach.nlri.count > 0),
      "IPv6 MP_REACH",
    ).toBe(true);
    expect(
      updates.some((u) => (u.attributes.largeCommunities ?? []).length > 0),
      "LARGE_COMMUNITY",
    ).toBe(true);
    expect(
      updates.some((u) => u.withdrawn.count > 0),
      "IPv4 withdrawal",
    ).toBe(true);
    expect(
      updates.some((u) => (u.mpUnreach?.nlri.count ?? 0) > 0),
      "MP_UNREACH withdrawal",
    ).toBe(true);
    expect(
      updates.some((u) => u.attributes.localPref !== undefined),
      "LOCAL_PREF (iBGP)",
    ).toBe(true);
    expect(
      updates.some((u) => u.mpReach?.linkLocalNextHop !== undefined),
      "link-local next hop",
    ).toBe(true);
    expect(
      updates.some((u) => u.nlri.addPath && u.nlri.count > 0),
      "ADD-PATH NLRI",
    ).toBe(true);
    expect(messages.some((r) => r.message.type === MessageType.Keepalive)).toBe(true);
    expect(formatIpv4(0xc6120001)).toBe("198.18.0.1");
  });
});
