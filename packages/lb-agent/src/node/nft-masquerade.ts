/**
 * The nftables masquerade rule of masquerading (`-m`) virtual services: a
 * flow that IPVS forwarded to a real server leaves the LB pod with the pod's
 * address as source, so the reply comes back through this pod (where IPVS
 * un-NATs it) instead of going straight to the client from an overlay
 * address the client never talked to. Requires `net.ipv4.vs.conntrack=1`:
 * with it, IPVS flows have conntrack entries whose ORIGINAL direction still
 * names the VIP, which is what the rule matches.
 *
 * Everything lives in one dedicated table, `inet portlb`, so nothing else in
 * the namespace is touched. Each change is one `nft -f -` transaction that
 * creates the table if missing, deletes it and defines it afresh, so it is
 * atomic and idempotent:
 *
 *     table inet portlb {}
 *     delete table inet portlb
 *     table inet portlb {
 *       set vips4 { type ipv4_addr; elements = { 203.0.113.10 } }
 *       set vips6 { type ipv6_addr; }
 *       chain postrouting {
 *         type nat hook postrouting priority srcnat; policy accept;
 *         ct direction original ct original ip daddr @vips4 masquerade
 *         ct direction original ct original ip6 daddr @vips6 masquerade
 *       }
 *     }
 */
import { canonicalAddress, compareAddresses } from "../ipvs/ip-address.js";
import type { NodeError } from "./node-error.js";
import type { CommandRunner } from "./run-command.js";

export const portlbNftTable = "portlb";

/** The whole `nft -f` input for these VIPs; the table is removed when there are none. */
export function renderMasqueradeRuleset(vips: readonly string[], table = portlbNftTable): string {
  const remove = `table inet ${table} {}\ndelete table inet ${table}\n`;
  if (vips.length === 0) return remove;
  const sorted = [...new Set(vips.map((v) => canonicalAddress(v).text))].sort(compareAddresses);
  const set = (name: string, type: string, members: string[]): string =>
    members.length === 0
      ? `  set ${name} { type ${type}; }\n`
      : `  set ${name} { type ${type}; elements = { ${members.join(", ")} } }\n`;
  return (
    remove +
    `table inet ${table} {\n` +
    set(
      "vips4",
      "ipv4_addr",
      sorted.filter((v) => !v.includes(":")),
    ) +
    set(
      "vips6",
      "ipv6_addr",
      sorted.filter((v) => v.includes(":")),
    ) +
    "  chain postrouting {\n" +
    "    type nat hook postrouting priority srcnat; policy accept;\n" +
    "    ct direction original ct original ip daddr @vips4 masquerade\n" +
    "    ct direction original ct original ip6 daddr @vips6 masquerade\n" +
    "  }\n" +
    "}\n"
  );
}

export interface NftMasqueradeOptions {
  readonly run: CommandRunner;
  /** argv prefix of `nft` (default ["nft"]; tests: ["ip", "netns", "exec", ns, "nft"]). */
  readonly nft?: readonly string[];
  readonly table?: string;
}

export class NftMasquerade {
  readonly #run: CommandRunner;
  readonly #nft: readonly string[];
  readonly #table: string;
  /** The ruleset last loaded successfully (skip identical reloads). */
  #loaded: string | undefined;

  constructor(options: NftMasqueradeOptions) {
    this.#run = options.run;
    this.#nft = options.nft ?? ["nft"];
    this.#table = options.table ?? portlbNftTable;
  }

  /** Loads the rule for these VIPs (removes the table when empty). Returns whether nft ran. */
  async sync(vips: readonly string[]): Promise<boolean | NodeError> {
    const ruleset = renderMasqueradeRuleset(vips, this.#table);
    if (ruleset === this.#loaded) return false;
    const result = await this.#run([...this.#nft, "-f", "-"], ruleset);
    if (!result.ok) {
      this.#loaded = undefined;
      return result.error;
    }
    this.#loaded = ruleset;
    return true;
  }

  /** Removes the table (idempotent, also when it does not exist). */
  async remove(): Promise<NodeError | null> {
    this.#loaded = undefined;
    const result = await this.#run([...this.#nft, "-f", "-"], renderMasqueradeRuleset([], this.#table));
    return result.ok ? null : result.error;
  }
}
