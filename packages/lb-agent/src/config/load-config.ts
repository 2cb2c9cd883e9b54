/**
 * Reading the agent's configuration: text -> validated `AgentConfig`, or a
 * `ConfigError` that names every bad field. Also resolves what the file
 * only points at: the node IP from the downward-API environment variable,
 * and the resolved per-service balancing settings.
 */
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { parseDocument } from "yaml";
import { describeProblems, problemsOf } from "../source/field-problems.js";
import { type AgentConfig, agentConfigSchema } from "./agent-config-schema.js";
import { builtinBalancing, resolveBalancing, type ServiceBalancing } from "./balancing-schema.js";
import { ConfigError, ConfigErrorCode } from "./config-error.js";

/** Validates an already-parsed document. @throws ConfigError `ERR_CONFIG_INVALID`. */
export function validateAgentConfig(input: unknown, fileName: string): AgentConfig {
  const result = agentConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = problemsOf(result.error);
  throw new ConfigError(ConfigErrorCode.Invalid, `${fileName}: ${describeProblems(problems)}`, { problems });
}

/** Parses YAML text into a document. @throws ConfigError `ERR_CONFIG_SYNTAX`. */
export function parseYamlText(text: string, fileName: string): unknown {
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
  return doc.toJS();
}

/** YAML text -> configuration. @throws ConfigError. */
export function parseAgentConfig(text: string, fileName: string): AgentConfig {
  return validateAgentConfig(parseYamlText(text, fileName), fileName);
}

/** Reads and validates the file. @throws ConfigError. */
export async function loadAgentConfig(path: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(ConfigErrorCode.Unreadable, `${path}: cannot read: ${String(error)}`, {
      cause: error,
    });
  }
  return parseAgentConfig(text, path);
}

/**
 * The node IP (the BGP next hop): `nodeIP`, or the value of the `nodeIPEnv`
 * variable (the downward API's status.hostIP). undefined if neither is set.
 * @throws ConfigError `ERR_CONFIG_ENVIRONMENT` if the variable is unset or not an address.
 */
export function resolveNodeIp(config: AgentConfig, env: NodeJS.ProcessEnv): string | undefined {
  if (config.nodeIP !== undefined) return config.nodeIP;
  if (config.nodeIPEnv === undefined) return undefined;
  const value = env[config.nodeIPEnv];
  if (value === undefined || isIP(value) === 0) {
    const why = value === undefined ? "is not set" : `is ${JSON.stringify(value)}, not an IP address`;
    throw new ConfigError(
      ConfigErrorCode.Environment,
      `nodeIPEnv: environment variable ${config.nodeIPEnv} ${why}`,
      {
        problems: [{ path: "nodeIPEnv", message: `${config.nodeIPEnv} ${why}` }],
      },
    );
  }
  return value;
}

/** The resolved load-balancing settings of every service: built-ins <- defaults <- per-service. */
export function balancingFor(config: AgentConfig): (service: string) => ServiceBalancing {
  const defaults = resolveBalancing(builtinBalancing, config.defaults);
  const cache = new Map<string, ServiceBalancing>();
  return (service) => {
    let resolved = cache.get(service);
    if (resolved === undefined) {
      resolved = resolveBalancing(defaults, config.services[service]);
      cache.set(service, resolved);
    }
    return resolved;
  };
}
