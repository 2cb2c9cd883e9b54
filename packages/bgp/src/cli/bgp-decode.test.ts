import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CliIo } from "./bgp-decode.js";
import { classifyInput, main } from "./bgp-decode.js";
import { parseHex } from "./hex.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../../..");
const capturesDir = join(root, "test/vectors/captures");

const keepalive = "ffffffffffffffffffffffffffffffff 0013 04";

async function run(
  args: string[],
  stdin: Uint8Array = new Uint8Array(0),
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    readStdin: async () => stdin,
    readFile: (path) => new Uint8Array(readFileSync(path)),
  };
  const code = await main(args, io);
  return { code, out, err };
}

describe("bgp-decode on hex", () => {
  it("decodes one message given as hex arguments with comments", async () => {
    const r = await run([`${keepalive} # a keepalive`]);
    expect(r).toEqual({ code: 0, out: "KEEPALIVE\n", err: "" });
  });

  it("decodes several messages in a row, hex split over arguments", async () => {
    const r = await run([keepalive, "ffffffffffffffffffffffffffffffff 0017 05 0002 00 01"]);
    expect(r.out).toBe("KEEPALIVE\nROUTE-REFRESH ipv6/unicast\n");
    expect(r.code).toBe(0);
  });

  it("prints a bad message as the NOTIFICATION it would cause, goes on, and exits 1", async () => {
    const badType = "ffffffffffffffffffffffffffffffff 0013 09";
    const r = await run([`${badType} ${keepalive}`]);
    expect(r.code).toBe(1);
    expect(r.out.split("\n")).toEqual([
      "ERROR ERR_BGP_BAD_MESSAGE_TYPE: bad message type 9 -> would send NOTIFICATION Message Header Error/Bad Message Type (1/3) data 0x09",
      "KEEPALIVE",
      "",
    ]);
  });

  it("reports a body error (framing intact) and decodes the next message", async () => {
    // ROUTE-REFRESH of 24 octets: Invalid Message Length (RFC 7313 §5).
    const r = await run([`ffffffffffffffffffffffffffffffff 0018 05 00010001 00 ${keepalive}`]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ERROR .*ROUTE-REFRESH Message Error\/Invalid Message Length \(7\/1\)/);
    expect(r.out).toMatch(/\nKEEPALIVE\n$/);
  });

  it("emits JSON lines with --json", async () => {
    const r = await run(["--json", keepalive]);
    expect(JSON.parse(r.out)).toEqual({
      type: "KEEPALIVE",
      message: { type: 4 },
      raw: "ffffffffffffffffffffffffffffffff001304",
    });
  });

  it("reads stdin with -, as hex text or as raw octets", async () => {
    expect((await run(["-"], new TextEncoder().encode(`${keepalive}\n`))).out).toBe("KEEPALIVE\n");
    expect((await run(["-"], parseHex(keepalive + keepalive))).out).toBe("KEEPALIVE\nKEEPALIVE\n");
  });

  it("honours --as4 for an UPDATE whose OPEN is not in the input", async () => {
    // AS_PATH with one 4-octet ASN (4200000001 = fa56ea01).
    const hex =
      "ffffffffffffffffffffffffffffffff 002f 02 0000 0014 40010100 40020602 01fa56ea01 400304c6120001 18cb0071";
    const r = await run(["--as4", hex]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("as-path 4200000001");
    expect(r.out).toContain("nlri: 203.0.113.0/24");
  });
});

describe("bgp-decode usage errors exit 2", () => {
  it.each([
    [[], /no input/],
    [["--bogus"], /Unknown option/],
    [["zz"], /not a hex digit/],
    [["abc"], /odd number/],
    [["--file", "/nonexistent/portlb.pcap"], /cannot read/],
    [["--file", "x", "00"], /either --file or hex/],
  ])("%j", async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it("--help prints usage and exits 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: bgp-decode/);
  });
});

describe("bgp-decode on the real captures", () => {
  const pcaps = readdirSync(capturesDir).filter((f) => f.endsWith(".pcap"));

  it("finds captures", () => {
    expect(pcaps.length).toBeGreaterThan(0);
  });

  it.each(pcaps)("%s decodes without an error, text and JSON agree on the message count", async (name) => {
    const file = join(capturesDir, name);
    expect(classifyInput(new Uint8Array(readFileSync(file)))).toBe("capture");
    const text = await run(["--file", file]);
    expect(text.err).toBe("");
    expect(text.code).toBe(0);
    expect(text.out).not.toMatch(/ERROR|GAP/);
    const json = await run(["--file", file, "--json"]);
    const lines = json.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string });
    expect(
      lines.every((l) => ["OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH"].includes(l.type)),
    ).toBe(true);
    expect(text.out.split("\n").filter((l) => l.startsWith("[")).length).toBe(lines.length);
  });

  it("bird-frr: ADD-PATH ids from the OPENs, 4-octet AS, the shutdown communication", async () => {
    const r = await run(["--file", join(capturesDir, "bird-frr.pcap")]);
    expect(r.out).toContain("4-octet-as 4200000001");
    expect(r.out).toMatch(/nlri: 100\.64\.1\.0\/24 \(path \d+\)/);
    expect(r.out).toContain(
      'NOTIFICATION Cease/Administrative Shutdown (6/2) shutdown communication "portlb capture: maintenance"',
    );
  });

  it("runs as a process: node --import tsx bgp-decode.ts (exit code and stdout)", () => {
    const script = join(here, "bgp-decode.ts");
    const ok = spawnSync(process.execPath, ["--import", "tsx", script, keepalive], {
      cwd: root,
      encoding: "utf8",
    });
    expect(ok.stdout).toBe("KEEPALIVE\n");
    expect(ok.status).toBe(0);
    const bad = spawnSync(process.execPath, ["--import", "tsx", script, "--nope"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(bad.status).toBe(2);
  });
});
