/**
 * `ts-rr routes [prefix]` as a table, one line per path, prefix shown once
 * per group (like `gobgp global rib`):
 *
 *        PREFIX           NEXT HOP     PEER        ORIGINATOR  CLUSTER LIST  LOCPRF  AS PATH  ID
 *     *> 203.0.113.10/32  198.18.0.11  198.19.0.1  198.19.0.1  -             100     -        0
 *     *=                  198.18.0.12  198.19.0.2  198.19.0.2  -             100     -        0
 *
 * Flags: `*>` best, `*=` in the multipath (ECMP) set, `* ` other candidate;
 * `S` marks a stale path kept for a restarting peer (RFC 4724). Pure.
 */
import type { PathView, PrefixView } from "../admin/admin-views.js";
import { renderTable } from "./table.js";

export function pathFlags(p: PathView): string {
  return `*${p.best ? ">" : p.multipath ? "=" : " "}${p.stale ? "S" : ""}`;
}

export function formatRouteTable(prefixes: readonly PrefixView[]): string {
  if (prefixes.length === 0) return "no routes";
  const rows: string[][] = [];
  for (const { prefix, paths } of prefixes) {
    paths.forEach((p, i) => {
      rows.push([
        pathFlags(p),
        i === 0 ? prefix : "",
        p.nextHop ?? "-",
        p.peer,
        p.originatorId ?? "-",
        p.clusterList.length === 0 ? "-" : p.clusterList.join(" "),
        p.localPref === null ? "-" : String(p.localPref),
        p.asPath.length === 0 ? "-" : p.asPath.join(" "),
        String(p.pathId),
      ]);
    });
  }
  const paths = rows.length;
  const summary = `${prefixes.length} prefix${prefixes.length === 1 ? "" : "es"}, ${paths} path${paths === 1 ? "" : "s"}`;
  return `${renderTable(["", "PREFIX", "NEXT HOP", "PEER", "ORIGINATOR", "CLUSTER LIST", "LOCPRF", "AS PATH", "ID"], rows)}\n${summary}`;
}
