import { describe, expect, it } from "vitest";
import {
  CeaseSubcode,
  ErrorCode,
  FsmSubcode,
  MessageHeaderSubcode,
  MessageType,
  OpenMessageSubcode,
  RouteRefreshSubcode,
  UpdateMessageSubcode,
} from "./constants.js";
import {
  badMessageLength,
  MessageHeaderError,
  openError,
  routeRefreshLengthError,
  SessionError,
  updateError,
} from "./errors.js";
import type { NotificationMessage } from "./messages.js";
import {
  decodeNotification,
  describeNotification,
  encodeNotification,
  notificationOf,
  truncateShutdownCommunication,
} from "./notification.js";

function frame(body: readonly number[]): Uint8Array {
  const length = 19 + body.length;
  return Uint8Array.from([...new Array<number>(16).fill(0xff), length >>> 8, length & 0xff, 3, ...body]);
}

const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];

function notification(
  code: number,
  subcode: number,
  extra: Partial<NotificationMessage> = {},
): NotificationMessage {
  return { type: MessageType.Notification, code, subcode, data: new Uint8Array(0), ...extra };
}

describe("decodeNotification", () => {
  it("a frame under 21 octets -> Message Header Error / Bad Message Length, data = the length", () => {
    let err: unknown;
    try {
      decodeNotification(frame([6]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MessageHeaderError);
    expect((err as MessageHeaderError).subcode).toBe(MessageHeaderSubcode.BadMessageLength);
    expect([...(err as MessageHeaderError).data]).toEqual([0, 20]);
  });

  it("copies the data out of the frame", () => {
    const bytes = frame([3, 11, 0xaa]);
    const msg = decodeNotification(bytes);
    bytes[21] = 0;
    expect([...msg.data]).toEqual([0xaa]);
  });

  describe("RFC 9003 shutdown communication: set only when valid", () => {
    const text = (code: number, subcode: number, data: number[]): string | undefined =>
      decodeNotification(frame([code, subcode, ...data])).shutdownCommunication;

    it("valid UTF-8 of the stated length, for Administrative Shutdown and Reset", () => {
      expect(text(6, CeaseSubcode.AdministrativeShutdown, [2, ...utf8("ok")])).toBe("ok");
      expect(text(6, CeaseSubcode.AdministrativeReset, [4, ...utf8("€!")])).toBe("€!");
    });

    it("255 octets, the RFC 9003 maximum", () => {
      expect(text(6, 2, [255, ...utf8("x".repeat(255))])).toBe("x".repeat(255));
    });

    it("keeps a leading byte order mark as text, so encode gives the same octets", () => {
      const data = [3, 0xef, 0xbb, 0xbf];
      const msg = decodeNotification(frame([6, 2, ...data]));
      expect(msg.shutdownCommunication).toBe("\uFEFF");
      expect([...encodeNotification(msg).subarray(21)]).toEqual(data);
    });

    const invalid: [string, number, number, number[]][] = [
      ["Length past the data", 6, 2, [5, ...utf8("abc")]],
      ["Length short of the data", 6, 2, [1, ...utf8("ab")]],
      ["a truncated multi-octet sequence", 6, 2, [2, 0xe2, 0x80]],
      ["an overlong encoding (not shortest form)", 6, 2, [2, 0xc0, 0xaf]],
      ["an encoded surrogate", 6, 4, [3, 0xed, 0xa0, 0x80]],
      ["another Cease subcode (Peer De-configured)", 6, CeaseSubcode.PeerDeconfigured, [2, ...utf8("ok")]],
      ["another error code", 2, 2, [2, ...utf8("ok")]],
    ];
    for (const [name, code, subcode, data] of invalid) {
      it(`not for ${name}; the data stays raw`, () => {
        const msg = decodeNotification(frame([code, subcode, ...data]));
        expect(msg).not.toHaveProperty("shutdownCommunication");
        expect([...msg.data]).toEqual(data);
      });
    }
  });
});

describe("encodeNotification", () => {
  it("writes the shutdown communication instead of data", () => {
    const bytes = encodeNotification(
      notification(6, 2, { data: Uint8Array.of(9, 9, 9), shutdownCommunication: "zurück" }),
    );
    expect([...bytes.subarray(19)]).toEqual([6, 2, 7, ...utf8("zurück")]);
  });

  it("rejects a shutdown communication over 255 octets of UTF-8 with a RangeError", () => {
    expect(() => encodeNotification(notification(6, 2, { shutdownCommunication: "x".repeat(256) }))).toThrow(
      RangeError,
    );
    // 128 two-octet characters: 128 characters but 256 octets.
    expect(() => encodeNotification(notification(6, 4, { shutdownCommunication: "é".repeat(128) }))).toThrow(
      RangeError,
    );
    expect(encodeNotification(notification(6, 2, { shutdownCommunication: "x".repeat(255) })).length).toBe(
      21 + 256,
    );
  });

  it("rejects a shutdown communication on any other code/subcode", () => {
    expect(() => encodeNotification(notification(6, 3, { shutdownCommunication: "x" }))).toThrow(RangeError);
    expect(() => encodeNotification(notification(2, 2, { shutdownCommunication: "x" }))).toThrow(RangeError);
  });

  it("range-checks code, subcode and total length", () => {
    expect(() => encodeNotification(notification(256, 0))).toThrow(RangeError);
    expect(() => encodeNotification(notification(6, -1))).toThrow(RangeError);
    expect(() => encodeNotification(notification(3, 1, { data: new Uint8Array(4076) }))).toThrow(RangeError);
    expect(encodeNotification(notification(3, 1, { data: new Uint8Array(4075) })).length).toBe(4096);
  });
});

describe("truncateShutdownCommunication", () => {
  const octets = (s: string): number => new TextEncoder().encode(s).length;

  it("leaves a text of at most 255 octets alone", () => {
    expect(truncateShutdownCommunication("")).toBe("");
    expect(truncateShutdownCommunication("x".repeat(255))).toBe("x".repeat(255));
  });

  const long: [string, string, number][] = [
    ["ASCII", "x".repeat(300), 255],
    ["2-octet characters", "é".repeat(200), 254],
    ["3-octet characters after one ASCII", `a${"€".repeat(100)}`, 253],
    ["4-octet characters (surrogate pairs in JS)", "🛠".repeat(70), 252],
  ];
  for (const [name, text, expected] of long) {
    it(`cuts ${name} at a code point boundary`, () => {
      const cut = truncateShutdownCommunication(text);
      expect(octets(cut)).toBe(expected);
      expect(text.startsWith(cut)).toBe(true);
      expect(cut).not.toMatch(/\uFFFD/);
      expect(() => encodeNotification(notification(6, 2, { shutdownCommunication: cut }))).not.toThrow();
    });
  }
});

describe("notificationOf", () => {
  it("carries code, subcode and data of every error class", () => {
    const rr = Uint8Array.from([...new Array<number>(16).fill(0xff), 0, 24, 5, 0, 1, 1, 1, 0]);
    const cases = [
      [badMessageLength(4097), ErrorCode.MessageHeader, MessageHeaderSubcode.BadMessageLength, [0x10, 0x01]],
      [
        openError(OpenMessageSubcode.UnsupportedCapability, "ERR_X", "x", Uint8Array.of(69, 0)),
        ErrorCode.OpenMessage,
        OpenMessageSubcode.UnsupportedCapability,
        [69, 0],
      ],
      [
        updateError(UpdateMessageSubcode.MalformedAsPath, "ERR_Y", "y"),
        ErrorCode.UpdateMessage,
        UpdateMessageSubcode.MalformedAsPath,
        [],
      ],
      [
        routeRefreshLengthError(rr),
        ErrorCode.RouteRefresh,
        RouteRefreshSubcode.InvalidMessageLength,
        [...rr],
      ],
      [
        new SessionError(ErrorCode.Cease, "ERR_Z", CeaseSubcode.OutOfResources, "z"),
        ErrorCode.Cease,
        CeaseSubcode.OutOfResources,
        [],
      ],
    ] as const;
    for (const [err, code, subcode, data] of cases) {
      const msg = notificationOf(err);
      expect(msg).toEqual({ type: MessageType.Notification, code, subcode, data: Uint8Array.from(data) });
      expect(decodeNotification(encodeNotification(msg))).toEqual(msg);
    }
  });
});

describe("describeNotification", () => {
  const named: [number, number, string][] = [
    [6, 2, "Cease/Administrative Shutdown"],
    [3, 11, "UPDATE Message Error/Malformed AS_PATH"],
    [1, 1, "Message Header Error/Connection Not Synchronized"],
    [2, 7, "OPEN Message Error/Unsupported Capability"],
    [2, 0, "OPEN Message Error/Unspecific"],
    [2, 5, "OPEN Message Error/Authentication Failure (deprecated)"],
    [3, 7, "UPDATE Message Error/AS Routing Loop (deprecated)"],
    [4, 0, "Hold Timer Expired"],
    [5, 0, "Finite State Machine Error/Unspecified Error"],
    [5, 1, "Finite State Machine Error/Receive Unexpected Message in OpenSent State"],
    [6, 0, "Cease"],
    [6, 9, "Cease/Hard Reset"],
    [7, 1, "ROUTE-REFRESH Message Error/Invalid Message Length"],
    [6, 42, "Cease/subcode 42"],
    [4, 1, "Hold Timer Expired/subcode 1"],
    [9, 1, "code 9/subcode 1"],
  ];
  for (const [code, subcode, name] of named) {
    it(`${code}/${subcode} -> ${name}`, () => expect(describeNotification(code, subcode)).toBe(name));
  }

  it("names every subcode constants.ts defines", () => {
    const families = [
      [ErrorCode.MessageHeader, MessageHeaderSubcode],
      [ErrorCode.OpenMessage, OpenMessageSubcode],
      [ErrorCode.UpdateMessage, UpdateMessageSubcode],
      [ErrorCode.FiniteStateMachine, FsmSubcode],
      [ErrorCode.Cease, CeaseSubcode],
      [ErrorCode.RouteRefresh, RouteRefreshSubcode],
    ] as const;
    for (const [code, subcodes] of families) {
      for (const subcode of Object.values(subcodes)) {
        expect(describeNotification(code, subcode)).toMatch(/^[A-Z][^/]*\/[A-Z]/);
      }
    }
  });
});
