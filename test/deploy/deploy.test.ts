/**
 * deploy/ checked as data: every manifest parses (and there are some: a
 * glob that matched nothing fails), the kinds the LB pod needs are there,
 * RBAC grants exactly list+watch on EndpointSlices to the agent's
 * ServiceAccount, the Deployment runs on the pod network with NET_ADMIN
 * and nothing more, wires the node IP, the config volume, the probes and
 * the IPVS sysctls consistently with the embedded lb-agent config, which
 * passes lb-agent's own zod schema; the Dockerfile installs what the agent
 * drives.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  embeddedAgentConfigs,
  type ManifestDocument,
  parseManifestDocuments,
} from "../../packages/lb-agent/src/config/manifest-documents.js";
import { productionIpvsSysctls } from "../../packages/lb-agent/src/ipvs/ipvs-sysctls.js";
import { parseRrConfig } from "../../packages/rr/src/config/load-config.js";

const deployDir = fileURLToPath(new URL("../../deploy/", import.meta.url));
const manifestDir = `${deployDir}kubernetes/`;
const files = readdirSync(manifestDir).filter((f) => f.endsWith(".yaml"));
const documents: ManifestDocument[] = files.flatMap((f) =>
  parseManifestDocuments(readFileSync(`${manifestDir}${f}`, "utf8"), f),
);

/** Walks a path of keys through unknown YAML data. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let v = value;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function one(kind: string, name?: string): ManifestDocument {
  const found = documents.filter((d) => d.kind === kind && (name === undefined || d.name === name));
  expect(found, `${kind} ${name ?? ""}`).toHaveLength(1);
  return found[0] as ManifestDocument;
}

describe("deploy/kubernetes manifests", () => {
  it("parse, and contain the kinds an LB pod needs", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(new Set(documents.map((d) => d.kind))).toEqual(
      new Set([
        "Namespace",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "ConfigMap",
        "Deployment",
      ]),
    );
    for (const d of documents) {
      expect(d.name, `${d.kind} has a name`).not.toBe("");
      if (d.kind !== "Namespace" && !d.kind.startsWith("Cluster"))
        expect(at(d.body, "metadata", "namespace")).toBe("portlb");
    }
  });

  it("grant exactly list+watch on EndpointSlices to the agent's ServiceAccount", () => {
    const role = one("ClusterRole");
    expect(at(role.body, "rules")).toEqual([
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
    ]);
    const binding = one("ClusterRoleBinding");
    expect(at(binding.body, "roleRef")).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: role.name,
    });
    const sa = one("ServiceAccount");
    expect(at(binding.body, "subjects")).toEqual([
      { kind: "ServiceAccount", name: sa.name, namespace: "portlb" },
    ]);
    expect(at(one("Deployment").body, "spec", "template", "spec", "serviceAccountName")).toBe(sa.name);
  });

  it("run the agent on the pod network with NET_ADMIN only, consistent with its config", () => {
    const deployment = one("Deployment", "lb-agent");
    const pod = at(deployment.body, "spec", "template", "spec");
    expect(at(pod, "hostNetwork")).toBe(false);
    const containers = at(pod, "containers") as unknown[];
    expect(containers).toHaveLength(1);
    const c = containers[0];
    expect(at(c, "securityContext", "capabilities")).toEqual({ drop: ["ALL"], add: ["NET_ADMIN"] });
    expect(at(c, "securityContext", "privileged")).toBe(false);
    expect(at(c, "securityContext", "allowPrivilegeEscalation")).toBe(false);

    // the config file the container runs with is the ConfigMap's key, mounted where --config points
    const args = at(c, "args") as string[];
    expect(args.slice(0, 2)).toEqual(["run", "--config"]);
    const configPath = args[2] ?? "";
    const mount = (at(c, "volumeMounts") as { name: string; mountPath: string }[]).find((m) =>
      configPath.startsWith(`${m.mountPath}/`),
    );
    expect(mount).toBeDefined();
    const volume = (at(pod, "volumes") as { name: string; configMap?: { name: string } }[]).find(
      (v) => v.name === mount?.name,
    );
    const configMap = one("ConfigMap", volume?.configMap?.name);
    const key = configPath.slice((mount?.mountPath.length ?? 0) + 1);
    expect(Object.keys(at(configMap.body, "data") as object)).toContain(key);

    const [embedded] = embeddedAgentConfigs([configMap], "lb-agent-configmap.yaml");
    const config = embedded?.config;
    expect(config?.source.kubernetes?.services.length).toBeGreaterThan(0);
    // the downward API provides the node IP under the name the config reads
    const env = at(c, "env") as { name: string; valueFrom?: unknown }[];
    expect(env.find((e) => e.name === config?.nodeIPEnv)?.valueFrom).toEqual({
      fieldRef: { fieldPath: "status.hostIP" },
    });
    // the admin API stays on loopback; probes and Prometheus use the metrics port, on all addresses
    expect(config?.admin.listen.host).toBe("127.0.0.1");
    expect(config?.metrics.listen.host).toBe("0.0.0.0");
    const ports = at(c, "ports") as { name: string; containerPort: number }[];
    expect(ports.find((p) => p.name === "metrics")?.containerPort).toBe(config?.metrics.listen.port);
    expect(at(c, "livenessProbe", "httpGet")).toEqual({ path: "/healthz", port: "metrics" });
    expect(at(c, "readinessProbe", "httpGet")).toEqual({ path: "/readyz", port: "metrics" });
    // SIGTERM: withdraw + drain + cleanup must fit in the grace period
    expect((at(pod, "terminationGracePeriodSeconds") as number) * 1000).toBeGreaterThan(
      config?.shutdown.drainMs ?? Infinity,
    );
    // a rolling update never takes an LB pod away before its successor is up
    expect(at(deployment.body, "spec", "strategy", "rollingUpdate", "maxUnavailable")).toBe(0);
  });

  it("set every production IPVS sysctl in the pod spec", () => {
    const sysctls = at(one("Deployment").body, "spec", "template", "spec", "securityContext", "sysctls") as {
      name: string;
      value: string;
    }[];
    for (const s of productionIpvsSysctls) {
      expect(sysctls, s.name).toContainEqual({ name: s.name, value: s.value });
    }
    expect(sysctls).toContainEqual({ name: "net.ipv4.ip_forward", value: "1" });
  });

  it("carry an example ts-rr config whose AS matches the agents' route reflector", () => {
    const rr = one("ConfigMap", "ts-rr-config");
    const text = at(rr.body, "data", "ts-rr.yaml");
    expect(typeof text).toBe("string");
    const [agent] = embeddedAgentConfigs([one("ConfigMap", "lb-agent-config")], "x");
    const reflector = agent?.config.bgp?.routeReflectors[0];
    expect(text).toContain(`address: ${reflector?.address}`);
    // ts-rr's own schema accepts it, and the agents' AS may peer with it.
    const parsed = parseRrConfig(text as string, "ts-rr-configmap.yaml");
    expect(parsed.localAs).toBe(reflector?.as);
    expect(parsed.dynamicRanges.some((r) => r.asns.includes(agent?.config.bgp?.localAS ?? -1))).toBe(true);
  });
});

describe("deploy/Dockerfile", () => {
  const dockerfile = readFileSync(`${deployDir}Dockerfile`, "utf8");
  it("installs ipvsadm, iproute2 and nftables on a Node 20 image and runs the built CLI", () => {
    const install = dockerfile.split("\n").find((l) => /apt-get install/.test(l)) ?? "";
    for (const pkg of ["ipvsadm", "iproute2", "nftables"]) expect(install.split(/\s+/)).toContain(pkg);
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(
      /^ENTRYPOINT \["node", "\/opt\/portlb\/packages\/lb-agent\/dist\/cli\.js"\]$/m,
    );
    expect(dockerfile).toContain('CMD ["run", "--config", "/etc/lb-agent/lb-agent.yaml"]');
    const pkg = JSON.parse(
      readFileSync(fileURLToPath(new URL("../../packages/lb-agent/package.json", import.meta.url)), "utf8"),
    ) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin["lb-agent"]).toBe("./dist/cli.js");
  });
});
