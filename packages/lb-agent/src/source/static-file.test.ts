/**
 * The static file source with real temp files: it loads at start (and
 * refuses a bad file then, naming the field), follows in-place writes and
 * atomic-rename saves, publishes only services that changed and removals,
 * keeps the last good config on a malformed edit (logged clearly, exposed as
 * lastError) and recovers on the next good save; polling alone also works.
 */
import { mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UpdateRecorder } from "../../../../test/k8s/update-recorder.js";
import type { SourceUpdate } from "../model.js";
import { SourceErrorCode } from "./source-error.js";
import { StaticFileSource } from "./static-file.js";

interface Line {
  level: number;
  event?: string;
  msg: string;
  problems?: { path: string; message: string }[];
}

let dir: string;
let file: string;
let source: StaticFileSource | undefined;
let lines: Line[];

const yaml = (web: string[], extra = ""): string =>
  `services:
  - name: shop/web
    vips: [203.0.113.10]
    ports: [{ name: http, port: 80, targetPort: 8080 }]
    backends: [${web.map((a) => `{ address: ${a} }`).join(", ")}]
  - name: shop/db
    vips: [203.0.113.20]
    ports: [{ port: 5432 }]
${extra}`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lb-agent-static-"));
  file = join(dir, "backends.yaml");
  lines = [];
});
afterEach(async () => {
  await source?.stop();
  source = undefined;
  await rm(dir, { recursive: true, force: true });
});

function make(options: { useFsWatch?: boolean } = {}): StaticFileSource {
  const logger = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s) as Line) });
  source = new StaticFileSource({ path: file, logger, debounceMs: 20, pollIntervalMs: 50, ...options });
  return source;
}

const web = (u: SourceUpdate) =>
  u.type === "service" && u.service.name === "shop/web"
    ? u.service.endpoints.map((e) => e.address)
    : undefined;

/** Atomic save, as editors and `kubectl cp`-like tools do: write a temp file, rename it over. */
async function atomicSave(text: string): Promise<void> {
  const tmp = join(dir, ".backends.yaml.swp");
  await writeFile(tmp, text);
  await rename(tmp, file);
}

describe("StaticFileSource", () => {
  it("refuses to start on an invalid file, naming the field", async () => {
    await writeFile(file, "services:\n  - name: shop/web\n    vips: [nope]\n    ports: [{ port: 80 }]\n");
    await expect(make().start()).rejects.toMatchObject({
      code: SourceErrorCode.StaticFileInvalid,
      message: expect.stringContaining("services[0].vips[0]: not an IPv4 or IPv6 address"),
    });
    await rm(file);
    await expect(make().start()).rejects.toMatchObject({ code: SourceErrorCode.StaticFileUnreadable });
  });

  it("follows in-place writes and atomic renames, publishing only what changed", async () => {
    await writeFile(file, yaml(["198.19.1.1"]));
    const s = make();
    await s.start();
    await s.synced();
    const rec = new UpdateRecorder(s.updates());
    // The current state first, in name order.
    await rec.waitFor((u) => u.type === "service" && u.service.name === "shop/db");
    await rec.waitFor((u) => web(u)?.join() === "198.19.1.1");

    await writeFile(file, yaml(["198.19.1.1", "198.19.1.2"]));
    await rec.waitFor((u) => web(u)?.join() === "198.19.1.1,198.19.1.2");

    await atomicSave(yaml(["198.19.1.2"]));
    await rec.waitFor((u) => web(u)?.join() === "198.19.1.2");
    // shop/db never changed: published once only.
    expect(rec.items.filter((u) => u.type === "service" && u.service.name === "shop/db")).toHaveLength(1);

    await atomicSave(`services:
  - name: shop/web
    vips: [203.0.113.10]
    ports: [{ name: http, port: 80, targetPort: 8080 }]
`);
    await rec.waitFor((u) => u.type === "removed" && u.name === "shop/db");
    expect(s.current().map((x) => x.name)).toEqual(["shop/web"]);
  });

  it("keeps the last good config on a malformed edit, logs why, and recovers on the next good save", async () => {
    await writeFile(file, yaml(["198.19.1.1"]));
    const s = make();
    await s.start();
    const rec = new UpdateRecorder(s.updates());
    await rec.waitFor((u) => web(u)?.join() === "198.19.1.1");

    await atomicSave(yaml(["198.19.1.999"]));
    await vi.waitFor(() => expect(s.lastError?.code).toBe(SourceErrorCode.StaticFileInvalid), {
      interval: 10,
    });
    const rejected = lines.find((l) => l.event === "source.static.rejected");
    expect(rejected?.level).toBe(50);
    expect(rejected?.msg).toContain("services[0].backends[0].address: not an IPv4 or IPv6 address");
    expect(rejected?.msg).toContain("keeping the last good configuration");
    expect(rejected?.problems).toEqual([
      { path: "services[0].backends[0].address", message: "not an IPv4 or IPv6 address" },
    ]);

    await writeFile(file, "services: [oops\n");
    await vi.waitFor(() => expect(s.lastError?.code).toBe(SourceErrorCode.StaticFileSyntax), {
      interval: 10,
    });
    await unlink(file);
    await vi.waitFor(() => expect(s.lastError?.code).toBe(SourceErrorCode.StaticFileUnreadable), {
      interval: 10,
    });
    expect(
      s
        .current()
        .find((x) => x.name === "shop/web")
        ?.endpoints.map((e) => e.address),
    ).toEqual(["198.19.1.1"]);
    expect(rec.items.filter((u) => web(u) !== undefined)).toHaveLength(1);

    await atomicSave(yaml(["198.19.1.3"]));
    await rec.waitFor((u) => web(u)?.join() === "198.19.1.3");
    expect(s.lastError).toBeUndefined();
  });

  it("notices changes by polling alone when fs.watch is not used", async () => {
    await writeFile(file, yaml(["198.19.1.1"]));
    const s = make({ useFsWatch: false });
    await s.start();
    const rec = new UpdateRecorder(s.updates());
    await atomicSave(yaml(["198.19.1.4"]));
    await rec.waitFor((u) => web(u)?.join() === "198.19.1.4", 2000);
  });

  it("ends update streams on stop and ignores later edits", async () => {
    await writeFile(file, yaml([]));
    const s = make();
    await s.start();
    const rec = new UpdateRecorder(s.updates());
    await s.stop();
    await writeFile(file, yaml(["198.19.1.5"]));
    await expect(rec.waitFor((u) => web(u)?.join() === "198.19.1.5", 300)).rejects.toThrow(/ended/);
  });
});
