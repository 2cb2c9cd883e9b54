/**
 * A private FRR instance in a namespace: bgpd, and zebra when routes must
 * reach the namespace's kernel FIB (ECMP via `maximum-paths`). Everything is
 * private: a `-N` pathspace of its own, config/pid/vty sockets/zserv socket in
 * a temp dir, no vty TCP port. vtysh talks to it with `--vty_socket <dir>`.
 *
 * zebra cannot skip its privilege drop (no -S) and checks that its user is in
 * the frrvty group, so it runs as user frr and the temp dir is handed to frr;
 * bgpd runs with -S (no privilege drop) as root.
 *
 *   const frr = await Frr.start(ns, { as: 64513, routerId, neighbors, networks }, { zebra: true });
 *   await frr.waitEstablished("198.18.0.1");
 */
import { execFileSync } from "node:child_process";
import { chownSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { type BgpDaemon, type BgpRoute, type Family, familyOf, type SessionState } from "./bgp-route.js";
import { cleanupRegistry } from "./cleanup-registry.js";
import { runCommand } from "./command.js";
import { type FrrConfig, frrBgpdConfig, frrZebraConfig } from "./frr-config.js";
import { frrPrefixRoutes, frrSessionState, frrTablePrefixes } from "./frr-output.js";
import { parseJson, splitJsonStream } from "./json.js";
import { type Netns, pidAlive } from "./netns.js";
import { type ManagedProcess, startProcess, waitFor } from "./process.js";
import { makeTempDir } from "./temp-dir.js";

const frrBin = process.env.FRR_BIN ?? "/usr/lib/frr";
const frrRunDir = "/var/run/frr";
let pathspaceSeq = 0;
let sweptPathspaces = false;

export interface FrrStartOptions {
  readonly name?: string;
  /** Start zebra too, so BGP routes are installed into the namespace's kernel FIB. */
  readonly zebra?: boolean;
}

export class Frr implements BgpDaemon {
  readonly kind = "frr";
  readonly dir: string;
  /** The -N pathspace; FRR creates /var/run/frr/<pathspace>, removed at cleanup. */
  readonly pathspace: string;
  #zebra: ManagedProcess | undefined;
  #bgpd: ManagedProcess | undefined;
  #config: FrrConfig;

  private constructor(
    readonly ns: Netns,
    readonly name: string,
    config: FrrConfig,
    readonly withZebra: boolean,
  ) {
    this.#config = config;
    this.dir = makeTempDir(name);
    this.pathspace = `portlb-${process.pid}-${++pathspaceSeq}`;
    const runDir = join(frrRunDir, this.pathspace);
    cleanupRegistry.register({
      label: `FRR pathspace dir ${runDir}`,
      run: () => rm(runDir, { recursive: true, force: true }),
      runSync: () => rmSync(runDir, { recursive: true, force: true }),
    });
  }

  static async start(ns: Netns, config: FrrConfig, options: FrrStartOptions = {}): Promise<Frr> {
    sweepStalePathspaces();
    const frr = new Frr(ns, options.name ?? "frr", config, options.zebra === true);
    if (frr.withZebra) {
      const uid = Number(execFileSync("id", ["-u", "frr"]).toString().trim());
      const gid = Number(execFileSync("id", ["-g", "frr"]).toString().trim());
      chownSync(frr.dir, uid, gid);
    }
    await frr.#launch();
    return frr;
  }

  get config(): FrrConfig {
    return this.#config;
  }

  async #launch(): Promise<void> {
    const common = ["-N", this.pathspace, "--vty_socket", this.dir, "-P", "0", "--log", "stdout"];
    const zserv = join(this.dir, "zserv.api");
    if (this.withZebra && this.#zebra?.running !== true) {
      writeFileSync(join(this.dir, "zebra.conf"), frrZebraConfig(this.name));
      const zebra = startProcess({
        name: `${this.name}-zebra`,
        command: join(frrBin, "zebra"),
        args: [
          ...common,
          "-u",
          "frr",
          "-g",
          "frr",
          "-f",
          join(this.dir, "zebra.conf"),
          "-i",
          join(this.dir, "zebra.pid"),
          "-z",
          zserv,
        ],
        logDir: this.dir,
        netns: this.ns.name,
      });
      this.#zebra = zebra;
      await waitFor(`${this.name} zebra vty`, () => this.vtysh(["show version"], "zebra").then(() => true), {
        processes: [zebra],
        timeoutMs: 10_000,
      });
    }
    const bgpdConf = join(this.dir, "bgpd.conf");
    writeFileSync(bgpdConf, frrBgpdConfig(this.#config, this.name, this.withZebra));
    const zebraArgs = this.withZebra ? ["-z", zserv] : ["-Z", "-n"];
    const bgpd = startProcess({
      name: `${this.name}-bgpd`,
      command: join(frrBin, "bgpd"),
      args: [
        ...common,
        "-S",
        "-u",
        "root",
        "-g",
        "root",
        "-f",
        bgpdConf,
        "-i",
        join(this.dir, "bgpd.pid"),
        ...zebraArgs,
      ],
      logDir: this.dir,
      netns: this.ns.name,
    });
    this.#bgpd = bgpd;
    await waitFor(`${this.name} bgpd vty`, () => this.vtysh(["show bgp summary json"]).then(() => true), {
      processes: this.#processes(),
      timeoutMs: 10_000,
    });
  }

  #processes(): ManagedProcess[] {
    return [this.#zebra, this.#bgpd].filter((p): p is ManagedProcess => p !== undefined);
  }

  /** `vtysh --vty_socket <dir> -d <daemon> -c cmd…`, one call for all commands. */
  async vtysh(commands: readonly string[], daemon: "bgpd" | "zebra" = "bgpd"): Promise<string> {
    const args = ["--vty_socket", this.dir, "-d", daemon, ...commands.flatMap((c) => ["-c", c])];
    const { stdout } = await runCommand("vtysh", args);
    if (/^% (Unknown command|Command incomplete|Ambiguous|Invalid)/m.test(stdout)) {
      throw new Error(`${this.name}: vtysh ${commands.join(" | ")}: ${stdout.trim()}`);
    }
    return stdout;
  }

  /** Runs config commands under `configure terminal` → `router bgp <as>` (→ address-family). */
  async configureBgp(lines: readonly string[], family?: Family): Promise<void> {
    const af = family === undefined ? [] : [`address-family ${family} unicast`];
    await this.vtysh(["configure terminal", `router bgp ${this.#config.as}`, ...af, ...lines]);
  }

  async sessionState(peer: string): Promise<SessionState> {
    return frrSessionState(
      parseJson(await this.vtysh([`show bgp neighbors ${peer} json`]), "frr neighbors"),
      peer,
    );
  }

  async waitEstablished(peer: string, timeoutMs = 20_000): Promise<void> {
    await waitFor(
      `${this.name}: BGP ${peer} Established`,
      async () => (await this.sessionState(peer)) === "Established",
      {
        timeoutMs,
        processes: this.#processes(),
        describe: () => this.vtysh([`show bgp neighbors ${peer}`]),
      },
    );
  }

  /** Every path of every prefix, with attributes (one vtysh call for the table, one for the details). */
  async routes(family?: Family): Promise<BgpRoute[]> {
    const out: BgpRoute[] = [];
    for (const f of family === undefined ? (["ipv4", "ipv6"] as const) : [family]) {
      const table = parseJson(await this.vtysh([`show bgp ${f} unicast json`]), "frr table");
      const prefixes = frrTablePrefixes(table);
      if (prefixes.length === 0) continue;
      const details = await this.vtysh(prefixes.map((p) => `show bgp ${f} unicast ${p} json`));
      for (const chunk of splitJsonStream(details))
        out.push(...frrPrefixRoutes(parseJson(chunk, "frr prefix"), f));
    }
    return out;
  }

  /** Originate a prefix now (`network`). */
  async announce(prefix: string): Promise<void> {
    await this.configureBgp([`network ${prefix}`], familyOf(prefix));
  }

  async withdraw(prefix: string): Promise<void> {
    await this.configureBgp([`no network ${prefix}`], familyOf(prefix));
  }

  /** `neighbor X shutdown [message M]`: Cease/Administrative Shutdown (RFC 9003 message). */
  async shutdownNeighbor(peer: string, message?: string): Promise<void> {
    await this.configureBgp([
      `neighbor ${peer} shutdown${message === undefined ? "" : ` message ${message}`}`,
    ]);
  }

  async enableNeighbor(peer: string): Promise<void> {
    await this.configureBgp([`no neighbor ${peer} shutdown`]);
  }

  /** `clear bgp <afi> unicast <peer> soft in`: sends ROUTE-REFRESH. */
  async clearSoftIn(peer: string, family: Family = familyOf(peer)): Promise<void> {
    await this.vtysh([`clear bgp ${family} unicast ${peer} soft in`]);
  }

  async stop(): Promise<void> {
    await this.#bgpd?.stop();
    await this.#zebra?.stop();
  }

  /** Stops bgpd and starts it again (zebra, if any, keeps running). */
  async restart(): Promise<void> {
    await this.#bgpd?.stop();
    await this.#launch();
  }

  logs(): string {
    return this.#processes()
      .map((p) => p.logs())
      .join("\n");
  }
}

/** Removes /var/run/frr/portlb-<pid>-* left by processes that no longer exist. */
function sweepStalePathspaces(): void {
  if (sweptPathspaces) return;
  sweptPathspaces = true;
  let entries: string[] = [];
  try {
    entries = readdirSync(frrRunDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(/^portlb-(\d+)-/.exec(entry)?.[1] ?? Number.NaN);
    if (!Number.isNaN(pid) && pid !== process.pid && !pidAlive(pid)) {
      rmSync(join(frrRunDir, entry), { recursive: true, force: true });
    }
  }
}
