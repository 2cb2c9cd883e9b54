/**
 * Parser of `ipvsadm -L -n --thresholds --nosort`, and the merge of its
 * facts into the table parsed from `ipvsadm-save -n`.
 *
 * Why a second read: `ipvsadm-save` omits two things the planner needs:
 *   - the upper/lower connection thresholds (`-x`/`-y`) of real servers;
 *   - the kernel's order of real servers (save sorts them). The mh and sh
 *     schedulers build their lookup table from that order.
 * The listing gives both:
 *
 *     IP Virtual Server version 1.2.1 (size=4096)
 *     Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn
 *       -> RemoteAddress:Port
 *     TCP  203.0.113.10:80 mh (mh-port)
 *       -> 198.18.0.12:80               100        10         0          0
 *       -> 198.18.0.11:80               0          0          0          0
 *     FWM  43 IPv6 lc persistent 60 mask 64
 *       -> [2001:db8::11]:0             0          0          0          0
 *
 * With --nosort the real servers come in the kernel's list order, which is
 * the REVERSE of the order they were added in (the kernel inserts at the
 * head: measured on Linux 6.1). `mergeListing` turns that into addition order.
 */
import { canonicalAddress } from "./ip-address.js";
import { IpvsError, IpvsErrorCode } from "./ipvs-error.js";
import { splitHostPort } from "./ipvsadm-save-parser.js";
import { type IpvsTable, realServerId, type ServiceKey, serviceId, serviceSpec } from "./types.js";

export interface ListedServer {
  readonly id: string;
  readonly upperThreshold: number;
  readonly lowerThreshold: number;
}

/** Service id -> its real servers in the kernel's list order. */
export type Listing = ReadonlyMap<string, readonly ListedServer[]>;

const protocols: Readonly<Record<string, "tcp" | "udp" | "sctp">> = { TCP: "tcp", UDP: "udp", SCTP: "sctp" };

export function parseIpvsadmThresholdListing(text: string): Listing {
  const listing = new Map<string, ListedServer[]>();
  let current: ListedServer[] | null = null;
  text.split("\n").forEach((line, index) => {
    const lineNo = index + 1;
    const bad = (why: string): IpvsError =>
      new IpvsError(IpvsErrorCode.ParseError, `ipvsadm -L line ${lineNo}: ${why}: ${line}`, { line: lineNo });
    if (line.trim() === "" || line.startsWith("IP Virtual Server") || line.startsWith("Prot ")) return;
    if (/^\s+-> RemoteAddress/.test(line)) return;
    const dest = /^\s+->\s+(\S+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s*$/.exec(line);
    if (dest) {
      if (current === null) throw bad("real server before any service");
      const hp = splitHostPort(dest[1] ?? "");
      if (hp === null) throw bad("bad real server address");
      let id: string;
      try {
        id = realServerId({ address: canonicalAddress(hp.address).text, port: hp.port });
      } catch (error) {
        throw new IpvsError(IpvsErrorCode.ParseError, `ipvsadm -L line ${lineNo}: ${String(error)}`, {
          line: lineNo,
          cause: error,
        });
      }
      current.push({ id, upperThreshold: Number(dest[2]), lowerThreshold: Number(dest[3]) });
      return;
    }
    let key: ServiceKey;
    const fwm = /^FWM\s+(\d+)(\s+IPv6)?\s/.exec(`${line} `);
    const svc = /^(TCP|UDP|SCTP)\s+(\S+)\s/.exec(`${line} `);
    if (fwm) key = { kind: "fwmark", family: fwm[2] ? "inet6" : "inet", fwmark: Number(fwm[1]) };
    else if (svc) {
      const hp = splitHostPort(svc[2] ?? "");
      if (hp === null) throw bad("bad service address");
      key = { kind: "address", protocol: protocols[svc[1] ?? ""] ?? "tcp", ...hp };
    } else throw bad("not a service or real server line");
    let id: string;
    try {
      id = serviceId(serviceSpec({ key }).key);
    } catch (error) {
      throw new IpvsError(IpvsErrorCode.ParseError, `ipvsadm -L line ${lineNo}: ${String(error)}`, {
        line: lineNo,
        cause: error,
      });
    }
    current = [];
    listing.set(id, current);
  });
  return listing;
}

/**
 * Puts thresholds and addition order from the listing into the saved table.
 * The two reads are separate processes, so the table may have changed in
 * between: any disagreement on which services / real servers exist is an
 * `ERR_IPVS_INCONSISTENT_READ` (the caller reads again).
 */
export function mergeListing(table: IpvsTable, listing: Listing): IpvsTable {
  const inconsistent = (why: string): IpvsError =>
    new IpvsError(IpvsErrorCode.InconsistentRead, `ipvsadm-save and ipvsadm -L disagree: ${why}`);
  if (listing.size !== table.services.length) throw inconsistent("different number of services");
  return {
    services: table.services.map((service) => {
      const id = serviceId(service.key);
      const listed = listing.get(id);
      if (listed === undefined) throw inconsistent(`service ${id} missing from the listing`);
      if (listed.length !== service.realServers.length) throw inconsistent(`real servers of ${id} differ`);
      const saved = new Map(service.realServers.map((s) => [realServerId(s), s]));
      const realServers = [...listed].reverse().map((entry) => {
        const server = saved.get(entry.id);
        if (server === undefined)
          throw inconsistent(`real server ${entry.id} of ${id} missing from the save`);
        return { ...server, upperThreshold: entry.upperThreshold, lowerThreshold: entry.lowerThreshold };
      });
      return { ...service, realServers };
    }),
  };
}
