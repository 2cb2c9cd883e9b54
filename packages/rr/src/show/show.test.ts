/**
 * The CLI's tables (pure): column alignment, durations, last-error text
 * with RFC names, route flags and grouping by prefix, empty tables, and the
 * --admin address parser.
 */
import { describe, expect, it } from "vitest";
import type { NeighborView, PathView } from "../admin/admin-views.js";
import { parseAdminUrl } from "./admin-client.js";
import { formatLastError, formatNeighborTable } from "./neighbor-table.js";
import { formatRouteTable, pathFlags } from "./route-table.js";
import { formatDuration, renderTable } from "./table.js";

const neighbor: NeighborView = {
  address: "198.18.0.254",
  asn: 65001,
  range: null,
  state: "Established",
  since: "2024-01-01T00:00:00.000Z",
  secondsInState: 3723,
  prefixesReceived: 0,
  prefixesAdvertised: 3,
  updatesReceived: 2,
  updatesSent: 5,
  updateGroup: 1,
  lastError: null,
};

const path: PathView = {
  best: true,
  multipath: true,
  stale: false,
  peer: "198.19.0.1",
  pathId: 1,
  nextHop: "198.18.0.11",
  asPath: [],
  localPref: 100,
  med: null,
  communities: [],
  originatorId: "198.19.0.1",
  clusterList: ["198.18.0.1"],
};

describe("CLI tables", () => {
  it("pads columns to the widest cell, with no trailing spaces", () => {
    expect(
      renderTable(
        ["A", "BB", "C"],
        [
          ["xxx", "y", "z"],
          ["x", "", ""],
        ],
      ),
    ).toBe("A    BB  C\nxxx  y   z\nx");
  });

  it("formats durations like gobgp", () => {
    expect(formatDuration(0)).toBe("00:00:00");
    expect(formatDuration(3723)).toBe("01:02:03");
    expect(formatDuration(2 * 86_400 + 59)).toBe("2d 00:00:59");
    expect(formatDuration(null)).toBe("never");
  });

  it("shows neighbors with state, up/down time, prefixes, updates and the last error by RFC name", () => {
    const dynamic: NeighborView = {
      ...neighbor,
      address: "198.19.0.7",
      range: "lb-pods",
      state: "Idle",
      secondsInState: 5,
      prefixesReceived: 1,
      prefixesAdvertised: 0,
      updateGroup: null,
      lastError: {
        event: "NotifMsg",
        sent: null,
        received: { code: 6, subcode: 2, name: "Cease/Administrative Shutdown", communication: "bye" },
      },
    };
    expect(formatNeighborTable([neighbor, dynamic]).split("\n")).toEqual([
      "NEIGHBOR      AS     RANGE    STATE        UP/DOWN   RCVD  SENT  UPD IN/OUT  GROUP  LAST ERROR",
      "198.18.0.254  65001  -        Established  01:02:03  0     3     2/5         1      -",
      '198.19.0.7    65001  lb-pods  Idle         00:00:05  1     0     2/5         -      received Cease/Administrative Shutdown (6/2) "bye"',
    ]);
    expect(formatNeighborTable([])).toBe("no neighbors");
  });

  it("describes the last error from either side, or the FSM event without a NOTIFICATION", () => {
    const holdExpired = { code: 4, subcode: 0, name: "Hold Timer Expired", communication: null };
    expect(formatLastError({ event: "HoldTimerExpires", sent: holdExpired, received: null })).toBe(
      "sent Hold Timer Expired (4/0)",
    );
    expect(formatLastError({ event: "TcpConnectionFails", sent: null, received: null })).toBe(
      "TcpConnectionFails",
    );
    expect(formatLastError(null)).toBe("-");
    expect(formatNeighborTable([{ ...neighbor, asn: [65001, 65002] }])).toContain("65001,65002");
  });

  it("shows every path of a prefix with next hop, originator and cluster list, prefix once", () => {
    const second: PathView = {
      ...path,
      best: false,
      peer: "198.19.0.2",
      pathId: 2,
      nextHop: "198.18.0.12",
      originatorId: "198.19.0.2",
    };
    const stale: PathView = { ...path, best: false, multipath: false, stale: true, asPath: [65002, 65003] };
    const out = formatRouteTable([
      { prefix: "203.0.113.10/32", paths: [path, second] },
      {
        prefix: "203.0.113.20/32",
        paths: [{ ...stale, clusterList: [], originatorId: null, localPref: null }],
      },
    ]);
    expect(out.split("\n")).toEqual([
      "     PREFIX           NEXT HOP     PEER        ORIGINATOR  CLUSTER LIST  LOCPRF  AS PATH      ID",
      "*>   203.0.113.10/32  198.18.0.11  198.19.0.1  198.19.0.1  198.18.0.1    100     -            1",
      "*=                    198.18.0.12  198.19.0.2  198.19.0.2  198.18.0.1    100     -            2",
      "* S  203.0.113.20/32  198.18.0.11  198.19.0.1  -           -             -       65002 65003  1",
      "2 prefixes, 3 paths",
    ]);
    expect(pathFlags({ ...path, stale: true })).toBe("*>S");
    expect(formatRouteTable([])).toBe("no routes");
  });

  it("parses --admin as http://host:port, host:port, unix:/path or a socket path", () => {
    expect(parseAdminUrl("http://127.0.0.1:50179")).toEqual({ kind: "tcp", host: "127.0.0.1", port: 50179 });
    expect(parseAdminUrl("http://[::1]:50179/")).toEqual({ kind: "tcp", host: "::1", port: 50179 });
    expect(parseAdminUrl("127.0.0.1:1")).toEqual({ kind: "tcp", host: "127.0.0.1", port: 1 });
    expect(parseAdminUrl("unix:/run/ts-rr.sock")).toEqual({ kind: "unix", path: "/run/ts-rr.sock" });
    expect(parseAdminUrl("/run/ts-rr.sock")).toEqual({ kind: "unix", path: "/run/ts-rr.sock" });
    expect(() => parseAdminUrl("http://localhost:50179")).toThrow(/--admin/);
  });
});
