import { describe, expect, it } from "vitest";
import { decodeMessage } from "./codec.js";
import { ErrorCode, MessageType, RouteRefreshSubcode } from "./constants.js";
import { RouteRefreshMessageError } from "./errors.js";
import { decodeRouteRefresh, encodeRouteRefresh } from "./route-refresh.js";

function frame(body: readonly number[]): Uint8Array {
  const length = 19 + body.length;
  return Uint8Array.from([...new Array<number>(16).fill(0xff), length >>> 8, length & 0xff, 5, ...body]);
}

function lengthError(bytes: Uint8Array, decode: (b: Uint8Array) => unknown = decodeRouteRefresh): void {
  const original = bytes.slice();
  let err: unknown;
  try {
    decode(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(RouteRefreshMessageError);
  const e = err as RouteRefreshMessageError;
  expect(e.errorCode).toBe(ErrorCode.RouteRefresh);
  expect(e.subcode).toBe(RouteRefreshSubcode.InvalidMessageLength);
  expect(e.code).toBe("ERR_BGP_ROUTE_REFRESH_LENGTH");
  // RFC 7313 §5: "The Data field ... MUST contain the complete ROUTE-REFRESH message."
  expect([...e.data]).toEqual([...original]);
  // ... as a copy that outlives the receive buffer.
  bytes.fill(0);
  expect([...e.data]).toEqual([...original]);
}

describe("decodeRouteRefresh", () => {
  it("reads AFI, subtype and SAFI", () => {
    expect(decodeRouteRefresh(frame([0, 2, 1, 1]))).toEqual({
      type: MessageType.RouteRefresh,
      afi: 2,
      safi: 1,
      subtype: 1,
    });
  });

  for (const subtype of [0, 1, 2]) {
    it(`subtype ${subtype} longer than 23 octets -> 7/1 with the whole message as data`, () => {
      lengthError(frame([0, 1, subtype, 1, 0]));
      lengthError(frame([0, 1, subtype, 1, 0, 0, 0, 0, 0]));
    });
  }

  it("a frame under 23 octets -> 7/1 with the whole message as data", () => {
    lengthError(frame([0, 1, 0]));
  });

  it("through decodeMessage too", () => {
    lengthError(frame([0, 1, 2, 1, 0]), (b) => decodeMessage(b));
  });

  it("an undefined subtype decodes with its number, whatever its length, so the session can ignore it (RFC 7313 §5)", () => {
    expect(decodeRouteRefresh(frame([0, 1, 3, 1])).subtype).toBe(3);
    expect(decodeRouteRefresh(frame([0, 1, 255, 1, 0xaa, 0xbb]))).toEqual({
      type: MessageType.RouteRefresh,
      afi: 1,
      safi: 1,
      subtype: 255,
    });
  });
});

describe("encodeRouteRefresh", () => {
  it("range-checks AFI, SAFI and subtype", () => {
    const ok = { type: MessageType.RouteRefresh, afi: 1, safi: 1, subtype: 0 } as const;
    expect(() => encodeRouteRefresh({ ...ok, afi: 65536 })).toThrow(RangeError);
    expect(() => encodeRouteRefresh({ ...ok, safi: 256 })).toThrow(RangeError);
    expect(() => encodeRouteRefresh({ ...ok, subtype: -1 })).toThrow(RangeError);
    expect([...encodeRouteRefresh({ ...ok, afi: 65535, safi: 255, subtype: 255 }).subarray(16)]).toEqual([
      0, 23, 5, 255, 255, 255, 255,
    ]);
  });
});
