/**
 * A private BIRD 2 instance in a namespace: config, control socket and pid
 * file in its own temp dir; `birdc -s <sock>` for state, routes and actions.
 *
 *   const bird = await Bird.start(ns, { routerId, neighbors, kernel: { mergePaths: true } });
 *   await bird.waitEstablished("198.18.0.2");
 *   const routes = await bird.routes("ipv4");
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BgpDaemon, BgpRoute, Family, SessionState } from "./bgp-route.js";
import { type BirdConfig, birdConfig } from "./bird-config.js";
import { type BirdProtocol, birdSessionState, parseBirdProtocols, parseBirdRoutes } from "./bird-output.js";
import { runCommand } from "./command.js";
import type { Netns } from "./netns.js";
import { type ManagedProcess, startProcess, waitFor } from "./process.js";
import { makeTempDir } from "./temp-dir.js";

export interface BirdStartOptions {
  /** Name in logs and file names (default "bird"). */
  readonly name?: string;
}

export class Bird implements BgpDaemon {
  readonly kind = "bird";
  readonly dir: string;
  readonly socket: string;
  #process: ManagedProcess | undefined;
  #config: BirdConfig;

  private constructor(
    readonly ns: Netns,
    readonly name: string,
    config: BirdConfig,
  ) {
    this.dir = makeTempDir(name);
    this.socket = join(this.dir, "bird.ctl");
    this.#config = config;
  }

  /** Writes the config, starts `bird -f` in `ns` and waits for its control socket. */
  static async start(ns: Netns, config: BirdConfig, options: BirdStartOptions = {}): Promise<Bird> {
    const bird = new Bird(ns, options.name ?? "bird", config);
    await bird.#launch(false);
    return bird;
  }

  get config(): BirdConfig {
    return this.#config;
  }

  get process(): ManagedProcess | undefined {
    return this.#process;
  }

  async #launch(recovery: boolean): Promise<void> {
    const configPath = join(this.dir, "bird.conf");
    writeFileSync(configPath, birdConfig(this.#config));
    const proc = startProcess({
      name: this.name,
      command: "bird",
      args: [
        "-f",
        "-c",
        configPath,
        "-s",
        this.socket,
        "-P",
        join(this.dir, "bird.pid"),
        ...(recovery ? ["-R"] : []),
      ],
      logDir: this.dir,
      netns: this.ns.name,
    });
    this.#process = proc;
    await waitFor(`${this.name} control socket`, () => this.birdc(["show", "status"]).then(() => true), {
      processes: [proc],
      timeoutMs: 10_000,
    });
  }

  /** `birdc -s <sock> args…`; throws on a BIRD error reply (lines starting with a 8xxx/9xxx code). */
  async birdc(args: readonly string[]): Promise<string> {
    const { stdout } = await runCommand("birdc", ["-s", this.socket, ...args]);
    if (/^(syntax error|.*: (no such|not found))/im.test(stdout)) {
      throw new Error(`birdc ${args.join(" ")}: ${stdout.trim()}`);
    }
    return stdout;
  }

  async protocols(): Promise<BirdProtocol[]> {
    return parseBirdProtocols(await this.birdc(["show", "protocols"]));
  }

  /** Protocol name for a neighbor address (or the name itself). */
  protocolOf(peer: string): string {
    const n = this.#config.neighbors.find((x) => x.address === peer || x.name === peer);
    if (n === undefined) throw new Error(`${this.name}: no BGP neighbor ${peer} in the config`);
    return n.name;
  }

  async sessionState(peer: string): Promise<SessionState> {
    const name = this.protocolOf(peer);
    return birdSessionState((await this.protocols()).find((p) => p.name === name));
  }

  async waitEstablished(peer: string, timeoutMs = 20_000): Promise<void> {
    const name = this.protocolOf(peer);
    await waitFor(
      `${this.name}: BGP ${name} (${peer}) Established`,
      async () => {
        return (await this.sessionState(peer)) === "Established";
      },
      this.#waitOptions(timeoutMs, () => this.birdc(["show", "protocols", "all", name])),
    );
  }

  /** Every route in BIRD's tables (`show route all`), best and non-best, with BGP attributes. */
  async routes(family?: Family): Promise<BgpRoute[]> {
    const args = [
      "show",
      "route",
      "all",
      ...(family === undefined ? [] : ["table", family === "ipv4" ? "master4" : "master6"]),
    ];
    const peerOf = (protocol: string): string | undefined =>
      this.#config.neighbors.find((n) => n.name === protocol)?.address;
    return parseBirdRoutes(await this.birdc(args), peerOf);
  }

  /** `disable <proto> ["message"]`: Cease/Administrative Shutdown, with an RFC 9003 message if given. */
  async disable(peer: string, message?: string): Promise<void> {
    await this.birdc(["disable", this.protocolOf(peer), ...(message === undefined ? [] : [`"${message}"`])]);
  }

  async enable(peer: string): Promise<void> {
    await this.birdc(["enable", this.protocolOf(peer)]);
  }

  /** `restart <proto>`: drop and re-establish the session. */
  async restartProtocol(peer: string): Promise<void> {
    await this.birdc(["restart", this.protocolOf(peer)]);
  }

  /** `reload in <proto>`: re-import, sending ROUTE-REFRESH to the neighbor. */
  async reloadIn(peer: string): Promise<void> {
    await this.birdc(["reload", "in", this.protocolOf(peer)]);
  }

  /** Enables or disables a static protocol ("static_ipv4"/"static_ipv6"): announce/withdraw our routes. */
  async setStatic(family: Family, enabled: boolean): Promise<void> {
    await this.birdc([enabled ? "enable" : "disable", `static_${family}`]);
  }

  /** Rewrites the config and runs `configure` (BIRD restarts only the protocols that changed). */
  async reconfigure(config: BirdConfig): Promise<void> {
    this.#config = config;
    writeFileSync(join(this.dir, "bird.conf"), birdConfig(config));
    const out = await this.birdc(["configure"]);
    if (!/Reconfigured|Reconfiguration in progress/i.test(out))
      throw new Error(`${this.name}: configure: ${out}`);
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
  }

  /**
   * Stops and starts BIRD with the same config. With `graceful`, uses
   * `birdc graceful restart` and starts with -R, so neighbors with graceful
   * restart keep BIRD's routes (RFC 4724 restarting side).
   */
  async restart(options: { graceful?: boolean } = {}): Promise<void> {
    if (options.graceful) {
      await this.birdc(["graceful", "restart"]).catch(() => "");
      await waitFor(`${this.name} exit after graceful restart`, () => !this.#process?.running, {
        timeoutMs: 10_000,
      });
    } else {
      await this.stop();
    }
    await this.#launch(options.graceful === true);
  }

  logs(): string {
    return this.#process?.logs() ?? `${this.name}: not started`;
  }

  #waitOptions(timeoutMs: number, describe: () => Promise<string>) {
    return { timeoutMs, processes: this.#process === undefined ? [] : [this.#process], describe };
  }
}
