#!/usr/bin/env node
/**
 * The `lb-agent` command line:
 *
 *   lb-agent run --config FILE [--log-level LEVEL]   run the agent (see main.ts)
 *   lb-agent check --config FILE                     validate a config file, or the
 *                                                    lb-agent configs in a ConfigMap manifest
 *   lb-agent status [--admin URL] [--json]           ask a running agent (default admin API
 *                                                    http://127.0.0.1:9470)
 *
 * Exit codes: 0 ok, 1 invalid config / agent unreachable / start-up failure.
 * Commands load their modules lazily, so `status` and `check` start fast.
 */
import { readFile } from "node:fs/promises";
import { Command } from "commander";

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function check(path: string): Promise<number> {
  const { ConfigError } = await import("./config/config-error.js");
  const { parseAgentConfig } = await import("./config/load-config.js");
  const manifests = await import("./config/manifest-documents.js");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    err(`${path}: cannot read: ${String(error)}`);
    return 1;
  }
  try {
    const configs = manifests.looksLikeManifest(text)
      ? manifests.embeddedAgentConfigs(manifests.parseManifestDocuments(text, path), path)
      : [{ where: path, config: parseAgentConfig(text, path) }];
    if (configs.length === 0) {
      err(`${path}: no lb-agent configuration found (ConfigMap data key lb-agent*.yaml)`);
      return 1;
    }
    for (const { where, config } of configs) {
      const source = config.source.kubernetes
        ? `kubernetes, ${config.source.kubernetes.services.length} service(s)`
        : `static file ${config.source.static?.path}`;
      out(
        `${where}: OK (source: ${source}; bgp: ${config.bgp === undefined ? "none" : `${config.bgp.routeReflectors.length} route reflector(s)`})`,
      );
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (error.problems.length === 0) err(error.message);
    for (const p of error.problems) err(`${error.message.split(": ")[0]}: ${p.path}: ${p.message}`);
    return 1;
  }
}

interface StatusView {
  phase?: string;
  inSync?: boolean;
  announced?: string[];
  lastError?: { stage: string; code: string; message: string } | null;
  services?: {
    name: string;
    vips: string[];
    total: number;
    healthy: number;
    draining: number;
    eligible: boolean;
  }[];
}

async function status(admin: string, json: boolean): Promise<number> {
  let body: string;
  try {
    const res = await fetch(new URL("/status", admin), { signal: AbortSignal.timeout(5000) });
    body = await res.text();
    if (!res.ok) {
      err(`${admin}: HTTP ${res.status}: ${body.trim()}`);
      return 1;
    }
  } catch (error) {
    err(
      `cannot reach the lb-agent admin API at ${admin}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  if (json) {
    out(body.trim());
    return 0;
  }
  const s = JSON.parse(body) as StatusView;
  out(
    `phase: ${s.phase}   in sync: ${s.inSync ? "yes" : "no"}   announced: ${s.announced?.join(", ") || "(none)"}`,
  );
  if (s.lastError) out(`last error (${s.lastError.stage}): ${s.lastError.code}: ${s.lastError.message}`);
  for (const svc of s.services ?? []) {
    out(
      `${svc.name}  vips ${svc.vips.join(",")}  real servers ${svc.total} (healthy ${svc.healthy}, draining ${svc.draining})  announce ${svc.eligible ? "yes" : "no"}`,
    );
  }
  return 0;
}

const program = new Command()
  .name("lb-agent")
  .description("portlb's LB pod agent: backends -> health checks -> IPVS (ipvsadm) -> announcements");

program
  .command("run")
  .description("run the agent")
  .requiredOption("-c, --config <file>", "lb-agent YAML configuration")
  .option("--log-level <level>", "override the configured log level")
  .action(async (opts: { config: string; logLevel?: string }) => {
    const { runAgent } = await import("./main.js");
    process.exitCode = await runAgent({
      configPath: opts.config,
      ...(opts.logLevel === undefined ? {} : { logLevel: opts.logLevel }),
    });
  });

program
  .command("check")
  .description("validate a configuration file (or a ConfigMap manifest holding one) and exit")
  .requiredOption("-c, --config <file>", "lb-agent YAML configuration or Kubernetes manifest")
  .action(async (opts: { config: string }) => {
    process.exitCode = await check(opts.config);
  });

program
  .command("status")
  .description("show the status of a running agent")
  .option("--admin <url>", "admin API of the agent", "http://127.0.0.1:9470")
  .option("--json", "print the raw JSON")
  .action(async (opts: { admin: string; json?: boolean }) => {
    process.exitCode = await status(opts.admin, opts.json === true);
  });

await program.parseAsync(process.argv);
