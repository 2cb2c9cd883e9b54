/**
 * SIGHUP: read the configuration file again and apply it to the running
 * speaker with `speaker.reconfigure` — neighbors and ranges added or
 * removed, only sessions whose settings changed are reset (see
 * @portlb/bgp reconfigure.ts). A bad new file is rejected with its field
 * errors and the running configuration stays. Settings the speaker cannot
 * change live (local AS, router ID, cluster ID, BGP listen, graceful-restart
 * time) and ts-rr's own (admin and metrics addresses, log level) are
 * reported as needing a restart.
 */
import { type Speaker, SpeakerConfigError } from "@portlb/bgp";
import type { Logger } from "pino";
import { ConfigError } from "./config/config-error.js";
import { formatEndpoint } from "./config/listen-address.js";
import { loadRrConfig } from "./config/load-config.js";
import type { RrConfig } from "./config/rr-config-schema.js";
import { toSpeakerOptions } from "./config/speaker-options.js";
import { RrLogEvent } from "./log-events.js";

export interface ReloadContext {
  readonly path: string;
  readonly speaker: Speaker;
  /** The logger the speaker was built with (kept across reloads). */
  readonly bgpLogger: Logger;
  readonly logger: Logger;
}

/** ts-rr's own settings that only a restart changes. */
function ownRestartFields(old: RrConfig, next: RrConfig): string[] {
  const out: string[] = [];
  if (formatEndpoint(old.admin.listen) !== formatEndpoint(next.admin.listen)) out.push("admin.listen");
  if (formatEndpoint(old.metrics.listen) !== formatEndpoint(next.metrics.listen)) out.push("metrics.listen");
  if (old.log.level !== next.log.level) out.push("log.level");
  return out;
}

/**
 * Applies the file at `ctx.path`; returns the configuration to compare the
 * next reload against (the admin, metrics and log settings still in force).
 * Never throws.
 */
export async function reloadConfig(ctx: ReloadContext, current: RrConfig): Promise<RrConfig> {
  const log = ctx.logger;
  let next: RrConfig;
  try {
    next = await loadRrConfig(ctx.path);
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [];
    log.error(
      { event: RrLogEvent.configRejected, problems, err: err instanceof Error ? err.message : String(err) },
      "new configuration rejected; the running one stays",
    );
    return current;
  }
  try {
    const result = ctx.speaker.reconfigure(toSpeakerOptions(next, ctx.bgpLogger));
    const needsRestart = [...result.needsRestart, ...ownRestartFields(current, next)];
    log.info(
      { event: RrLogEvent.configReloaded, result: { ...result, needsRestart } },
      "configuration reloaded",
    );
    if (needsRestart.length > 0)
      log.warn(
        { event: RrLogEvent.configNeedsRestart, fields: needsRestart },
        "some settings take effect only after a restart of ts-rr",
      );
    // ts-rr's own servers and log level stay as started: keep comparing against what is in force.
    return { ...next, admin: current.admin, metrics: current.metrics, log: current.log };
  } catch (err) {
    const problems = err instanceof SpeakerConfigError ? [{ path: err.field, message: err.message }] : [];
    log.error(
      { event: RrLogEvent.configRejected, problems, err: err instanceof Error ? err.message : String(err) },
      "new configuration rejected by the speaker; the running one stays",
    );
    return current;
  }
}
