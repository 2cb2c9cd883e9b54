/**
 * Our speaker in a child process inside a network namespace:
 * `ip netns exec NS setpriv --pdeathsig KILL -- node --import tsx speaker-runner.ts CONFIG`,
 * driven over JSON lines (runner-protocol.ts). Registered for cleanup until it exits.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { SpeakerConfig } from "@portlb/bgp";
import { type CleanupHandle, cleanupRegistry } from "../harness/cleanup-registry.js";
import type { Netns } from "../harness/netns.js";
import { waitFor } from "../harness/process.js";
import { makeTempDir } from "../harness/temp-dir.js";
import type { RunnerCommand, RunnerLocalRoute, RunnerNeighbor, RunnerRoute } from "./runner-protocol.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type CommandBody = RunnerCommand extends infer C ? (C extends RunnerCommand ? Omit<C, "id"> : never) : never;

export class SpeakerProcess {
  readonly stderrPath: string;
  /** Every neighbor status event, oldest first. */
  readonly events: RunnerNeighbor[] = [];
  readonly exited: Promise<void>;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #running = true;
  #ready = false;
  #cleanup: CleanupHandle;

  private constructor(
    readonly ns: Netns,
    readonly config: SpeakerConfig,
  ) {
    const dir = makeTempDir("speaker");
    this.stderrPath = join(dir, "speaker.stderr.log");
    const err = openSync(this.stderrPath, "a");
    try {
      this.#child = spawn(
        "ip",
        [
          "netns",
          "exec",
          ns.name,
          "setpriv",
          "--pdeathsig",
          "KILL",
          "--",
          process.execPath,
          "--conditions=@portlb/source",
          "--import",
          "tsx",
          join(here, "speaker-runner.ts"),
          JSON.stringify(config),
        ],
        { cwd: repoRoot, stdio: ["pipe", "pipe", err] },
      );
    } finally {
      closeSync(err);
    }
    const child = this.#child;
    this.exited = new Promise((r) => {
      child.once("exit", () => {
        this.#running = false;
        this.#cleanup.release();
        for (const p of this.#pending.values()) p.reject(new Error(`speaker exited\n${this.logs()}`));
        this.#pending.clear();
        r();
      });
    });
    this.#cleanup = cleanupRegistry.register({
      label: `speaker runner (pid ${child.pid ?? "?"})`,
      run: () => this.kill(),
      runSync: () => {
        if (this.#running) child.kill("SIGKILL");
      },
    });
    if (child.stdout === null) throw new Error("speaker runner: no stdout");
    createInterface({ input: child.stdout }).on("line", (line) => this.#line(line));
  }

  /** Starts the runner in `ns` and waits until the speaker listens and connects. */
  static async start(ns: Netns, config: SpeakerConfig): Promise<SpeakerProcess> {
    const s = new SpeakerProcess(ns, config);
    await waitFor("speaker runner ready", () => s.#ready || undefined, {
      timeoutMs: 20_000,
      describe: () => s.logs(),
    });
    return s;
  }

  #line(line: string): void {
    let msg: {
      id?: number;
      ok?: boolean;
      result?: unknown;
      error?: string;
      event?: string;
      status?: RunnerNeighbor;
    };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (msg.event === "ready") this.#ready = true;
    else if (msg.event === "neighbor" && msg.status !== undefined) this.events.push(msg.status);
    else if (msg.id !== undefined) {
      const p = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      if (msg.ok) p?.resolve(msg.result);
      else p?.reject(new Error(msg.error ?? "runner error"));
    }
  }

  #call<T>(body: CommandBody): Promise<T> {
    if (!this.#running) return Promise.reject(new Error("speaker runner has exited"));
    const id = this.#nextId++;
    return new Promise<T>((resolveCall, reject) => {
      this.#pending.set(id, { resolve: (v) => resolveCall(v as T), reject });
      this.#child.stdin?.write(`${JSON.stringify({ ...body, id })}\n`);
    });
  }

  announce(route: RunnerLocalRoute): Promise<void> {
    return this.#call({ cmd: "announce", route });
  }
  withdraw(prefix: string): Promise<void> {
    return this.#call({ cmd: "withdraw", prefix });
  }
  setAnnouncements(routes: readonly RunnerLocalRoute[]): Promise<void> {
    return this.#call({ cmd: "set", routes });
  }
  routes(prefix?: string): Promise<RunnerRoute[]> {
    return this.#call(prefix === undefined ? { cmd: "routes" } : { cmd: "routes", prefix });
  }
  neighbors(): Promise<RunnerNeighbor[]> {
    return this.#call({ cmd: "neighbors" });
  }
  async neighbor(address: string): Promise<RunnerNeighbor> {
    const n = (await this.neighbors()).find((x) => x.address === address);
    if (n === undefined) throw new Error(`speaker: no neighbor ${address}`);
    return n;
  }
  /** A changed import policy for `neighbor`: the speaker sends ROUTE-REFRESH. */
  refresh(neighbor: string): Promise<unknown> {
    return this.#call({ cmd: "refresh", neighbor });
  }

  /** Routes learned from `peer` (not our own). */
  async learned(peer?: string): Promise<RunnerRoute[]> {
    return (await this.routes()).filter((r) => r.peer !== "local" && (peer === undefined || r.peer === peer));
  }

  waitEstablished(address: string, timeoutMs = 20_000): Promise<RunnerNeighbor> {
    return waitFor(
      `speaker: ${address} Established`,
      async () => {
        const n = await this.neighbor(address);
        return n.state === "Established" ? n : undefined;
      },
      { timeoutMs, describe: async () => `${JSON.stringify(await this.neighbors())}\n${this.logs()}` },
    );
  }

  waitRoute(
    prefix: string,
    match: (r: RunnerRoute) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<RunnerRoute> {
    return waitFor(
      `speaker Loc-RIB has ${prefix}`,
      async () => (await this.routes(prefix)).find((r) => r.peer !== "local" && match(r)),
      { timeoutMs, describe: async () => JSON.stringify(await this.routes()) },
    );
  }

  waitNoRoute(prefix: string, timeoutMs = 20_000): Promise<true> {
    return waitFor(
      `speaker Loc-RIB loses ${prefix}`,
      async () => (await this.routes(prefix)).every((r) => r.peer === "local"),
      { timeoutMs, describe: async () => JSON.stringify(await this.routes()) },
    );
  }

  /** Says goodbye (Cease/2 with `message`) and exits. */
  async stop(message?: string): Promise<void> {
    if (!this.#running) return;
    await this.#call(message === undefined ? { cmd: "stop" } : { cmd: "stop", message }).catch(() => null);
    await Promise.race([this.exited, sleep(3_000)]);
    await this.kill();
  }

  /** SIGKILL (a crash); resolves once exited. */
  async kill(): Promise<void> {
    if (this.#running) this.#child.kill("SIGKILL");
    await this.exited;
  }

  logs(): string {
    try {
      return `--- speaker stderr ${this.stderrPath}\n${readFileSync(this.stderrPath, "utf8").slice(-8000)}`;
    } catch {
      return "(no speaker log)";
    }
  }
}
