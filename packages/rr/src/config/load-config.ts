/**
 * Reading ts-rr's configuration: file -> YAML -> zod schema -> the speaker's
 * own checks (validateSpeakerConfig, so nothing the speaker would refuse
 * gets past `ts-rr check`). Returns a validated `RrConfig` or throws a
 * `ConfigError` naming every bad field it could find.
 */
import { readFile } from "node:fs/promises";
import { SpeakerConfigError, validateSpeakerConfig } from "@portlb/bgp";
import { parseDocument } from "yaml";
import { ConfigError, ConfigErrorCode, describeProblems } from "./config-error.js";
import { problemsOf } from "./field-problems.js";
import { type RrConfig, rrConfigSchema } from "./rr-config-schema.js";
import { toSpeakerOptions } from "./speaker-options.js";

/** The speaker's field names -> ours (`neighbors[0].holdTime` -> `upstreams[0].holdTime`). */
function ourField(field: string): string {
  return field
    .replace(/^neighbors\[/, "upstreams[")
    .replace(/^dynamicNeighbors\[/, "dynamicRanges[")
    .replace(/^listen\[0\]/, "listen");
}

/** Validates an already-parsed document. @throws ConfigError `ERR_RR_CONFIG_INVALID`. */
export function validateRrConfig(input: unknown, fileName: string): RrConfig {
  const result = rrConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const problems = problemsOf(result.error);
    throw new ConfigError(ConfigErrorCode.Invalid, `${fileName}: ${describeProblems(problems)}`, {
      problems,
    });
  }
  try {
    validateSpeakerConfig(toSpeakerOptions(result.data));
  } catch (error) {
    if (!(error instanceof SpeakerConfigError)) throw error;
    const problems = [{ path: ourField(error.field), message: error.message.slice(error.field.length + 2) }];
    throw new ConfigError(ConfigErrorCode.Invalid, `${fileName}: ${describeProblems(problems)}`, {
      problems,
      cause: error,
    });
  }
  return result.data;
}

/** YAML text -> configuration. @throws ConfigError. */
export function parseRrConfig(text: string, fileName: string): RrConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => ({
      path: e.linePos?.[0] === undefined ? "(yaml)" : `line ${e.linePos[0].line}, column ${e.linePos[0].col}`,
      message: e.message.split("\n")[0] ?? e.code,
    }));
    throw new ConfigError(
      ConfigErrorCode.Syntax,
      `${fileName}: not valid YAML: ${describeProblems(problems)}`,
      {
        problems,
      },
    );
  }
  return validateRrConfig(doc.toJS(), fileName);
}

/** Reads and validates the file. @throws ConfigError. */
export async function loadRrConfig(path: string): Promise<RrConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(ConfigErrorCode.Unreadable, `${path}: cannot read: ${String(error)}`, {
      cause: error,
    });
  }
  return parseRrConfig(text, path);
}
