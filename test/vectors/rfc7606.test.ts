/**
 * RFC 7606 classification table: one row per kind of malformation, with the
 * action the decoder must take (and the NOTIFICATION subcode for resets,
 * whose data must be the offending attribute, RFC 4271 §6.3).
 */
import { describe, expect, it } from "vitest";
import {
  type CodecContext,
  decodeUpdate,
  defaultContext,
  type ErrorAction,
  makeContext,
  UpdateMessageSubcode as S,
  UpdateMessageError,
} from "../../packages/bgp/src/wire/index.js";
import {
  AS_PATH_65001,
  AS_PATH_65001_4,
  attr,
  MANDATORY,
  NEXT_HOP,
  NLRI_1,
  ORIGIN_IGP,
  rawUpdate,
  update,
} from "./update-kit.js";

const ctx4 = makeContext({ fourOctetAs: true });
const GLOBAL = "20010db8000000000000000000000001";
const MP_OK = attr(0x80, 14, `0002 01 10 ${GLOBAL} 00 30 20010db80001`);

type Row = {
  readonly name: string;
  readonly frame: Uint8Array;
  readonly ctx?: CodecContext;
  readonly action: ErrorAction | "none";
  /** Type code the issue is about. */
  readonly type?: number;
  readonly subcode?: number;
  /** For resets: the NOTIFICATION data, as hex. */
  readonly data?: string;
};

/** An UPDATE with the mandatory attributes, `extra` after them, and one IPv4 prefix. */
const withAttr = (extra: string, base = MANDATORY): Uint8Array =>
  update({ attrs: base + extra, nlri: NLRI_1 });
const replacing = (bad: string, keep: string): Uint8Array => update({ attrs: bad + keep, nlri: NLRI_1 });

const TAW = "treat-as-withdraw" as const;
const DISCARD = "attribute-discard" as const;
const DISABLE = "afi-safi-disable" as const;
const RESET = "session-reset" as const;

const rows: Row[] = [
  // §7.1 ORIGIN
  {
    name: "ORIGIN length 0",
    frame: replacing(attr(0x40, 1, ""), AS_PATH_65001 + NEXT_HOP),
    action: TAW,
    type: 1,
    subcode: S.AttributeLengthError,
  },
  {
    name: "ORIGIN length 2",
    frame: replacing(attr(0x40, 1, "0000"), AS_PATH_65001 + NEXT_HOP),
    action: TAW,
    type: 1,
  },
  {
    name: "ORIGIN value 3",
    frame: replacing(attr(0x40, 1, "03"), AS_PATH_65001 + NEXT_HOP),
    action: TAW,
    type: 1,
    subcode: S.InvalidOriginAttribute,
  },
  {
    name: "ORIGIN marked optional",
    frame: replacing(attr(0xc0, 1, "00"), AS_PATH_65001 + NEXT_HOP),
    action: TAW,
    type: 1,
    subcode: S.AttributeFlagsError,
  },
  // §7.2 AS_PATH
  {
    name: "AS_PATH segment type 9",
    frame: replacing(ORIGIN_IGP + attr(0x40, 2, "0901fde9"), NEXT_HOP),
    action: TAW,
    type: 2,
    subcode: S.MalformedAsPath,
  },
  {
    name: "AS_PATH segment length 0",
    frame: replacing(ORIGIN_IGP + attr(0x40, 2, "0200"), NEXT_HOP),
    action: TAW,
    type: 2,
  },
  {
    name: "AS_PATH segment overrun",
    frame: replacing(ORIGIN_IGP + attr(0x40, 2, "0202fde9"), NEXT_HOP),
    action: TAW,
    type: 2,
  },
  {
    name: "AS_PATH one octet underrun",
    frame: replacing(ORIGIN_IGP + attr(0x40, 2, "0201fde902"), NEXT_HOP),
    action: TAW,
    type: 2,
  },
  {
    name: "AS_PATH with AS 0 (RFC 7607)",
    frame: replacing(ORIGIN_IGP + attr(0x40, 2, "02010000"), NEXT_HOP),
    action: TAW,
    type: 2,
  },
  {
    name: "AS_PATH 2-octet on a 4-octet session",
    frame: withAttr("", ORIGIN_IGP + AS_PATH_65001 + NEXT_HOP),
    ctx: ctx4,
    action: TAW,
    type: 2,
  },
  // §7.3 NEXT_HOP
  {
    name: "NEXT_HOP length 3",
    frame: replacing(ORIGIN_IGP + AS_PATH_65001 + attr(0x40, 3, "c61200"), ""),
    action: TAW,
    type: 3,
  },
  {
    name: "NEXT_HOP length 16",
    frame: replacing(ORIGIN_IGP + AS_PATH_65001 + attr(0x40, 3, GLOBAL), ""),
    action: TAW,
    type: 3,
  },
  // §7.4, §7.5
  { name: "MULTI_EXIT_DISC length 3", frame: withAttr(attr(0x80, 4, "000001")), action: TAW, type: 4 },
  {
    name: "MULTI_EXIT_DISC marked transitive",
    frame: withAttr(attr(0xc0, 4, "00000001")),
    action: TAW,
    type: 4,
    subcode: S.AttributeFlagsError,
  },
  { name: "LOCAL_PREF length 2", frame: withAttr(attr(0x40, 5, "0064")), action: TAW, type: 5 },
  // §7.6, §7.7
  { name: "ATOMIC_AGGREGATE length 1", frame: withAttr(attr(0x40, 6, "00")), action: DISCARD, type: 6 },
  { name: "ATOMIC_AGGREGATE marked optional", frame: withAttr(attr(0x80, 6, "")), action: DISCARD, type: 6 },
  { name: "AGGREGATOR length 5", frame: withAttr(attr(0xc0, 7, "fde9c61200")), action: DISCARD, type: 7 },
  {
    name: "AGGREGATOR length 8 on a 2-octet session",
    frame: withAttr(attr(0xc0, 7, "0000fde9c6120001")),
    action: DISCARD,
    type: 7,
  },
  {
    name: "AGGREGATOR length 6 on a 4-octet session",
    frame: withAttr(attr(0xc0, 7, "fde9c6120001"), ORIGIN_IGP + AS_PATH_65001_4 + NEXT_HOP),
    ctx: ctx4,
    action: DISCARD,
    type: 7,
  },
  { name: "AGGREGATOR with AS 0", frame: withAttr(attr(0xc0, 7, "0000c6120001")), action: DISCARD, type: 7 },
  // §7.8 - §7.10, §7.14, RFC 8092
  { name: "COMMUNITIES length 0", frame: withAttr(attr(0xc0, 8, "")), action: TAW, type: 8 },
  { name: "COMMUNITIES length 6", frame: withAttr(attr(0xc0, 8, "fde90001fde9")), action: TAW, type: 8 },
  { name: "ORIGINATOR_ID length 0", frame: withAttr(attr(0x80, 9, "")), action: TAW, type: 9 },
  { name: "CLUSTER_LIST length 7", frame: withAttr(attr(0x80, 10, "c6120064c61200")), action: TAW, type: 10 },
  {
    name: "EXTENDED_COMMUNITIES length 9",
    frame: withAttr(attr(0xc0, 16, "0002fde90000000100")),
    action: TAW,
    type: 16,
  },
  {
    name: "LARGE_COMMUNITY length 11",
    frame: withAttr(attr(0xc0, 32, "0000000100000002000000")),
    action: TAW,
    type: 32,
  },
  // RFC 6793 §6, §4.1
  {
    name: "AS4_PATH with a confederation segment",
    frame: withAttr(attr(0xc0, 17, "0401fa56ea01")),
    action: DISCARD,
    type: 17,
  },
  {
    name: "AS4_PATH segment overrun",
    frame: withAttr(attr(0xc0, 17, "0202fa56ea01")),
    action: DISCARD,
    type: 17,
  },
  {
    name: "AS4_PATH on a 4-octet session",
    frame: withAttr(attr(0xc0, 17, "0201fa56ea01"), ORIGIN_IGP + AS_PATH_65001_4 + NEXT_HOP),
    ctx: ctx4,
    action: DISCARD,
    type: 17,
  },
  {
    name: "AS4_AGGREGATOR length 6",
    frame: withAttr(attr(0xc0, 18, "fde9c6120001")),
    action: DISCARD,
    type: 18,
  },
  // §7.11 MP_REACH_NLRI / MP_UNREACH_NLRI
  {
    name: "MP_REACH_NLRI next-hop length 12 for IPv6",
    frame: update({ attrs: attr(0x80, 14, `0002 01 0c ${GLOBAL.slice(8)} 00`) + ORIGIN_IGP + AS_PATH_65001 }),
    action: DISABLE,
    type: 14,
  },
  {
    name: "MP_REACH_NLRI prefix length 129",
    frame: update({
      attrs: attr(0x80, 14, `0002 01 10 ${GLOBAL} 00 81 ${GLOBAL}`) + ORIGIN_IGP + AS_PATH_65001,
    }),
    action: DISABLE,
    type: 14,
  },
  {
    name: "MP_REACH_NLRI marked transitive",
    frame: update({ attrs: attr(0xc0, 14, `0002 01 10 ${GLOBAL} 00`) }),
    action: DISABLE,
    type: 14,
  },
  {
    name: "MP_REACH_NLRI of an unsupported family",
    frame: update({ attrs: attr(0x80, 14, "0019 46 04 c6120001 00") }),
    action: DISABLE,
    type: 14,
  },
  {
    name: "MP_REACH_NLRI shorter than AFI/SAFI",
    frame: update({ attrs: attr(0x80, 14, "0002") }),
    action: RESET,
    subcode: S.OptionalAttributeError,
    data: "800e020002",
  },
  {
    name: "MP_UNREACH_NLRI prefix running past it",
    frame: update({ attrs: attr(0x80, 15, "0002 01 40 20010db8") }),
    action: DISABLE,
    type: 15,
  },
  {
    name: "MP_UNREACH_NLRI of 1 octet",
    frame: update({ attrs: attr(0x80, 15, "00") }),
    action: RESET,
    subcode: S.OptionalAttributeError,
    data: "800f0100",
  },
  {
    name: "MP_REACH_NLRI twice",
    frame: update({ attrs: MP_OK + MP_OK + ORIGIN_IGP + AS_PATH_65001 }),
    action: RESET,
    subcode: S.MalformedAttributeList,
  },
  {
    name: "MP_REACH_NLRI overrunning the attribute field",
    frame: update({ attrs: `${ORIGIN_IGP}800e30000201` }),
    action: RESET,
    subcode: S.AttributeLengthError,
    data: "800e30000201",
  },
  // §3
  {
    name: "a repeated ORIGIN",
    frame: withAttr(attr(0x40, 1, "02")),
    action: DISCARD,
    type: 1,
    subcode: S.MalformedAttributeList,
  },
  {
    name: "a missing ORIGIN",
    frame: replacing(AS_PATH_65001, NEXT_HOP),
    action: TAW,
    type: 1,
    subcode: S.MissingWellKnownAttribute,
  },
  {
    name: "a missing AS_PATH with only MP NLRI",
    frame: update({ attrs: MP_OK + ORIGIN_IGP }),
    action: TAW,
    type: 2,
    subcode: S.MissingWellKnownAttribute,
  },
  {
    name: "a missing NEXT_HOP",
    frame: replacing(ORIGIN_IGP, AS_PATH_65001),
    action: TAW,
    type: 3,
    subcode: S.MissingWellKnownAttribute,
  },
  {
    name: "an unrecognized well-known attribute",
    frame: withAttr(attr(0x40, 77, "aa")),
    action: RESET,
    subcode: S.UnrecognizedWellKnownAttribute,
    data: "404d01aa",
  },
  { name: "an unknown optional attribute", frame: withAttr(attr(0x80, 77, "aa")), action: "none" },
  { name: "Extended Length on a 1-octet value", frame: withAttr(attr(0xd0, 8, "fde90001")), action: "none" },
  // §4 attribute lengths
  {
    name: "an attribute overrunning the attribute field",
    frame: withAttr("c00810fde90001"),
    action: TAW,
    subcode: S.MalformedAttributeList,
  },
  { name: "two octets left for an attribute header", frame: withAttr("c008"), action: TAW },
  // §5.3 and RFC 4271 §6.3 message structure
  {
    name: "Withdrawn Routes Length overrun",
    frame: rawUpdate("0010 18cb0071 0000"),
    action: RESET,
    subcode: S.MalformedAttributeList,
    data: "",
  },
  {
    name: "Withdrawn Routes Length leaving 1 octet",
    frame: rawUpdate("0001 18 00"),
    action: RESET,
    subcode: S.MalformedAttributeList,
  },
  {
    name: "Total Path Attribute Length overrun",
    frame: rawUpdate("0000 0020 40010100"),
    action: RESET,
    subcode: S.MalformedAttributeList,
    data: "",
  },
  {
    name: "withdrawn prefix length 33",
    frame: update({ withdrawn: "21cb00710000" }),
    action: RESET,
    subcode: S.InvalidNetworkField,
  },
  {
    name: "NLRI prefix running past the message",
    frame: update({ attrs: MANDATORY, nlri: "18cb00" }),
    action: RESET,
    subcode: S.InvalidNetworkField,
  },
];

describe("RFC 7606 error classification", () => {
  it.each(rows)("$name -> $action", (row) => {
    const ctx = row.ctx ?? defaultContext;
    if (row.action === RESET) {
      let thrown: unknown;
      try {
        decodeUpdate(row.frame, ctx);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(UpdateMessageError);
      const err = thrown as UpdateMessageError;
      expect(err.errorCode).toBe(3);
      if (row.subcode !== undefined) expect(err.subcode).toBe(row.subcode);
      if (row.data !== undefined) expect(Buffer.from(err.data).toString("hex")).toBe(row.data);
      return;
    }
    const m = decodeUpdate(row.frame, ctx);
    if (row.action === "none") {
      expect(m.issues).toEqual([]);
      return;
    }
    expect(m.issues).toContainEqual(
      expect.objectContaining({
        action: row.action,
        ...(row.type === undefined ? {} : { attrType: row.type }),
        ...(row.subcode === undefined ? {} : { subcode: row.subcode }),
      }),
    );
    expect(m.treatAsWithdraw).toBe(row.action === TAW ? true : undefined);
    expect(m.rawAttributes).toBeUndefined();
    if (row.action === DISABLE) {
      const issue = m.issues!.find((i) => i.action === DISABLE)!;
      expect(issue.afi).toBeGreaterThan(0);
      expect(issue.safi).toBeGreaterThan(0);
    }
  });
});
