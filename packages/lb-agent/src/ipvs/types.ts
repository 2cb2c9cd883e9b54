/**
 * The IPVS table as plain data: virtual services and their real servers.
 *
 * A virtual service is keyed either by protocol + VIP + port or by firewall
 * mark (+ address family). Values are NORMALISED by the constructors below
 * (`virtualService`, `realServer`): canonical address text, sorted scheduler
 * flags, full-length netmask when none is given, tunnel options only for
 * tunnel forwarding. Both the parser (current state) and callers (desired
 * state) build values through them, so equal tables compare equal field by
 * field.
 *
 * Order of `realServers` in a table read from the kernel: the order in which
 * they were added (oldest first). The mh and sh schedulers build their
 * lookup table from that order, which is why plan.ts cares about it.
 */
import { type AddressFamily, canonicalAddress } from "./ip-address.js";
import { IpvsError, IpvsErrorCode } from "./ipvs-error.js";

export type { AddressFamily } from "./ip-address.js";

export type IpvsProtocol = "tcp" | "udp" | "sctp";

/** Schedulers portlb configures; the parser also accepts any other kernel scheduler name. */
export const SupportedScheduler = ["rr", "wrr", "lc", "wlc", "sh", "mh"] as const;
export type SupportedScheduler = (typeof SupportedScheduler)[number];
export type Scheduler = SupportedScheduler | (string & {});

/** `-b` flags: sh-/mh-fallback (flag-1) and sh-/mh-port (flag-2). */
export type SchedulerFlag = "sh-fallback" | "sh-port" | "mh-fallback" | "mh-port" | (string & {});

/** `-m` masquerading (NAT), `-i` tunneling, `-g` gatewaying (direct routing). */
export type ForwardingMethod = "masq" | "tunnel" | "route";

/** Tunnel encapsulation (`--tun-type`) and its options; only with `-i`. */
export interface TunnelOptions {
  readonly type: "ipip" | "gue" | "gre";
  /** `--tun-port`, the GUE destination port; 0 otherwise. */
  readonly port: number;
  /** `--tun-nocsum` (default) / `--tun-csum` / `--tun-remcsum`. */
  readonly checksum: "nocsum" | "csum" | "remcsum";
}

export type ServiceKey =
  | {
      readonly kind: "address";
      readonly protocol: IpvsProtocol;
      readonly address: string;
      readonly port: number;
    }
  | { readonly kind: "fwmark"; readonly family: AddressFamily; readonly fwmark: number };

/** `-p timeout` and `-M netmask` (as a prefix length; 32 / 128 = per client address). */
export interface Persistence {
  readonly timeoutSeconds: number;
  readonly netmaskPrefix: number;
}

export interface RealServer {
  readonly address: string;
  /** 0 for a fwmark service means "the destination port of the request". */
  readonly port: number;
  readonly forwarding: ForwardingMethod;
  readonly weight: number;
  /** `-x`: upper connection threshold, 0 = none. */
  readonly upperThreshold: number;
  /** `-y`: lower connection threshold, 0 = none. */
  readonly lowerThreshold: number;
  /** Set exactly when `forwarding` is "tunnel". */
  readonly tunnel: TunnelOptions | null;
}

/** A virtual service without its real servers: what `-A` / `-E` set. */
export interface ServiceSpec {
  readonly key: ServiceKey;
  readonly scheduler: Scheduler;
  /** Sorted, no duplicates. */
  readonly schedulerFlags: readonly SchedulerFlag[];
  readonly persistence: Persistence | null;
  /** `--pe` (e.g. "sip"), null for none. */
  readonly persistenceEngine: string | null;
  /** `-o`: one-packet scheduling (UDP only). */
  readonly onePacket: boolean;
}

export interface VirtualService extends ServiceSpec {
  readonly realServers: readonly RealServer[];
}

export interface IpvsTable {
  readonly services: readonly VirtualService[];
}

export const emptyTable: IpvsTable = { services: [] };

/** What callers give to `virtualService()`: everything but the key is optional. */
export interface VirtualServiceInput {
  readonly key: ServiceKey;
  readonly scheduler?: Scheduler;
  readonly schedulerFlags?: readonly SchedulerFlag[];
  readonly persistence?: { readonly timeoutSeconds: number; readonly netmaskPrefix?: number } | null;
  readonly persistenceEngine?: string | null;
  readonly onePacket?: boolean;
  readonly realServers?: readonly RealServerInput[];
}

export interface RealServerInput {
  readonly address: string;
  readonly port: number;
  readonly forwarding: ForwardingMethod;
  readonly weight?: number;
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
  readonly tunnel?: Partial<TunnelOptions> | null;
}

/** ipvsadm's default scheduler when `-s` is not given. */
export const defaultScheduler = "wlc";

function checkRange(what: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new IpvsError(
      IpvsErrorCode.InvalidValue,
      `${what} must be an integer in ${min}..${max}, got ${value}`,
    );
  }
  return value;
}

export function addressFamilyOf(key: ServiceKey): AddressFamily {
  return key.kind === "fwmark" ? key.family : canonicalAddress(key.address).family;
}

export function normalizeServiceKey(key: ServiceKey): ServiceKey {
  if (key.kind === "fwmark") {
    return { kind: "fwmark", family: key.family, fwmark: checkRange("fwmark", key.fwmark, 1, 0xffffffff) };
  }
  return {
    kind: "address",
    protocol: key.protocol,
    address: canonicalAddress(key.address).text,
    port: checkRange("service port", key.port, 0, 65535),
  };
}

/** A stable string identity of a service key, e.g. `tcp/203.0.113.10/80`, `fwmark/inet6/42`. */
export function serviceId(key: ServiceKey): string {
  return key.kind === "fwmark"
    ? `fwmark/${key.family}/${key.fwmark}`
    : `${key.protocol}/${key.address}/${key.port}`;
}

/** A stable string identity of a real server within its service: `address/port`. */
export function realServerId(server: { readonly address: string; readonly port: number }): string {
  return `${server.address}/${server.port}`;
}

export function realServer(input: RealServerInput): RealServer {
  const tunnel: TunnelOptions | null =
    input.forwarding === "tunnel"
      ? {
          type: input.tunnel?.type ?? "ipip",
          port: checkRange("tunnel port", input.tunnel?.port ?? 0, 0, 65535),
          checksum: input.tunnel?.checksum ?? "nocsum",
        }
      : null;
  const upperThreshold = checkRange("upper threshold", input.upperThreshold ?? 0, 0, 65535);
  const lowerThreshold = checkRange("lower threshold", input.lowerThreshold ?? 0, 0, 65535);
  if (lowerThreshold > upperThreshold) {
    // the kernel refuses it with ERANGE ("Numerical result out of range")
    throw new IpvsError(
      IpvsErrorCode.InvalidValue,
      `lower threshold ${lowerThreshold} is above upper threshold ${upperThreshold}`,
    );
  }
  return {
    address: canonicalAddress(input.address).text,
    port: checkRange("real server port", input.port, 0, 65535),
    forwarding: input.forwarding,
    weight: checkRange("weight", input.weight ?? 1, 0, 2147483647),
    upperThreshold,
    lowerThreshold,
    tunnel,
  };
}

export function serviceSpec(input: Omit<VirtualServiceInput, "realServers">): ServiceSpec {
  const key = normalizeServiceKey(input.key);
  const full = addressFamilyOf(key) === "inet" ? 32 : 128;
  const p = input.persistence ?? null;
  return {
    key,
    scheduler: input.scheduler ?? defaultScheduler,
    schedulerFlags: [...new Set(input.schedulerFlags ?? [])].sort(),
    persistence:
      p === null
        ? null
        : {
            timeoutSeconds: checkRange("persistence timeout", p.timeoutSeconds, 1, 0x7fffffff),
            netmaskPrefix: checkRange("persistence netmask", p.netmaskPrefix ?? full, 0, full),
          },
    persistenceEngine: input.persistenceEngine ?? null,
    onePacket: input.onePacket ?? false,
  };
}

export function virtualService(input: VirtualServiceInput): VirtualService {
  return { ...serviceSpec(input), realServers: (input.realServers ?? []).map(realServer) };
}

export function sameServiceSpec(a: ServiceSpec, b: ServiceSpec): boolean {
  return (
    serviceId(a.key) === serviceId(b.key) &&
    a.scheduler === b.scheduler &&
    a.schedulerFlags.join(",") === b.schedulerFlags.join(",") &&
    a.persistence?.timeoutSeconds === b.persistence?.timeoutSeconds &&
    a.persistence?.netmaskPrefix === b.persistence?.netmaskPrefix &&
    a.persistenceEngine === b.persistenceEngine &&
    a.onePacket === b.onePacket
  );
}

export function sameRealServer(a: RealServer, b: RealServer): boolean {
  return (
    a.address === b.address &&
    a.port === b.port &&
    a.forwarding === b.forwarding &&
    a.weight === b.weight &&
    a.upperThreshold === b.upperThreshold &&
    a.lowerThreshold === b.lowerThreshold &&
    a.tunnel?.type === b.tunnel?.type &&
    a.tunnel?.port === b.tunnel?.port &&
    a.tunnel?.checksum === b.tunnel?.checksum
  );
}

/** Strips the real servers off a service. */
export function specOf(service: ServiceSpec): ServiceSpec {
  const { key, scheduler, schedulerFlags, persistence, persistenceEngine, onePacket } = service;
  return { key, scheduler, schedulerFlags, persistence, persistenceEngine, onePacket };
}
