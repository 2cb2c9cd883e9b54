/**
 * SIGHUP's reload against a real speaker (loopback, no peers needed): what
 * `reconfigure` did is logged; settings that need a restart are named (the
 * speaker's and ts-rr's own); a bad or unreadable file is rejected with its
 * field errors and the running configuration is returned unchanged.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadRrConfig } from "./config/load-config.js";
import { toSpeakerOptions } from "./config/speaker-options.js";
import { reloadConfig } from "./reload.js";
import { startSpeaker, stopAll } from "./testing/loopback.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ts-rr-reload-"));
});
afterEach(async () => {
  await stopAll();
  await rm(dir, { recursive: true, force: true });
});

const base = `localAs: 65001
routerId: 198.18.0.1
listen: { address: 127.0.47.1, port: 0 }
dynamicRanges:
  - { name: lb, prefixes: [127.0.48.0/24], asns: [65001], maxPeers: 4 }
admin: { listen: "127.0.0.1:0" }
`;

function capture(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

describe("reloadConfig", () => {
  it("applies a new file and names what needs a restart", async () => {
    const path = join(dir, "rr.yaml");
    await writeFile(path, base);
    const current = await loadRrConfig(path);
    const { logger, lines } = capture();
    const speaker = await startSpeaker(toSpeakerOptions(current, logger));
    const ctx = { path, speaker, bgpLogger: logger, logger };

    await writeFile(
      path,
      `${base.replace("198.18.0.1", "198.18.0.2").replace("127.0.0.1:0", "127.0.0.1:1")}log: { level: debug }\n`,
    );
    const next = await reloadConfig(ctx, current);
    expect(next.routerId).toBe("198.18.0.2");
    const reloaded = lines.find((l) => l.event === "config.reloaded");
    expect(reloaded?.result).toMatchObject({ unchanged: [], added: [], removed: [] });
    expect(lines.find((l) => l.event === "config.needs-restart")?.fields).toEqual(
      expect.arrayContaining(["routerId", "clusterId", "admin.listen", "log.level"]),
    );
    // The speaker keeps the identity it started with until restarted.
    expect(speaker.config.routerId).toBe("198.18.0.1");
  });

  it("rejects a bad or unreadable file and keeps the running configuration", async () => {
    const path = join(dir, "rr.yaml");
    await writeFile(path, base);
    const current = await loadRrConfig(path);
    const { logger, lines } = capture();
    const speaker = await startSpeaker(toSpeakerOptions(current, logger));
    const ctx = { path, speaker, bgpLogger: logger, logger };

    await writeFile(path, base.replace("maxPeers: 4", "maxPeers: -4"));
    expect(await reloadConfig(ctx, current)).toBe(current);
    expect(lines.find((l) => l.event === "config.rejected")?.problems).toEqual([
      { path: "dynamicRanges[0].maxPeers", message: "must be a positive integer" },
    ]);

    await rm(path);
    expect(await reloadConfig(ctx, current)).toBe(current);
    expect(lines.filter((l) => l.event === "config.rejected")).toHaveLength(2);
    expect(speaker.config.dynamicNeighbors?.[0]?.maxPeers).toBe(4);
  });
});
