/**
 * `ts-rr neighbors` as a table:
 *
 *     NEIGHBOR      AS     RANGE    STATE        UP/DOWN   RCVD  SENT  UPD IN/OUT  GROUP  LAST ERROR
 *     198.18.0.254  65001  -        Established  00:12:03     0     1  3/5         1      -
 *     198.19.0.7    65001  lb-pods  Established  00:11:59     1     0  2/4         2      received Cease/Administrative Shutdown (6/2) "bye"
 *
 * GROUP is the update group: neighbors with the same number share one
 * encoding of every UPDATE.
 *
 * Pure: NeighborView[] in, text out.
 */
import type { LastErrorView, NeighborView, NotificationView } from "../admin/admin-views.js";
import { formatDuration, renderTable } from "./table.js";

function notification(direction: string, n: NotificationView): string {
  const text = `${direction} ${n.name} (${n.code}/${n.subcode})`;
  return n.communication === null ? text : `${text} ${JSON.stringify(n.communication)}`;
}

/** "received Cease/Administrative Shutdown (6/2)", or the FSM event when no NOTIFICATION was involved. */
export function formatLastError(e: LastErrorView | null): string {
  if (e === null) return "-";
  if (e.received !== null) return notification("received", e.received);
  if (e.sent !== null) return notification("sent", e.sent);
  return e.event;
}

function formatAsn(asn: number | readonly number[]): string {
  return typeof asn === "number" ? String(asn) : asn.join(",");
}

export function formatNeighborTable(neighbors: readonly NeighborView[]): string {
  if (neighbors.length === 0) return "no neighbors";
  return renderTable(
    ["NEIGHBOR", "AS", "RANGE", "STATE", "UP/DOWN", "RCVD", "SENT", "UPD IN/OUT", "GROUP", "LAST ERROR"],
    neighbors.map((n) => [
      n.address,
      formatAsn(n.asn),
      n.range ?? "-",
      n.state,
      formatDuration(n.secondsInState),
      String(n.prefixesReceived),
      String(n.prefixesAdvertised),
      `${n.updatesReceived}/${n.updatesSent}`,
      n.updateGroup === null ? "-" : String(n.updateGroup),
      formatLastError(n.lastError),
    ]),
  );
}
