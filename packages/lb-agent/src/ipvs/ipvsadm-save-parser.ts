/**
 * Parser of `ipvsadm-save -n` (= `ipvsadm --save --numeric`) output.
 *
 * The format, checked against ipvsadm 1.31 on Linux 6.1 (see the golden
 * vectors in the test): one rule per line, each a valid `ipvsadm --restore`
 * input line. A service line, then its real servers, sorted:
 *
 *     -A -t 203.0.113.10:80 -s mh -b mh-fallback,mh-port
 *     -a -t 203.0.113.10:80 -r 198.18.0.11:8080 -m -w 3
 *     -A -u 203.0.113.11:53 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port
 *     -A -u 203.0.113.20:53 -s rr -o
 *     -A -t 203.0.113.13:0 -s lc -p 5 --pe sip
 *     -A --sctp-service 203.0.113.12:9 -s wlc
 *     -A -f 43 -6 -s lc -p 60 -M 64
 *     -a -f 43 -6 -r [2001:db8::11]:0 -m -w 2
 *     -a -t [2001:db8::10]:443 -r [2001:db8::14]:443 -i -w 1 --tun-type gue --tun-port 5555 --tun-remcsum
 *
 * What it does NOT contain: the upper/lower thresholds (`-x`/`-y`) and the
 * kernel's order of real servers (they come out sorted). Both come from
 * `ipvsadm -L -n --thresholds --nosort` (ipvsadm-list-parser.ts). Real
 * servers parsed here get thresholds 0 and the printed order.
 *
 * Long option spellings are accepted too, so a hand-written restore file
 * parses as well. Anything unknown is an `ERR_IPVS_PARSE` naming the line.
 */
import { ipv4NetmaskToPrefix } from "./ip-address.js";
import { IpvsError, IpvsErrorCode } from "./ipvs-error.js";
import {
  type ForwardingMethod,
  type IpvsProtocol,
  type IpvsTable,
  type RealServer,
  type RealServerInput,
  realServer,
  type ServiceKey,
  type ServiceSpec,
  serviceId,
  serviceSpec,
  type TunnelOptions,
  type VirtualServiceInput,
} from "./types.js";

/** Long spellings -> the short ones ipvsadm-save prints. */
const aliases: Readonly<Record<string, string>> = {
  "--add-service": "-A",
  "--add-server": "-a",
  "--tcp-service": "-t",
  "--udp-service": "-u",
  "--fwmark-service": "-f",
  "--ipv6": "-6",
  "--scheduler": "-s",
  "--persistent": "-p",
  "--netmask": "-M",
  "--sched-flags": "-b",
  "--ops": "-o",
  "--real-server": "-r",
  "--masquerading": "-m",
  "--ipip": "-i",
  "--gatewaying": "-g",
  "--weight": "-w",
  "--u-threshold": "-x",
  "--l-threshold": "-y",
};

const protocolOption: Readonly<Record<string, IpvsProtocol>> = {
  "-t": "tcp",
  "-u": "udp",
  "--sctp-service": "sctp",
};
const forwardingOption: Readonly<Record<string, ForwardingMethod>> = {
  "-m": "masq",
  "-i": "tunnel",
  "-g": "route",
};

/** Splits `203.0.113.10:80` / `[2001:db8::1]:80` / `[2001:db8::1]` into address and port. */
export function splitHostPort(text: string): { address: string; port: number } | null {
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(text);
  if (v6) return { address: v6[1] ?? "", port: Number(v6[2] ?? 0) };
  const v4 = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(text);
  if (v4) return { address: v4[1] ?? "", port: Number(v4[2] ?? 0) };
  return null;
}

interface ParsedLine {
  readonly command: "-A" | "-a";
  readonly key: ServiceKey;
  readonly service: Omit<VirtualServiceInput, "key" | "realServers">;
  readonly server: RealServerInput | null;
}

function parseLine(line: string, lineNo: number): ParsedLine {
  const bad = (why: string): IpvsError =>
    new IpvsError(IpvsErrorCode.ParseError, `ipvsadm-save line ${lineNo}: ${why}: ${line}`, { line: lineNo });
  const tokens = line
    .trim()
    .split(/\s+/)
    .map((t) => aliases[t] ?? t);
  if (tokens[0] === "ipvsadm") tokens.shift(); // restore files may start lines with "ipvsadm"
  const command = tokens.shift();
  if (command !== "-A" && command !== "-a") throw bad("expected -A or -a");

  let protocol: IpvsProtocol | null = null;
  let hostPort: string | null = null;
  let fwmark: number | null = null;
  let ipv6 = false;
  let scheduler: string | undefined;
  let flags: string[] = [];
  let timeout: number | null = null;
  let netmask: string | null = null;
  let pe: string | null = null;
  let onePacket = false;
  let server: string | null = null;
  let forwarding: ForwardingMethod | null = null;
  let weight: number | undefined;
  let upper: number | undefined;
  let lower: number | undefined;
  const tunnel: { type?: TunnelOptions["type"]; port?: number; checksum?: TunnelOptions["checksum"] } = {};

  const value = (option: string): string => {
    const v = tokens.shift();
    if (v === undefined) throw bad(`${option} needs a value`);
    return v;
  };
  const integer = (option: string): number => {
    const v = value(option);
    if (!/^\d+$/.test(v)) throw bad(`${option} needs a number, got "${v}"`);
    return Number(v);
  };

  while (tokens.length > 0) {
    const option = tokens.shift() ?? "";
    const proto = protocolOption[option];
    const fwd = forwardingOption[option];
    if (proto !== undefined) {
      protocol = proto;
      hostPort = value(option);
    } else if (fwd !== undefined) {
      forwarding = fwd;
    } else if (option === "-f") fwmark = integer(option);
    else if (option === "-6") ipv6 = true;
    else if (option === "-s") scheduler = value(option);
    else if (option === "-b") flags = value(option).split(",").filter(Boolean);
    else if (option === "-p") {
      // optional in restore input (ipvsadm 1.31 then uses 360 s); ipvsadm-save always prints it
      timeout = /^\d+$/.test(tokens[0] ?? "") ? integer(option) : 360;
    } else if (option === "-M") netmask = value(option);
    else if (option === "--pe") pe = value(option);
    else if (option === "-o") onePacket = true;
    else if (option === "-r") server = value(option);
    else if (option === "-w") weight = integer(option);
    else if (option === "-x") upper = integer(option);
    else if (option === "-y") lower = integer(option);
    else if (option === "--tun-type") {
      const t = value(option);
      if (t !== "ipip" && t !== "gue" && t !== "gre") throw bad(`unknown tunnel type "${t}"`);
      tunnel.type = t;
    } else if (option === "--tun-port") tunnel.port = integer(option);
    else if (option === "--tun-nocsum") tunnel.checksum = "nocsum";
    else if (option === "--tun-csum") tunnel.checksum = "csum";
    else if (option === "--tun-remcsum") tunnel.checksum = "remcsum";
    else throw bad(`unknown option "${option}"`);
  }

  let key: ServiceKey;
  if (fwmark !== null) {
    key = { kind: "fwmark", family: ipv6 ? "inet6" : "inet", fwmark };
  } else if (protocol !== null && hostPort !== null) {
    const hp = splitHostPort(hostPort);
    if (hp === null) throw bad(`bad service address "${hostPort}"`);
    key = { kind: "address", protocol, address: hp.address, port: hp.port };
  } else {
    throw bad("no -t, -u, --sctp-service or -f");
  }

  let netmaskPrefix: number | undefined;
  if (netmask !== null) {
    const prefix = /^\d+$/.test(netmask) ? Number(netmask) : ipv4NetmaskToPrefix(netmask);
    if (prefix === null) throw bad(`bad netmask "${netmask}"`);
    netmaskPrefix = prefix;
  }
  const service: Omit<VirtualServiceInput, "key" | "realServers"> = {
    ...(scheduler === undefined ? {} : { scheduler }),
    schedulerFlags: flags,
    persistence:
      timeout === null
        ? null
        : { timeoutSeconds: timeout, ...(netmaskPrefix === undefined ? {} : { netmaskPrefix }) },
    persistenceEngine: pe,
    onePacket,
  };

  if (command === "-A") return { command, key, service, server: null };
  if (server === null) throw bad("-a without -r");
  const hp = splitHostPort(server);
  if (hp === null) throw bad(`bad real server address "${server}"`);
  // ipvsadm: a real server without a port takes the service's port
  const port = server.includes("]:") || (!server.startsWith("[") && server.includes(":")) ? hp.port : null;
  return {
    command,
    key,
    service,
    server: {
      address: hp.address,
      port: port ?? (key.kind === "address" ? key.port : 0),
      forwarding: forwarding ?? "route", // -g is ipvsadm's default
      ...(weight === undefined ? {} : { weight }),
      ...(upper === undefined ? {} : { upperThreshold: upper }),
      ...(lower === undefined ? {} : { lowerThreshold: lower }),
      tunnel,
    },
  };
}

/** Parses `ipvsadm-save -n` text into a table. Throws `IpvsError` (ERR_IPVS_PARSE, naming the line). */
export function parseIpvsadmSave(text: string): IpvsTable {
  const services: { spec: ServiceSpec; servers: RealServer[] }[] = [];
  const byId = new Map<string, (typeof services)[number]>();
  text.split("\n").forEach((raw, index) => {
    const lineNo = index + 1;
    if (raw.trim() === "") return;
    const bad = (why: string, cause?: unknown): IpvsError =>
      new IpvsError(IpvsErrorCode.ParseError, `ipvsadm-save line ${lineNo}: ${why}`, { line: lineNo, cause });
    try {
      const parsed = parseLine(raw, lineNo);
      const spec = serviceSpec({ key: parsed.key, ...parsed.service });
      const id = serviceId(spec.key);
      if (parsed.command === "-A") {
        if (byId.has(id)) throw bad(`service ${id} twice`);
        const entry = { spec, servers: [] };
        services.push(entry);
        byId.set(id, entry);
        return;
      }
      const entry = byId.get(id);
      if (entry === undefined || parsed.server === null) throw bad(`real server of unknown service ${id}`);
      entry.servers.push(realServer(parsed.server));
    } catch (error) {
      if (error instanceof IpvsError && error.code === IpvsErrorCode.ParseError) throw error;
      throw bad(error instanceof Error ? error.message : String(error), error);
    }
  });
  return { services: services.map(({ spec, servers }) => ({ ...spec, realServers: servers })) };
}
