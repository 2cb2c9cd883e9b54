/**
 * Kubernetes manifests as data: a multi-document YAML stream split into
 * documents with their kind and name, and the lb-agent configurations
 * embedded in ConfigMaps (data keys named `lb-agent*.yaml`) validated with
 * the agent's schema. `lb-agent check --config` accepts such a manifest, so
 * a ConfigMap can be checked before `kubectl apply`; deploy/'s test uses
 * the same functions on every manifest of the repository.
 */
import { parseAllDocuments } from "yaml";
import type { AgentConfig } from "./agent-config-schema.js";
import { ConfigError, ConfigErrorCode } from "./config-error.js";
import { parseAgentConfig } from "./load-config.js";

export interface ManifestDocument {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every non-empty document of the stream. @throws ConfigError on YAML errors or a document without kind. */
export function parseManifestDocuments(text: string, fileName: string): ManifestDocument[] {
  const out: ManifestDocument[] = [];
  parseAllDocuments(text, { uniqueKeys: true }).forEach((doc, i) => {
    if (doc.errors.length > 0) {
      throw new ConfigError(
        ConfigErrorCode.Syntax,
        `${fileName}: document ${i + 1}: not valid YAML: ${doc.errors[0]?.message.split("\n")[0]}`,
      );
    }
    const body: unknown = doc.toJS();
    if (body === null || body === undefined) return;
    if (!isRecord(body) || typeof body.kind !== "string" || typeof body.apiVersion !== "string") {
      throw new ConfigError(ConfigErrorCode.Invalid, `${fileName}: document ${i + 1} has no apiVersion/kind`);
    }
    const metadata = isRecord(body.metadata) ? body.metadata : {};
    out.push({
      kind: body.kind,
      apiVersion: body.apiVersion,
      name: typeof metadata.name === "string" ? metadata.name : "",
      body,
    });
  });
  return out;
}

/** True when the text looks like Kubernetes manifests rather than an lb-agent config. */
export function looksLikeManifest(text: string): boolean {
  return /^apiVersion:/m.test(text) && /^kind:/m.test(text);
}

/** The lb-agent configs embedded in ConfigMaps. @throws ConfigError naming the ConfigMap, key and field. */
export function embeddedAgentConfigs(
  documents: readonly ManifestDocument[],
  fileName: string,
): { readonly where: string; readonly config: AgentConfig }[] {
  const out: { where: string; config: AgentConfig }[] = [];
  for (const doc of documents) {
    if (doc.kind !== "ConfigMap" || !isRecord(doc.body.data)) continue;
    for (const [key, value] of Object.entries(doc.body.data)) {
      if (!/^lb-agent.*\.ya?ml$/.test(key) || typeof value !== "string") continue;
      const where = `${fileName}: ConfigMap ${doc.name} data["${key}"]`;
      out.push({ where, config: parseAgentConfig(value, where) });
    }
  }
  return out;
}
