/**
 * The route reflectors `pnpm bench:rr` compares, each a private instance in
 * its own process with its config, sockets, pid file and log in a temp dir:
 *
 *   ts-rr  the real daemon (`ts-rr run --config`), bundled from source into
 *          plain JavaScript (or run through tsx); the injector and the
 *          receivers are route-reflector clients from two dynamic ranges
 *   bird   BIRD 2 (`bird -f`), one `rr client` protocol per client
 *   frr    FRR's bgpd alone (`-Z`, no zebra), a peer group of
 *          `route-reflector-client`s
 *   gobgp  gobgpd, one `route-reflector-client` neighbor per client
 *
 * Every reflector listens on its own loopback address (127.0.11.x) and is
 * passive: the clients connect. No graceful restart anywhere (ts-rr would
 * otherwise defer End-of-RIB; the others would keep stale routes).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the working directory of every child. */
export const repoRoot = new URL("../../../", import.meta.url).pathname;

export interface Clients {
  /** The injector's address. */
  readonly injector: string;
  /** Every receiver's address. */
  readonly receivers: readonly string[];
  /** CIDR holding the receivers (ts-rr's dynamic range); must not hold the injector. */
  readonly receiverRange: string;
}

export interface Reflector {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** Starts the daemon; its pid is the process whose RSS counts. */
  start(dir: string, clients: Clients): ChildProcess;
}

export const localAs = 65001;
const bgpPort = 11790;
/** Admin API / gRPC / metrics ports, on the reflector's own address. */
const controlPort = 11800;

/**
 * Runs `argv` (exec'd, so the child's pid is the program's) with the soft
 * open-files limit raised to the hard limit: 1,000 peers need more than the
 * usual 1,024. Output goes to `dir/logName`; stdout to a pipe if asked.
 */
export function spawnWithFiles(
  argv: readonly string[],
  dir: string,
  logName: string,
  stdout: "log" | "pipe" = "log",
): ChildProcess {
  const log = openSync(join(dir, logName), "a");
  const child = spawn("sh", ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', "sh", ...argv], {
    cwd: repoRoot,
    stdio: ["ignore", stdout === "pipe" ? "pipe" : log, log],
  });
  closeSync(log);
  return child;
}

/** The node command line that runs a TypeScript file of this repository from source. */
export function nodeTs(file: string, args: readonly string[]): string[] {
  return [process.execPath, "--conditions=@portlb/source", "--import", "tsx", join(repoRoot, file), ...args];
}

export interface TsRrOptions {
  readonly address: string;
  readonly ranges: readonly { name: string; prefixes: readonly string[]; maxPeers: number }[];
}

/** A ts-rr configuration (see packages/rr/examples/rr.yaml) for a benchmark instance. */
export function tsRrConfig(opts: TsRrOptions): string {
  const ranges = opts.ranges.map((r) =>
    [
      `  - name: ${r.name}`,
      `    prefixes: [${r.prefixes.join(", ")}]`,
      `    asns: [${localAs}]`,
      `    maxPeers: ${r.maxPeers}`,
      "    routeReflectorClient: true",
      "    families: [ipv4-unicast]",
    ].join("\n"),
  );
  return `localAs: ${localAs}
routerId: ${opts.address}
listen:
  address: ${opts.address}
  port: ${bgpPort}
gracefulRestartTime: 0
dynamicRanges:
${ranges.join("\n")}
admin:
  listen: ${opts.address}:${controlPort}
metrics:
  listen: ${opts.address}:${controlPort + 1}
log:
  level: warn
`;
}

const tsRrCli = "packages/rr/src/cli.ts";

/** The V8 flags ts-rr runs with in production: those on the #! line of its cli (`env -S node FLAGS`). */
export function tsRrNodeFlags(): string[] {
  const shebang = readFileSync(join(repoRoot, tsRrCli), "utf8").split("\n", 1)[0] ?? "";
  return /\bnode\s+(.*)$/.exec(shebang)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
}

/**
 * How ts-rr is run (always with the flags of its #! line): from a bundle of
 * its sources (plain JavaScript, as in production: `node ts-rr.mjs`), or
 * straight from source through tsx, whose loader thread adds ~40 MB of RSS
 * and so is not what an operator runs.
 */
let tsRrCommand: readonly string[] = [process.execPath, ...tsRrNodeFlags(), ...nodeTs(tsRrCli, []).slice(1)];

/**
 * @portlb/bgp loads ip-num with createRequire() (src/ip-num.ts: an ESM import
 * of it costs RSS), which esbuild cannot follow; a bundle in a temporary
 * directory would then find no ip-num. Bundled, the module is plain code:
 * import it statically there.
 */
const bundleIpNum = {
  name: "bundle-ip-num",
  setup(build: { onLoad(o: { filter: RegExp }, f: () => { contents: string; loader: string }): void }) {
    build.onLoad({ filter: /[\\/]bgp[\\/]src[\\/]ip-num\.ts$/ }, () => ({
      contents: 'export * from "ip-num";',
      loader: "ts",
    }));
  },
};

/**
 * Bundles ts-rr and @portlb/bgp from source (condition `@portlb/source`)
 * with the esbuild that tsx brings into `dir/ts-rr.mjs`, and runs that from
 * now on. The workspace's dist/ is not touched.
 */
export async function bundleTsRr(dir: string): Promise<string> {
  const loader = realpathSync(fileURLToPath(import.meta.resolve("tsx")));
  const esbuild = createRequire(loader)("esbuild") as {
    build(options: Record<string, unknown>): Promise<unknown>;
  };
  const outfile = join(dir, "ts-rr.mjs");
  await esbuild.build({
    entryPoints: [join(repoRoot, tsRrCli)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@portlb/source"],
    plugins: [bundleIpNum],
    outfile,
    logLevel: "warning",
    // CommonJS dependencies (pino, prom-client) call require().
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
    },
  });
  // Extra V8 flags for ts-rr, e.g. PORTLB_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeFlags = (process.env.PORTLB_NODE_FLAGS ?? "").split(" ").filter(Boolean);
  tsRrCommand = [process.execPath, ...tsRrNodeFlags(), ...nodeFlags, outfile];
  return outfile;
}

export function startTsRr(dir: string, config: string, command = tsRrCommand): ChildProcess {
  writeFileSync(join(dir, "rr.yaml"), config);
  return spawnWithFiles([...command, "run", "--config", join(dir, "rr.yaml")], dir, "ts-rr.log");
}

export const tsRr: Reflector = {
  name: "ts-rr",
  address: "127.0.11.1",
  port: bgpPort,
  start(dir, clients) {
    return startTsRr(dir, tsRrBenchConfig(this.address, clients));
  },
};

/**
 * ts-rr from another bundle (`--baseline FILE`, e.g. one built from the last
 * commit), run as one more target so that two versions are compared in the
 * same invocation, interleaved. Run as `node FILE`: no V8 flags.
 */
export function tsRrBaseline(bundle: string): Reflector {
  return {
    name: "ts-rr-base",
    address: "127.0.11.9",
    port: bgpPort,
    start(dir, clients) {
      return startTsRr(dir, tsRrBenchConfig(this.address, clients), [process.execPath, bundle]);
    },
  };
}

function tsRrBenchConfig(address: string, clients: Clients): string {
  return tsRrConfig({
    address,
    ranges: [
      { name: "injector", prefixes: [`${clients.injector}/32`], maxPeers: 1 },
      { name: "receivers", prefixes: [clients.receiverRange], maxPeers: clients.receivers.length },
    ],
  });
}

export const bird: Reflector = {
  name: "bird",
  address: "127.0.11.2",
  port: bgpPort,
  start(dir, clients) {
    const a = this.address;
    const protocols = [clients.injector, ...clients.receivers].map(
      (n, i) => `protocol bgp c${i} from rrclient { neighbor ${n} as ${localAs}; }`,
    );
    writeFileSync(
      join(dir, "bird.conf"),
      `router id ${a};
protocol device {}
template bgp rrclient {
  local ${a} port ${bgpPort} as ${localAs};
  passive on;
  rr client;
  rr cluster id ${a};
  hold time 240;
  graceful restart off;
  ipv4 { import all; export all; };
}
${protocols.join("\n")}
`,
    );
    return spawnWithFiles(
      ["bird", "-f", "-c", join(dir, "bird.conf"), "-s", join(dir, "bird.ctl"), "-P", join(dir, "bird.pid")],
      dir,
      "bird.log",
    );
  },
};

export const frr: Reflector = {
  name: "frr",
  address: "127.0.11.3",
  port: bgpPort,
  start(dir, clients) {
    const a = this.address;
    const members = [clients.injector, ...clients.receivers].map((n) => ` neighbor ${n} peer-group CLIENTS`);
    writeFileSync(
      join(dir, "bgpd.conf"),
      `frr defaults traditional
hostname bench-rr
!
router bgp ${localAs}
 bgp router-id ${a}
 bgp cluster-id ${a}
 no bgp ebgp-requires-policy
 no bgp network import-check
 bgp graceful-restart-disable
 neighbor CLIENTS peer-group
 neighbor CLIENTS remote-as ${localAs}
 neighbor CLIENTS passive
 neighbor CLIENTS timers 80 240
${members.join("\n")}
 address-family ipv4 unicast
  neighbor CLIENTS route-reflector-client
 exit-address-family
!
`,
    );
    return spawnWithFiles(
      [
        "/usr/lib/frr/bgpd",
        "-Z",
        "-n",
        "-S",
        "-u",
        "root",
        "-g",
        "root",
        "-f",
        join(dir, "bgpd.conf"),
        "-i",
        join(dir, "bgpd.pid"),
        "--vty_socket",
        dir,
        "-z",
        join(dir, "zserv.api"),
        "-P",
        "0",
        "-p",
        String(bgpPort),
        "-l",
        a,
        "--log",
        `file:${join(dir, "bgpd.log")}`,
      ],
      dir,
      "bgpd.out",
    );
  },
};

export const gobgp: Reflector = {
  name: "gobgp",
  address: "127.0.11.4",
  port: bgpPort,
  start(dir, clients) {
    const a = this.address;
    const neighbors = [clients.injector, ...clients.receivers].map(
      (n) => `[[neighbors]]
  [neighbors.config]
    neighbor-address = "${n}"
    peer-as = ${localAs}
  [neighbors.timers.config]
    hold-time = 240
  [neighbors.transport.config]
    passive-mode = true
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "${a}"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`,
    );
    writeFileSync(
      join(dir, "gobgpd.toml"),
      `[global.config]
  as = ${localAs}
  router-id = "${a}"
  port = ${bgpPort}
  local-address-list = ["${a}"]
${neighbors.join("")}`,
    );
    return spawnWithFiles(
      [
        "gobgpd",
        "-f",
        join(dir, "gobgpd.toml"),
        "--api-hosts",
        `${a}:${controlPort}`,
        "--pprof-disable",
        "-l",
        "warn",
      ],
      dir,
      "gobgpd.log",
    );
  },
};

export const reflectors: readonly Reflector[] = [tsRr, bird, frr, gobgp];

/** The admin API of a ts-rr started with `tsRrConfig`. */
export function tsRrAdmin(address: string): { host: string; port: number } {
  return { host: address, port: controlPort };
}
