/**
 * Loads the credentials lb-agent uses to reach the API server: an explicit
 * kubeconfig file if configured, otherwise the client's default chain
 * ($KUBECONFIG, ~/.kube/config, then the in-cluster service account).
 */
import { KubeConfig } from "@kubernetes/client-node";
import { SourceError, SourceErrorCode } from "../source/source-error.js";

/** @throws SourceError `ERR_SOURCE_K8S_KUBECONFIG` when no usable cluster is configured. */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  const where = kubeconfigPath ?? "the default kubeconfig / in-cluster configuration";
  try {
    if (kubeconfigPath === undefined) kc.loadFromDefault();
    else kc.loadFromFile(kubeconfigPath);
  } catch (error) {
    throw new SourceError(SourceErrorCode.K8sKubeconfig, `cannot load ${where}: ${String(error)}`, {
      cause: error,
    });
  }
  if (kc.getCurrentCluster() === null) {
    throw new SourceError(SourceErrorCode.K8sKubeconfig, `${where} names no current cluster`);
  }
  return kc;
}
