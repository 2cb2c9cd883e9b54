#!/usr/bin/env node
/**
 * bgp-decode — print BGP messages from hex, a raw byte stream or a packet
 * capture.
 *
 *     bgp-decode ffffffffffffffffffffffffffffffff 0013 04     # hex (whitespace, # comments ok)
 *     bgp-decode --file session.pcap                         # pcap/pcapng: every TCP/179 flow
 *     bgp-decode --file stream.bin --json                    # raw octets of one direction
 *     cat vector.hex | bgp-decode -                          # stdin: pcap, raw or hex
 *
 * For captures the two OPENs of each connection decide how the rest is
 * decoded (4-octet AS, ADD-PATH per direction and family, extended
 * messages). A message that fails to decode is printed as the NOTIFICATION
 * it would cause and decoding goes on.
 *
 * Exit status: 0 when everything decoded, 1 when anything did not, 2 for a
 * usage error (bad option, no input, unreadable file, bad hex).
 */
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { detectCaptureFormat } from "../pcap/pcap-reader.js";
import { Afi, Header, Safi } from "../wire/constants.js";
import type { CodecContext } from "../wire/context.js";
import { familyKey, makeContext } from "../wire/context.js";
import type { DecodeRecord } from "./decode-records.js";
import { decodeCapture, decodeStream } from "./decode-records.js";
import { formatRecordText, recordToJson } from "./format.js";
import { HexSyntaxError, parseHex } from "./hex.js";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<Uint8Array>;
  readonly readFile: (path: string) => Uint8Array;
}

const usage = `usage: bgp-decode [options] HEX...
       bgp-decode [options] --file PATH     (pcap, pcapng, raw BGP octets or annotated hex)
       bgp-decode [options] -               (the same, from stdin)

options:
  -f, --file PATH         read PATH
  -j, --json              one JSON object per line instead of text
      --as4               decode with 4-octet AS numbers (when no OPEN says so)
      --add-path          expect ADD-PATH path identifiers in IPv4/IPv6 unicast NLRI
      --extended-message  allow messages up to 65535 octets (RFC 8654)
  -h, --help              this text
`;

/** What is in the input, by its first octets. */
export function classifyInput(bytes: Uint8Array): "capture" | "raw" | "hex" {
  if (detectCaptureFormat(bytes) !== undefined) return "capture";
  let marker = bytes.length >= Header.markerLength;
  for (let i = 0; i < Header.markerLength && marker; i++) marker = bytes[i] === 0xff;
  return marker ? "raw" : "hex";
}

class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let values: {
    file?: string | undefined;
    json?: boolean | undefined;
    as4?: boolean | undefined;
    "add-path"?: boolean | undefined;
    "extended-message"?: boolean | undefined;
    help?: boolean | undefined;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        file: { type: "string", short: "f" },
        json: { type: "boolean", short: "j" },
        as4: { type: "boolean" },
        "add-path": { type: "boolean" },
        "extended-message": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    io.stderr(`bgp-decode: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  if (values.help) {
    io.stdout(usage);
    return 0;
  }

  let records: Iterable<DecodeRecord>;
  try {
    const flagged = values.as4 || values["add-path"] || values["extended-message"];
    const context: CodecContext | undefined = flagged
      ? makeContext({
          fourOctetAs: values.as4 === true,
          extendedMessage: values["extended-message"] === true,
          addPathReceive: new Set(
            values["add-path"] ? [familyKey(Afi.Ipv4, Safi.Unicast), familyKey(Afi.Ipv6, Safi.Unicast)] : [],
          ),
        })
      : undefined;
    let bytes: Uint8Array;
    if (values.file !== undefined) {
      if (positionals.length > 0) throw new UsageError("give either --file or hex arguments, not both");
      try {
        bytes = io.readFile(values.file);
      } catch (error) {
        throw new UsageError(
          `cannot read ${values.file}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    } else if (positionals.length === 1 && positionals[0] === "-") {
      bytes = await io.readStdin();
    } else if (positionals.length > 0) {
      bytes = parseHex(positionals.join("\n"));
    } else {
      throw new UsageError("no input: give hex, --file PATH or -");
    }
    const kind = classifyInput(bytes);
    if (kind === "hex") bytes = parseHex(new TextDecoder().decode(bytes));
    if (bytes.length === 0) throw new UsageError("the input holds no octets");
    records =
      kind === "capture"
        ? decodeCapture(bytes, context === undefined ? {} : { fallbackContext: context })
        : decodeStream(bytes, context === undefined ? {} : { context });
  } catch (error) {
    if (error instanceof UsageError || error instanceof HexSyntaxError) {
      io.stderr(`bgp-decode: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  let failed = false;
  let t0: number | undefined;
  try {
    for (const rec of records) {
      if (rec.kind !== "message") failed = true;
      if (t0 === undefined && rec.time !== undefined) t0 = rec.time;
      io.stdout(`${values.json ? JSON.stringify(recordToJson(rec)) : formatRecordText(rec, t0)}\n`);
    }
  } catch (error) {
    // A capture file that cannot be read (PcapFormatError): report, keep what was printed.
    io.stderr(`bgp-decode: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  return failed ? 1 : 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return new Uint8Array(Buffer.concat(parts));
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: () => readAll(process.stdin),
  readFile: (path) => new Uint8Array(readFileSync(path)),
};

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2), processIo).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `bgp-decode: internal error: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
