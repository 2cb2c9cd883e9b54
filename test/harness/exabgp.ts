/**
 * A private ExaBGP 4 in a namespace, driven through its process API: the
 * harness writes API commands ("announce route …") into a named pipe and
 * reads what ExaBGP received from a JSON-lines file (see exabgp-config.ts for
 * the helper that connects the two, and exabgp-messages.ts for the folding).
 *
 *   const exa = await Exabgp.start(ns, { neighbors: [{ address, localAddress, localAs, peerAs, routerId }] });
 *   await exa.waitEstablished("198.18.0.3");
 *   await exa.announce("203.0.113.4/32", { nextHop: "198.18.0.4" });
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, constants, readFileSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import type { BgpDaemon, BgpRoute, Family, SessionState } from "./bgp-route.js";
import { type ExabgpConfig, exabgpApiHelperScript, exabgpConfig, exabgpEnv } from "./exabgp-config.js";
import { type ExabgpView, foldExabgpMessages, harnessStartType } from "./exabgp-messages.js";
import type { Netns } from "./netns.js";
import { type ManagedProcess, startProcess, waitFor } from "./process.js";
import { makeTempDir } from "./temp-dir.js";

export interface ExabgpRouteAttributes {
  /** Default "self". */
  readonly nextHop?: string;
  readonly origin?: "igp" | "egp" | "incomplete";
  readonly med?: number;
  readonly localPref?: number;
  readonly asPath?: readonly number[];
  readonly communities?: readonly string[];
  readonly largeCommunities?: readonly string[];
  /** ADD-PATH path identifier to send. */
  readonly pathId?: number;
  /** Only to this neighbor (default: all). */
  readonly neighbor?: string;
}

export class Exabgp implements BgpDaemon {
  readonly kind = "exabgp";
  readonly dir: string;
  readonly fifo: string;
  readonly receivedPath: string;
  #process: ManagedProcess | undefined;
  #config: ExabgpConfig;

  private constructor(
    readonly ns: Netns,
    readonly name: string,
    config: ExabgpConfig,
  ) {
    this.#config = config;
    this.dir = makeTempDir(name);
    this.fifo = join(this.dir, "api.in");
    this.receivedPath = join(this.dir, "received.jsonl");
    execFileSync("mkfifo", [this.fifo]);
    writeFileSync(this.receivedPath, "");
  }

  static async start(ns: Netns, config: ExabgpConfig, options: { name?: string } = {}): Promise<Exabgp> {
    const exa = new Exabgp(ns, options.name ?? "exabgp", config);
    await exa.#launch();
    return exa;
  }

  async #launch(): Promise<void> {
    const script = join(this.dir, "exabgp-api-helper.sh");
    writeFileSync(script, exabgpApiHelperScript, { mode: 0o755 });
    const configPath = join(this.dir, "exabgp.conf");
    writeFileSync(
      configPath,
      exabgpConfig(this.#config, { script, fifo: this.fifo, received: this.receivedPath }),
    );
    appendFileSync(this.receivedPath, `${JSON.stringify({ type: harnessStartType, time: Date.now() })}\n`);
    const proc = startProcess({
      name: this.name,
      command: "exabgp",
      args: [configPath],
      env: exabgpEnv(this.#config, join(this.dir, "exabgp.pid")),
      logDir: this.dir,
      netns: this.ns.name,
    });
    this.#process = proc;
    // Ready once the helper holds the FIFO open: a non-blocking open for writing then succeeds.
    await waitFor(
      `${this.name} API helper`,
      () => this.#openFifo().then((fh) => fh.close().then(() => true)),
      {
        processes: [proc],
        timeoutMs: 15_000,
      },
    );
    for (const n of this.#config.neighbors) {
      for (const command of n.initialCommands ?? []) await this.send(`neighbor ${n.address} ${command}`);
    }
  }

  #openFifo() {
    return open(this.fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  }

  /** Sends one API command line ("announce route …", "withdraw route …", "neighbor X teardown 2"). */
  async send(command: string): Promise<void> {
    const fh = await this.#openFifo();
    try {
      await fh.write(`${command}\n`);
    } finally {
      await fh.close();
    }
  }

  async announce(prefix: string, attrs: ExabgpRouteAttributes = {}): Promise<void> {
    await this.send(routeCommand("announce", prefix, attrs));
  }

  async withdraw(prefix: string, attrs: ExabgpRouteAttributes = {}): Promise<void> {
    await this.send(routeCommand("withdraw", prefix, attrs));
  }

  /** Everything received so far, folded into current state and routes. */
  view(): ExabgpView {
    return foldExabgpMessages(readFileSync(this.receivedPath, "utf8"));
  }

  async sessionState(peer: string): Promise<SessionState> {
    return this.view().states.get(peer) ?? "Idle";
  }

  async waitEstablished(peer: string, timeoutMs = 20_000): Promise<void> {
    await waitFor(
      `${this.name}: BGP ${peer} Established`,
      async () => (await this.sessionState(peer)) === "Established",
      {
        timeoutMs,
        processes: this.#process === undefined ? [] : [this.#process],
        describe: () => `received messages: ${this.receivedPath}`,
      },
    );
  }

  /** Routes received from neighbors (ExaBGP keeps no RIB of its own; local routes are not listed). */
  async routes(family?: Family): Promise<BgpRoute[]> {
    return this.view().routes.filter((r) => family === undefined || r.family === family);
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.#launch();
  }

  logs(): string {
    return this.#process?.logs() ?? `${this.name}: not started`;
  }
}

function routeCommand(verb: "announce" | "withdraw", prefix: string, a: ExabgpRouteAttributes): string {
  const parts = [a.neighbor === undefined ? "" : `neighbor ${a.neighbor} `, `${verb} route ${prefix}`];
  if (a.pathId !== undefined) parts.push(` path-information ${a.pathId}`);
  parts.push(` next-hop ${a.nextHop ?? "self"}`);
  if (a.origin !== undefined) parts.push(` origin ${a.origin}`);
  if (a.med !== undefined) parts.push(` med ${a.med}`);
  if (a.localPref !== undefined) parts.push(` local-preference ${a.localPref}`);
  if (a.asPath !== undefined) parts.push(` as-path [ ${a.asPath.join(" ")} ]`);
  if (a.communities?.length) parts.push(` community [ ${a.communities.join(" ")} ]`);
  if (a.largeCommunities?.length) parts.push(` large-community [ ${a.largeCommunities.join(" ")} ]`);
  return parts.join("");
}
