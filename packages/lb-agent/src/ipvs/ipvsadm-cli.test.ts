/**
 * IpvsadmCli against fake `ipvsadm` / `ipvsadm-save` shell scripts put first
 * on PATH: how it runs them (one `ipvsadm --restore` per apply, the script on
 * stdin, none for an empty plan) and how it turns exit codes, stderr,
 * signals, timeouts, missing binaries and garbage output into typed errors.
 * The real ipvsadm is exercised in the VM test (test/vm).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IpvsErrorCode } from "./ipvs-error.js";
import { IpvsadmCli } from "./ipvsadm-cli.js";
import { serviceId, serviceSpec } from "./types.js";

const fixtures = new URL("./fixtures/", import.meta.url);
let dir: string;

/** Writes a fake tool; `FAKE_DIR` lets it log its calls and read canned output. */
function fake(name: string, body: string): void {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

function cli(extra: Record<string, string> = {}, timeoutMs = 5_000): IpvsadmCli {
  return new IpvsadmCli({
    env: { PATH: `${dir}:/usr/bin:/bin`, FAKE_DIR: dir, ...extra },
    timeoutMs,
    readAttempts: 2,
  });
}

const plan = {
  operations: [
    {
      type: "add-service" as const,
      service: serviceSpec({
        key: { kind: "address", protocol: "tcp", address: "203.0.113.10", port: 80 },
        scheduler: "rr",
      }),
    },
  ],
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "portlb-fake-ipvsadm-"));
  writeFileSync(join(dir, "save.txt"), readFileSync(new URL("ipvsadm-save-full.txt", fixtures)));
  writeFileSync(join(dir, "list.txt"), readFileSync(new URL("ipvsadm-list-thresholds-nosort.txt", fixtures)));
  fake("ipvsadm-save", 'echo "save $*" >> "$FAKE_DIR/calls"; cat "$FAKE_DIR/save.txt"');
  fake(
    "ipvsadm",
    [
      'echo "ipvsadm $*" >> "$FAKE_DIR/calls"',
      'case "$1" in',
      '  -L) cat "$FAKE_DIR/list.txt" ;;',
      '  --restore) cat > "$FAKE_DIR/stdin"; [ -n "$FAKE_STDERR" ] && echo "$FAKE_STDERR" >&2; exit "$((FAKE_EXIT + 0))" ;;',
      "  *) echo unexpected >&2; exit 99 ;;",
      "esac",
    ].join("\n"),
  );
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const calls = (): string[] => {
  try {
    return readFileSync(join(dir, "calls"), "utf8").trimEnd().split("\n");
  } catch {
    return [];
  }
};

describe("IpvsadmCli.read", () => {
  it("runs ipvsadm-save -n and ipvsadm -L -n --thresholds --nosort and merges them", async () => {
    const result = await cli().read();
    expect(calls()).toEqual(["save -n", "ipvsadm -L -n --thresholds --nosort"]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const mh = result.value.services.find((s) => serviceId(s.key) === "tcp/203.0.113.10/80");
    expect(mh?.realServers.map((r) => `${r.address}:${r.upperThreshold}`)).toEqual([
      "198.18.0.12:100",
      "198.18.0.11:0",
      "198.18.0.9:0",
    ]);
  });

  it("garbage output is ERR_IPVS_PARSE", async () => {
    writeFileSync(join(dir, "save.txt"), "this is not ipvsadm output\n");
    const result = await cli().read();
    expect(result.ok ? null : result.error.code).toBe(IpvsErrorCode.ParseError);
  });

  it("retries when the two reads disagree, then reports ERR_IPVS_INCONSISTENT_READ", async () => {
    writeFileSync(join(dir, "list.txt"), "");
    const result = await cli().read();
    expect(result.ok ? null : result.error.code).toBe(IpvsErrorCode.InconsistentRead);
    expect(calls()).toHaveLength(4);
  });

  it("a failing ipvsadm-save is ERR_IPVS_COMMAND_FAILED with its stderr and exit code", async () => {
    fake("ipvsadm-save", 'echo "Can\'t initialize ipvs: Protocol not available" >&2; exit 2');
    const result = await cli().read();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      code: IpvsErrorCode.CommandFailed,
      exitCode: 2,
      stderr: "Can't initialize ipvs: Protocol not available",
      command: "ipvsadm-save -n",
    });
    expect(result.error.message).toContain("Protocol not available");
  });

  it("a missing binary is ERR_IPVS_BINARY_MISSING with a clear message", async () => {
    const result = await new IpvsadmCli({ ipvsadmSave: join(dir, "no-such-ipvsadm-save") }).read();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(IpvsErrorCode.BinaryMissing);
    expect(result.error.message).toMatch(/not found.*install the ipvsadm package/);
  });

  it("a hanging child is killed: ERR_IPVS_COMMAND_TIMEOUT", async () => {
    fake("ipvsadm-save", "exec sleep 30");
    const result = await cli({}, 200).read();
    expect(result.ok ? null : result.error.code).toBe(IpvsErrorCode.CommandTimeout);
  });

  it("a child killed by a signal is ERR_IPVS_COMMAND_FAILED naming the signal", async () => {
    fake("ipvsadm-save", "kill -TERM $$");
    const result = await cli().read();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: IpvsErrorCode.CommandFailed, signal: "SIGTERM" });
  });
});

describe("IpvsadmCli.apply", () => {
  it("runs ONE ipvsadm --restore with the whole plan on stdin", async () => {
    const result = await cli().apply({
      operations: [
        ...plan.operations,
        { type: "delete-service", key: { kind: "fwmark", family: "inet", fwmark: 42 } },
      ],
    });
    expect(result).toEqual({ ok: true, value: undefined });
    expect(calls()).toEqual(["ipvsadm --restore"]);
    expect(readFileSync(join(dir, "stdin"), "utf8")).toBe("-A -t 203.0.113.10:80 -s rr\n-D -f 42\n");
  });

  it("an empty plan runs nothing", async () => {
    expect((await cli().apply({ operations: [] })).ok).toBe(true);
    expect(calls()).toEqual([]);
  });

  it("a non-zero exit is ERR_IPVS_COMMAND_FAILED carrying stderr and exit code", async () => {
    const result = await cli({ FAKE_EXIT: "255", FAKE_STDERR: "Service already exists" }).apply(plan);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      code: IpvsErrorCode.CommandFailed,
      exitCode: 255,
      stderr: "Service already exists",
      command: "ipvsadm --restore",
    });
  });

  it("exit 0 with stderr (a line in the middle failed) is ERR_IPVS_RESTORE_PARTIAL", async () => {
    const result = await cli({ FAKE_STDERR: "Service not defined" }).apply(plan);
    expect(result.ok ? null : result.error).toMatchObject({
      code: IpvsErrorCode.RestorePartial,
      stderr: "Service not defined",
      exitCode: 0,
    });
  });

  it("a child that exits without reading stdin does not crash the agent", async () => {
    fake("ipvsadm", "exit 3");
    const big = { operations: Array.from({ length: 5000 }, () => plan.operations[0]!) };
    const result = await cli().apply(big);
    expect(result.ok ? null : result.error).toMatchObject({ code: IpvsErrorCode.CommandFailed, exitCode: 3 });
  });

  it("a missing ipvsadm is ERR_IPVS_BINARY_MISSING", async () => {
    const result = await new IpvsadmCli({ ipvsadm: join(dir, "nope") }).apply(plan);
    expect(result.ok ? null : result.error.code).toBe(IpvsErrorCode.BinaryMissing);
  });
});
