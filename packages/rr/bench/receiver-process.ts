/**
 * The bench side of receivers.ts: starts the receivers' process and turns
 * its stdout lines into promises of their CLOCK_MONOTONIC times.
 */

import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { track } from "./bench-processes.js";
import { nodeTs, spawnWithFiles } from "./reflectors.js";

export interface Receivers {
  readonly child: ChildProcess;
  readonly started: Promise<bigint>;
  readonly listening: Promise<bigint>;
  readonly ready: Promise<bigint>;
  readonly done: Promise<bigint>;
  /** Sessions that hold everything so far. */
  complete(): number;
  established(): number;
  /** The last progress line: "<fewest>..<most> prefixes per session". */
  progress(): string;
}

export interface ReceiverOptions {
  readonly host: string;
  readonly port: number;
  readonly source: string;
  readonly count: number;
  readonly expect: number;
  readonly listen?: boolean;
  /** How long the sessions keep trying to connect. */
  readonly connectTimeoutMs: number;
}

/** Starts the receivers' process and follows its lines (see receivers.ts). */
export function startReceivers(dir: string, o: ReceiverOptions): Receivers {
  const args = [
    "--host",
    o.host,
    "--port",
    String(o.port),
    "--source",
    o.source,
    "--count",
    String(o.count),
    "--expect",
    String(o.expect),
    "--connect-timeout",
    String(Math.ceil(o.connectTimeoutMs / 1000)),
  ];
  if (o.listen === true) args.push("--listen");
  const child = track(
    spawnWithFiles(nodeTs("packages/rr/bench/receivers.ts", args), dir, "receivers.log", "pipe"),
  );
  const resolvers = new Map<string, (t: bigint) => void>();
  const rejecters: ((err: Error) => void)[] = [];
  const promise = (key: string): Promise<bigint> => {
    const p = new Promise<bigint>((resolve, reject) => {
      resolvers.set(key, resolve);
      rejecters.push(reject);
    });
    p.catch(() => undefined);
    return p;
  };
  const started = promise("start");
  const listening = promise("listening");
  const ready = promise("ready");
  const done = promise("done");
  let complete = 0;
  let established = 0;
  let progress = "0..0";
  const fail = (err: Error): void => {
    for (const r of rejecters) r(err);
  };
  const lines = createInterface({ input: child.stdout! });
  lines.on("line", (line) => {
    const [word, arg] = line.split(" ");
    if (word === "established") established++;
    else if (word === "progress") progress = line.split(" ").slice(1).join("..");
    else if (word === "complete") complete++;
    else if (word === "closed")
      fail(new Error(`receiver session ${arg} ended: ${line.split(" ").slice(2).join(" ")}`));
    else if (word !== undefined && arg !== undefined) resolvers.get(word)?.(BigInt(arg));
  });
  child.once("exit", (code, signal) => fail(new Error(`the receivers' process exited (${signal ?? code})`)));
  return {
    child,
    started,
    listening,
    ready,
    done,
    complete: () => complete,
    progress: () => progress,
    established: () => established,
  };
}
