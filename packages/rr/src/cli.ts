#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * `ts-rr`: the route-reflector daemon and its operator commands.
 *
 * Memory: what a table load allocates is either short-lived or table
 * storage (mostly typed arrays, which the GC does not trace), so two V8
 * settings cost no measurable time and save ~30 MB of peak RSS at 1,000,000
 * prefixes (BENCHMARKS.md, `pnpm bench:rr`): `--max-semi-space-size=4`, a
 * 4 MB young-generation semi-space instead of 16 MB, which V8 reads only at
 * startup, so it is on the #! line (run ts-rr with `node` yourself: pass it
 * too, or put it in NODE_OPTIONS); and a full GC once the old generation
 * has grown by half (`--heap-growing-percent=50`, an internal V8 flag, so
 * `run` sets it at run time, where an unknown flag could not stop the
 * daemon), so the arrays a growing table leaves behind go sooner.
 *
 *     ts-rr run --config rr.yaml                 run the daemon (SIGHUP reloads, SIGTERM stops)
 *     ts-rr check --config rr.yaml               validate only: exit 0, or 1 with every bad field
 *     ts-rr neighbors [--admin URL] [--json]     sessions: state, up/down time, prefixes, last error
 *     ts-rr routes [prefix] [--admin URL] [--json]   Loc-RIB paths per prefix
 *
 * `--admin` takes http://host:port, unix:/path or a socket path (default
 * http://127.0.0.1:50179); `--config` instead reads it from the file. The
 * only module that writes to stdout/stderr directly.
 */
import { setFlagsFromString } from "node:v8";
import { Command } from "commander";
import type { NeighborView, PrefixView } from "./admin/admin-views.js";
import { ConfigError, ConfigErrorCode } from "./config/config-error.js";
import { type Endpoint, formatEndpoint } from "./config/listen-address.js";
import { loadRrConfig } from "./config/load-config.js";
import { runDaemon } from "./main.js";
import { AdminClientError, DefaultAdminUrl, getJson, parseAdminUrl } from "./show/admin-client.js";
import { formatNeighborTable } from "./show/neighbor-table.js";
import { formatRouteTable } from "./show/route-table.js";

interface ShowOptions {
  readonly admin?: string;
  readonly config?: string;
  readonly json?: boolean;
}

function fail(message: string): never {
  process.stderr.write(`ts-rr: ${message}\n`);
  process.exit(1);
}

function failWith(err: unknown, configPath?: string): never {
  if (err instanceof ConfigError && err.problems.length > 0 && configPath !== undefined) {
    const what = err.code === ConfigErrorCode.Syntax ? "not valid YAML" : "invalid configuration";
    fail([`${configPath}: ${what}:`, ...err.problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n"));
  }
  if (err instanceof ConfigError) fail(err.message);
  if (err instanceof AdminClientError) fail(err.message);
  fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
}

async function adminEndpoint(opts: ShowOptions): Promise<Endpoint> {
  if (opts.admin !== undefined) return parseAdminUrl(opts.admin);
  if (opts.config !== undefined) return (await loadRrConfig(opts.config)).admin.listen;
  return parseAdminUrl(DefaultAdminUrl);
}

async function show(opts: ShowOptions, path: string, table: (body: unknown) => string): Promise<void> {
  try {
    const body = await getJson(await adminEndpoint(opts), path);
    process.stdout.write(opts.json === true ? `${JSON.stringify(body, null, 2)}\n` : `${table(body)}\n`);
  } catch (err) {
    failWith(err, opts.config);
  }
}

const program = new Command()
  .name("ts-rr")
  .description("BGP route reflector for portlb LB pods: dynamic peers, ADD-PATH to the upstream router")
  .showHelpAfterError();

program
  .command("run")
  .description("run the route reflector")
  .requiredOption("-c, --config <file>", "configuration file (YAML)")
  .action(async (opts: { config: string }) => {
    try {
      setFlagsFromString("--heap-growing-percent=50"); // see the header
      await runDaemon(opts.config);
    } catch (err) {
      failWith(err, opts.config);
    }
  });

program
  .command("check")
  .description("validate a configuration file and exit (0: valid, 1: the bad fields)")
  .requiredOption("-c, --config <file>", "configuration file (YAML)")
  .action(async (opts: { config: string }) => {
    try {
      const c = await loadRrConfig(opts.config);
      process.stdout.write(
        `${opts.config}: ok (router ID ${c.routerId}, AS ${c.localAs}, ${c.dynamicRanges.length} dynamic ranges, ` +
          `${c.upstreams.length} upstreams, admin ${formatEndpoint(c.admin.listen)}, metrics ${formatEndpoint(c.metrics.listen)})\n`,
      );
    } catch (err) {
      failWith(err, opts.config);
    }
  });

program
  .command("neighbors")
  .description("show BGP sessions")
  .option("--admin <url>", `admin API: http://host:port or unix:/path (default ${DefaultAdminUrl})`)
  .option("-c, --config <file>", "take the admin address from this configuration file")
  .option("--json", "print the admin API's JSON")
  .action((opts: ShowOptions) =>
    show(opts, "/neighbors", (body) =>
      formatNeighborTable(Array.isArray(body) ? (body as NeighborView[]) : []),
    ),
  );

program
  .command("routes")
  .description("show Loc-RIB paths, all or for one prefix")
  .argument("[prefix]", "a prefix (203.0.113.10/32) or address")
  .option("--admin <url>", `admin API: http://host:port or unix:/path (default ${DefaultAdminUrl})`)
  .option("-c, --config <file>", "take the admin address from this configuration file")
  .option("--json", "print the admin API's JSON")
  .action((prefix: string | undefined, opts: ShowOptions) =>
    show(opts, prefix === undefined ? "/routes" : `/routes?prefix=${encodeURIComponent(prefix)}`, (body) =>
      formatRouteTable(Array.isArray(body) ? (body as PrefixView[]) : []),
    ),
  );

await program.parseAsync(process.argv);
